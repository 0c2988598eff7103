"""Use case: is there enough supply for the AI load of the outlook? (``computegrid adequacy``)

For each supply case, scenario, year and Monte Carlo draw of the outlook, the added data-centre load of
China is placed on the year's grid and the dispatch is solved with load shedding (one task each, on
Dask or serially: :mod:`computegrid.services.outlook.sweep`). One baseline solve per supply case and year, with
no added load, separates shortages caused by the AI load from those of the base demand.

Definitions (all documented in docs/outlook.md):

- **added load**: China's data-centre electricity in the year minus its 2024 level, per East-Data-West-
  Computing side and per draw, floored at 0 (assumption: the provincial demand projections carry the
  2024 data-centre load; what grows beyond it is new). Each side's load is spread over that side's
  candidate sites (grid dataset ``sites.csv``) in proportion to their capacity caps, flat over the year;
- **shortage**: unserved energy > 1e-4 TWh; **AI-caused shortage**: unserved energy exceeds the baseline's
  by more than that;
- **first year the AI load cannot be served**: the first year studied in which at least half of the draws
  show an AI-caused shortage (the P50 AI load needs more supply than the fleet of that supply case has).
  With ``supply="frozen"`` (end-2024 fleet held) this answers "without new supply"; with ``planned`` it
  asks whether the documented build-out keeps up.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from computegrid.demand.outlook import OUTLOOK_YEARS, check_draws, simulate_chunked
from computegrid.errors import InputError
from computegrid.services.outlook.demand import resolve_scenarios
from computegrid.services.outlook.sweep import Task, TaskOutcome, check_workers, run_sweep
from computegrid.supply.capacity_outlook import SUPPLY_CASES
from computegrid.units import HOURS_PER_YEAR, MWH_PER_TWH

DEFAULT_SCENARIOS = ("iea-base", "china-official", "goldman-sachs", "high-efficiency")
DEFAULT_YEARS = (2027, 2030, 2035)
DEFAULT_DRAWS = 4
DEFAULT_RESOLUTION = "rep4"
SHORTAGE_TOL_TWH = 1e-4
BASE_YEAR = OUTLOOK_YEARS[0]


@dataclass(frozen=True)
class YearAdequacy:
    """Adequacy of one (supply case, scenario, year) over the draws that solved."""

    year: int
    draws_solved: int
    draws_failed: int
    added_load_p50_twh: float
    added_load_p95_twh: float
    shortage_probability_frac: float
    ai_shortage_probability_frac: float
    unserved_energy_p50_twh: float
    unserved_energy_p95_twh: float
    baseline_unserved_energy_twh: float
    hours_short_p50_h: float
    provinces_short: dict[str, float]
    reserve_margin_min_p50_frac: float
    reserve_margin_min_p5_frac: float
    curtailment_absorbed_p50_twh: float
    baseline_curtailment_twh: float


@dataclass(frozen=True)
class AdequacyResult:
    """Result of :func:`run_adequacy`."""

    years: list[int]
    draws: int
    seed: int
    resolution: str
    demand_floor_growth_frac_per_year: float
    supply_cases: list[str]
    scenarios: dict[str, dict[str, list[YearAdequacy]]]
    first_year_ai_load_unserved: dict[str, dict[str, int | None]]
    failures: list[dict]
    solves: int
    runtime_s: float


def check_years(years: list[int] | None) -> list[int]:
    """Validate target years: whole years within the outlook (2024-2035), no duplicates."""
    years = list(years or DEFAULT_YEARS)
    for y in years:
        if isinstance(y, bool) or not isinstance(y, (int, np.integer)) or not (
                OUTLOOK_YEARS[0] <= y <= OUTLOOK_YEARS[-1]):
            raise InputError("--years", y, f"years in {OUTLOOK_YEARS[0]}-{OUTLOOK_YEARS[-1]} "
                             "(the outlook's range)")
    return sorted(set(int(y) for y in years))


def site_weights(source: str) -> dict[str, dict[str, float]]:
    """Province weights of each EDWC side: candidate sites' capacity caps, summed by province. [-]"""
    if source == "tiny":
        return {"china_east": {"GD": 1.0}, "china_west": {"NM": 1.0}}
    from computegrid.datasets.grid import load_sites

    sites = load_sites()
    out = {}
    for side in ("east", "west"):
        caps = sites[sites["side"] == side].groupby("province")["capacity_max_mw"].sum()
        out[f"china_{side}"] = {str(p): float(v / caps.sum()) for p, v in caps.items()}
    return out


