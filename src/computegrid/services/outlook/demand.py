"""Use case: the AI / data-centre electricity outlook (Monte Carlo percentiles, calibration table).

Shared by the CLI (``computegrid outlook``) and any API: validates the request, runs the vectorised
model of :mod:`computegrid.demand.outlook` and returns plain frozen records; no printing, no files.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

import numpy as np

from computegrid.demand.outlook import (OUTLOOK_YEARS, OutlookDraws, OutlookResult, ScenarioOutlook, central_path,
                                        check_draws, region_outlook, simulate_chunked)
from computegrid.demand.scenarios import (CHINA_SPLITS, REGIONS_REPORTED, Scenario, load_scenario_file,
                                          load_scenarios, select_scenarios)
from computegrid.errors import InputError

DEFAULT_DRAWS = 10_000


def check_region(region: str) -> str:
    if region not in REGIONS_REPORTED:
        raise InputError("--region", region, f"one of {', '.join(REGIONS_REPORTED)}")
    return region


def available_scenarios(scenario_file: str | None = None) -> dict[str, Scenario]:
    """The packaged scenarios, or those of a user YAML file in the same format."""
    if scenario_file is None:
        return load_scenarios()
    from pathlib import Path

    path = Path(scenario_file)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError("--scenario-file", str(path), f"a readable YAML file ({exc.strerror})") from None
    return load_scenario_file(text, origin=str(path))


def resolve_scenarios(names: list[str] | None, china_split: str | None = None,
                      scenario_file: str | None = None) -> list[Scenario]:
    """Named scenarios (all when none given), with an optional override of the east/west split."""
    chosen = select_scenarios(names, available_scenarios(scenario_file))
    if china_split is None:
        return chosen
    if china_split not in CHINA_SPLITS:
        raise InputError("--china-split", china_split, f"one of {', '.join(CHINA_SPLITS)}")
    return [dataclasses.replace(s, china_split=china_split) for s in chosen]


def scenario_draws(scenarios: list[Scenario], draws: int, seed: int) -> dict[str, OutlookDraws]:
    """Monte Carlo draws of each scenario (seeded per scenario; see ``demand.outlook``)."""
    check_draws(draws)
    return {s.name: simulate_chunked(s, draws, seed) for s in scenarios}


def run_outlook(scenario_names: list[str] | None = None, draws: int = DEFAULT_DRAWS, seed: int = 0,
                region: str = "china", china_split: str | None = None,
                scenario_file: str | None = None) -> tuple[OutlookResult, dict[str, OutlookDraws]]:
    """Run the outlook for the named scenarios.

    Parameters
    ----------
    scenario_names : list of str, optional
        Scenario names from the packaged file; all when empty.
    draws : int
        Monte Carlo draws per scenario (> 0). [-]
    seed : int
        Master seed.
    region : str
        Region whose bands fill the top-level fields (``world``, ``china``, ``china_east``, ``china_west``).
    china_split : {"stock", "targets"}, optional
        Override every scenario's east/west split.
    scenario_file : str, optional
        A user scenario YAML (same format as the packaged file) instead of the packaged scenarios.

    Returns
    -------
    OutlookResult, dict of str -> OutlookDraws
        Percentile bands, and the raw draws (for charts and the adequacy check).
    """
    t0 = time.perf_counter()
    check_region(region)
    check_draws(draws)
    scenarios = resolve_scenarios(scenario_names, china_split, scenario_file)
    all_draws = scenario_draws(scenarios, draws, seed)
    out = {}
    for s in scenarios:
        d = all_draws[s.name]
        by_region = {r: region_outlook(d, r) for r in REGIONS_REPORTED}
        sel = by_region[region]
        out[s.name] = ScenarioOutlook(s.description, s.china_split, sel.energy_twh, sel.ai_energy_twh,
                                      sel.avg_power_gw, sel.peak_power_gw, by_region)
    result = OutlookResult(region, list(OUTLOOK_YEARS), int(draws), int(seed), out,
                           round(time.perf_counter() - t0, 3))
    return result, all_draws


@dataclass(frozen=True)
class CalibrationRow:
    """A scenario next to the published figure it stands for. Energies in [TWh/yr]."""

    scenario: str
    region: str
    year: int
    published_energy_twh: float
    published_energy_high_twh: float | None
    central_energy_twh: float
    p5_energy_twh: float
    p50_energy_twh: float
    p95_energy_twh: float
    central_error_frac: float
    inside_p5_p95: bool
    bottom_up_ratio_base: float
    source: str


def run_calibration(draws: int = DEFAULT_DRAWS, seed: int = 0,
                    scenario_file: str | None = None) -> list[CalibrationRow]:
    """Each named scenario next to the published figures it stands for.

    ``central_error_frac`` compares the central path (all parameters at their medians) with the
    published figure (the middle of a published range); ``inside_p5_p95`` says whether the published
    figure (or range) lies inside the Monte Carlo P5-P95 band; ``bottom_up_ratio_base`` is the central
    bottom-up (fleet) AI level over the anchored AI level in the base year (reconciliation check).
    """
    check_draws(draws)
    rows = []
    for s in available_scenarios(scenario_file).values():
        if not s.stands_for:
            continue
        years = tuple(sorted({*OUTLOOK_YEARS, *(f.year for f in s.stands_for if f.year >= s.base_year)}))
        central = central_path(s, years)
        mc = simulate_chunked(s, draws, seed, years=years)
        for fig in s.stands_for:
            col = years.index(fig.year)
            c = float(central.energy_twh[fig.region][0, col])
            vals = mc.energy_twh[fig.region][:, col]
            p5, p50, p95 = (float(v) for v in np.percentile(vals, (5, 50, 95)))
            low = fig.energy_twh
            high = fig.energy_high_twh if fig.energy_high_twh is not None else fig.energy_twh
            mid = 0.5 * (low + high)
            rows.append(CalibrationRow(s.name, fig.region, fig.year, low, fig.energy_high_twh, round(c, 2),
                                       round(p5, 2), round(p50, 2), round(p95, 2),
                                       round(c / mid - 1.0, 4), bool(p5 <= low and high <= p95),
                                       round(float(central.bottom_up_ratio_base[
                                           "china" if fig.region.startswith("china") else fig.region][0]), 3),
                                       fig.source))
    return rows