def added_load_mw(draws, year: int, weights: Mapping[str, Mapping[str, float]]) -> list[dict[str, float]]:
    """Per draw, the added data-centre load per province in ``year`` (see module docstring). [MW]"""
    col = list(draws.years).index(year)
    col0 = list(draws.years).index(BASE_YEAR)
    per_draw = [dict() for _ in range(draws.n_draws)]
    for side, w in weights.items():
        added_twh = np.maximum(draws.energy_twh[side][:, col] - draws.energy_twh[side][:, col0], 0.0)
        added_mw = added_twh * MWH_PER_TWH / HOURS_PER_YEAR
        for i, mw in enumerate(added_mw):
            for prov, frac in w.items():
                per_draw[i][prov] = per_draw[i].get(prov, 0.0) + float(mw * frac)
    return per_draw


def build_tasks(scenarios, years, draws, seed, resolution, supply_cases, source, demand_floor=0.0):
    """Baseline and draw tasks of the sweep, in a fixed order; plus each draw's added load [TWh/yr]."""
    weights = site_weights(source)
    tasks = []
    added_twh = {}
    for supply in supply_cases:
        for year in years:
            tasks.append(Task(f"baseline/{supply}/{year}", {
                "year": year, "ai_load_mw": {}, "peak_to_average_ratio": 1.0, "resolution": resolution,
                "supply": supply, "source": source,
                "demand_floor_growth_frac_per_year": demand_floor}))
    for s in scenarios:
        d = simulate_chunked(s, draws, seed)
        for year in years:
            loads = added_load_mw(d, year, weights)
            added_twh[(s.name, year)] = [sum(x.values()) * HOURS_PER_YEAR / MWH_PER_TWH for x in loads]
            for supply in supply_cases:
                for i, load in enumerate(loads):
                    tasks.append(Task(f"{supply}/{s.name}/{year}/draw{i}", {
                        "year": year, "ai_load_mw": load,
                        "peak_to_average_ratio": float(d.peak_to_average_ratio[i]),
                        "resolution": resolution, "supply": supply, "source": source,
                "demand_floor_growth_frac_per_year": demand_floor}))
    return tasks, added_twh


def _pct(values, q) -> float:
    return float(np.percentile(values, q)) if len(values) else float("nan")


def summarise(outcomes: list[TaskOutcome], scenarios, years, draws, supply_cases, added_twh):
    """Aggregate task outcomes into per-year adequacy figures and the first-year answer."""
    by_key = {o.key: o for o in outcomes}
    table: dict[str, dict[str, list[YearAdequacy]]] = {}
    first: dict[str, dict[str, int | None]] = {}
    for supply in supply_cases:
        table[supply], first[supply] = {}, {}
        for s in scenarios:
            rows = []
            for year in years:
                base = by_key[f"baseline/{supply}/{year}"]
                base_res = base.result if base.ok else None
                res = [by_key[f"{supply}/{s.name}/{year}/draw{i}"] for i in range(draws)]
                ok = [o.result for o in res if o.ok]
                unserved = np.array([r["unserved_energy_twh"] for r in ok])
                base_unserved = base_res["unserved_energy_twh"] if base_res else float("nan")
                base_curt = base_res["curtailment_twh"] if base_res else float("nan")
                short = unserved > SHORTAGE_TOL_TWH
                ai_short = (unserved - base_unserved) > SHORTAGE_TOL_TWH if base_res else short
                prov_count: dict[str, int] = {}
                for r in ok:
                    for p in r["provinces_short"]:
                        prov_count[p] = prov_count.get(p, 0) + 1
                n_ok = len(ok)
                rows.append(YearAdequacy(
                    year=year, draws_solved=n_ok, draws_failed=draws - n_ok,
                    added_load_p50_twh=round(_pct(added_twh[(s.name, year)], 50), 3),
                    added_load_p95_twh=round(_pct(added_twh[(s.name, year)], 95), 3),
                    shortage_probability_frac=float(short.mean()) if n_ok else float("nan"),
                    ai_shortage_probability_frac=float(np.mean(ai_short)) if n_ok else float("nan"),
                    unserved_energy_p50_twh=round(_pct(unserved, 50), 4),
                    unserved_energy_p95_twh=round(_pct(unserved, 95), 4),
                    baseline_unserved_energy_twh=round(base_unserved, 4),
                    hours_short_p50_h=_pct([r["hours_short_h"] for r in ok], 50),
                    provinces_short={p: round(c / n_ok, 3) for p, c in sorted(prov_count.items())},
                    reserve_margin_min_p50_frac=round(_pct([r["reserve_margin_min_frac"] for r in ok], 50), 4),
                    reserve_margin_min_p5_frac=round(_pct([r["reserve_margin_min_frac"] for r in ok], 5), 4),
                    curtailment_absorbed_p50_twh=round(
                        _pct([base_curt - r["curtailment_twh"] for r in ok], 50), 3),
                    baseline_curtailment_twh=round(base_curt, 3)))
            table[supply][s.name] = rows
            first[supply][s.name] = next((r.year for r in rows if r.ai_shortage_probability_frac >= 0.5), None)
    return table, first


def run_adequacy(years: list[int] | None = None, scenario_names: list[str] | None = None,
                 draws: int = DEFAULT_DRAWS, seed: int = 0, workers: int = 2, scheduler: str | None = None,
                 resolution: str = DEFAULT_RESOLUTION, supply_cases: list[str] | None = None,
                 source: str = "china", demand_floor_growth_frac_per_year: float = 0.0,
                 progress: bool = True) -> AdequacyResult:
    """Run the adequacy sweep (see the module docstring).

    Parameters
    ----------
    years : list of int
        Target years within 2024-2035. [yr]
    scenario_names : list of str
        Outlook scenarios (default: the four non-stress scenarios).
    draws : int
        Outlook draws per scenario and year (each one solve per supply case). [-]
    seed : int
        Master seed of the outlook draws.
    workers : int
        Dask LocalCluster workers; 0 = serial in this process.
    scheduler : str, optional
        Address of an existing Dask scheduler.
    resolution : str
        Grid time resolution.
    supply_cases : list of {"planned", "frozen"}
        Fleets to test (default both).
    source : {"china", "tiny"}
        Network: the 31-province model or the two-bus test system.
    demand_floor_growth_frac_per_year : float
        Optional floor on national base-demand growth after 2025, 0-0.15 (0: the provincial projections
        as they are). [1/yr]
    """
    t0 = time.perf_counter()
    years = check_years(years)
    check_draws(draws)
    check_workers(workers, scheduler)
    scenarios = resolve_scenarios(list(scenario_names or DEFAULT_SCENARIOS))
    supply_cases = list(supply_cases or SUPPLY_CASES)
    for sc in supply_cases:
        if sc not in SUPPLY_CASES:
            raise InputError("--supply", sc, f"one of {', '.join(SUPPLY_CASES)}")
    if source != "tiny":
        from computegrid.grid.network import parse_resolution

        parse_resolution(resolution)
    g = demand_floor_growth_frac_per_year
    if isinstance(g, bool) or not isinstance(g, (int, float)) or not 0.0 <= g <= 0.15:
        raise InputError("--demand-growth-floor", g, "a growth rate in [0, 0.15] per year")
    tasks, added = build_tasks(scenarios, years, draws, seed, resolution, supply_cases, source, float(g))
    from computegrid.grid.adequacy import solve_adequacy_case

    outcomes = run_sweep(solve_adequacy_case, tasks, workers=workers, scheduler=scheduler, progress=progress,
                         description="adequacy solves")
    table, first = summarise(outcomes, scenarios, years, draws, supply_cases, added)
    failures = [{"key": o.key, "error": o.error,
                 "params": {k: v for k, v in o.params.items() if k != "ai_load_mw"}
                 | {"ai_load_mw_total": round(sum(o.params.get("ai_load_mw", {}).values()), 1)}}
                for o in outcomes if not o.ok]
    return AdequacyResult(years, int(draws), int(seed), resolution, float(g), supply_cases, table, first, failures,
                          len(tasks), round(time.perf_counter() - t0, 2))
