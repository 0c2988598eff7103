"""AI and data-centre electricity outlook: bottom-up and top-down paths, reconciled, Monte Carlo.

For each modelled region (world, China) and each draw of the uncertain parameters:

* **conventional** data-centre use grows at a rate that tapers like the AI growth below:
  ``d ln E_conv / dt = ln(1 + g_conv) x tau^(t - b - 1)``, from ``E0 (1 - s)`` in the base year;
* **top-down AI**: AI energy grows as compute demand over hardware efficiency,
  ``d ln E_ai / dt = (ln c0 - ln eta) x tau^(t - b - 1)``: compute demand grows ``c0``-fold a year,
  hardware does ``eta``-fold more per kWh, and the gap between the two tapers by ``tau`` a year
  (``tau`` < 1: growth slows towards zero as the sector matures, never turning into a decline;
  ``tau`` = 1 keeps it constant);
* **bottom-up AI**: a vintage model of accelerators shipped and in service (shipments, lifetime, board
  power) x host overhead x utilisation x PUE x 8,760 h (:func:`computegrid.workload.energy.fleet_energy_twh_per_year`);
* **reconciliation**: the published base-year level anchors the AI path (``E0 x s``); its year-on-year
  log growth is ``w x`` the bottom-up growth ``+ (1 - w) x`` the top-down growth up to the bottom-up
  horizon year (where shipment forecasts exist), and top-down alone after it. The ratio of the bottom-up
  level to the anchored level in the base year is reported as a consistency check
  (``outlook --calibrate``), not forced to 1.

China is split into the East-Data-West-Computing east and west sides by a west share that either
stays at today's stock (``china_split: stock``) or moves linearly to the policy target by the target
year (``china_split: targets``). Average power is energy / 8,760 h; peak power is average power x a
drawn peak-to-average ratio.

Everything is vectorised over draws x years with numpy; a draw's randomness comes from a
``numpy.random.SeedSequence`` keyed by (seed, scenario name, chunk), so results do not depend on which
other scenarios run or on how chunks are spread over workers.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from computegrid.demand.fleet import installed_fleet
from computegrid.demand.scenarios import REGION_PARAMETERS, SCENARIO_PARAMETERS, Scenario
from computegrid.errors import InputError
from computegrid.units import HOURS_PER_YEAR, MWH_PER_TWH, MW_PER_GW
from computegrid.workload.energy import fleet_energy_twh_per_year

#: Years the outlook reports (issue 5: 2024-2035).
OUTLOOK_YEARS = tuple(range(2024, 2036))
PERCENTILES = (5.0, 50.0, 95.0)
DEFAULT_CHUNK_DRAWS = 100_000


def energy_twh_to_avg_power_gw(energy_twh):
    """Mean power of an annual energy. [TWh/yr] -> [GW]"""
    return energy_twh * MWH_PER_TWH / HOURS_PER_YEAR / MW_PER_GW


@dataclass(frozen=True)
class OutlookDraws:
    """Monte Carlo draws of one scenario.

    Attributes
    ----------
    scenario : str
        Scenario name.
    years : numpy.ndarray, shape (Y,)
        Reported years. [yr]
    energy_twh : dict of str -> numpy.ndarray, shape (n, Y)
        Data-centre electricity use (AI and conventional) per reported region. [TWh/yr]
    ai_energy_twh : dict of str -> numpy.ndarray, shape (n, Y)
        The AI part of it. [TWh/yr]
    peak_to_average_ratio : numpy.ndarray, shape (n,)
        Drawn peak/average power ratio. [-]
    bottom_up_ratio_base : dict of str -> numpy.ndarray, shape (n,)
        Bottom-up AI level / anchored AI level in the base year (consistency check). [-]
    """

    scenario: str
    years: np.ndarray
    energy_twh: Mapping[str, np.ndarray]
    ai_energy_twh: Mapping[str, np.ndarray]
    peak_to_average_ratio: np.ndarray
    bottom_up_ratio_base: Mapping[str, np.ndarray]

    @property
    def n_draws(self) -> int:
        return int(self.peak_to_average_ratio.shape[0])

    def avg_power_gw(self, region: str) -> np.ndarray:
        """Mean data-centre power per draw and year. [GW]"""
        return energy_twh_to_avg_power_gw(self.energy_twh[region])

    def peak_power_gw(self, region: str) -> np.ndarray:
        """Peak data-centre power per draw and year. [GW]"""
        return self.avg_power_gw(region) * self.peak_to_average_ratio[:, None]


def scenario_seed(seed: int, scenario: str, chunk: int = 0) -> np.random.SeedSequence:
    """The seed sequence of one (scenario, chunk): independent of other scenarios and workers."""
    return np.random.SeedSequence(entropy=int(seed), spawn_key=(zlib.crc32(scenario.encode()), int(chunk)))


def sample_parameters(scenario: Scenario, n_draws: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Draw every parameter of a scenario, in a fixed order: ``{"<region>.<param>" | "<param>": (n,)}``."""
    out: dict[str, np.ndarray] = {}
    for region in scenario.regions:
        for pname in REGION_PARAMETERS:
            out[f"{region}.{pname}"] = scenario.regions[region][pname].sample(rng, n_draws)
    for pname in SCENARIO_PARAMETERS:
        out[pname] = scenario.scenario_params[pname].sample(rng, n_draws)
    return out


def median_parameters(scenario: Scenario) -> dict[str, np.ndarray]:
    """Every parameter at its median, as one-draw arrays (the deterministic central path)."""
    out: dict[str, np.ndarray] = {}
    for region in scenario.regions:
        for pname in REGION_PARAMETERS:
            out[f"{region}.{pname}"] = np.array([scenario.regions[region][pname].median()])
    for pname in SCENARIO_PARAMETERS:
        out[pname] = np.array([scenario.scenario_params[pname].median()])
    return out


def region_paths_twh(p: Mapping[str, np.ndarray], region: str, years: np.ndarray, base_year: int,
                     fleet_base_year: int, horizon_year: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Conventional and AI data-centre energy of one region for all draws and years.

    Parameters
    ----------
    p : mapping of str -> numpy.ndarray, shape (n,)
        Drawn parameters (keys ``<region>.<name>``, see :data:`REGION_PARAMETERS`).
    region : str
        ``world`` or ``china``.
    years : numpy.ndarray of int, shape (Y,)
        Model years; the first must be ``base_year``. [yr]
    base_year, fleet_base_year, horizon_year : int
        Anchor year of the published level, reference year of the fleet parameters, last year the
        bottom-up growth is used. [yr]

    Returns
    -------
    conv_twh, ai_twh : numpy.ndarray, shape (n, Y)
        Conventional and AI data-centre electricity use. [TWh/yr]
    bu_ratio_base : numpy.ndarray, shape (n,)
        Bottom-up AI level / anchored AI level in the base year. [-]
    """
    g = {name: p[f"{region}.{name}"][:, None] for name in REGION_PARAMETERS}
    k = (years - base_year)[None, :].astype(float)
    e0 = g["base_energy_twh"]
    share = g["ai_share_base_frac"]
    # growth rates decay by the taper factor each year; cumulative factor sum_{j<k} tau^j
    tau = g["growth_taper_frac_per_year"]
    k_prev = np.maximum(k - 1.0, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        geom = np.where(np.abs(1.0 - tau) < 1e-12, k, (1.0 - tau ** k) / (1.0 - tau))
    conv = e0 * (1.0 - share) * np.exp(np.log1p(g["conventional_growth_frac_per_year"]) * geom)
    # top-down log growth per year (0 in the base year)
    d_td = ((np.log(g["compute_growth_factor_per_year"]) - np.log(g["efficiency_gain_factor_per_year"]))
            * g["growth_taper_frac_per_year"] ** k_prev)
    d_td = np.where(k > 0, d_td, 0.0)
    # bottom-up: installed board power x overhead x utilisation x PUE x 8,760 h
    n_units, board_w = installed_fleet(years, fleet_base_year, p[f"{region}.accelerators_shipped_base_units"],
                                        p[f"{region}.shipment_growth_frac_per_year"],
                                        p[f"{region}.lifetime_years"], p[f"{region}.board_power_base_w"],
                                        p[f"{region}.board_power_growth_frac_per_year"])
    bu = fleet_energy_twh_per_year(n_units, board_w * g["server_overhead_factor"], g["utilisation_frac"],
                                   g["pue"])
    log_bu = np.log(bu)
    d_bu = np.zeros_like(log_bu)
    d_bu[:, 1:] = np.diff(log_bu, axis=1)
    weight = np.where(years[None, :] <= horizon_year, g["bottom_up_weight_frac"], 0.0)
    ai = e0 * share * np.exp(np.cumsum(weight * d_bu + (1.0 - weight) * d_td, axis=1))
    return conv, ai, bu[:, 0] / (e0[:, 0] * share[:, 0])


def china_west_share_frac(p: Mapping[str, np.ndarray], years: np.ndarray, scenario: Scenario) -> np.ndarray:
    """West-side share of China's data-centre electricity per draw and year. [-]

    ``stock``: today's share throughout; ``targets``: linear from today's share in 2024 to the target
    share in ``china_west_target_year``, constant after.
    """
    today = p["china_west_share_today_frac"][:, None]
    if scenario.china_split == "stock":
        return np.broadcast_to(today, (today.shape[0], years.size))
    target = p["china_west_share_target_frac"][:, None]
    start = OUTLOOK_YEARS[0]
    span = max(scenario.china_west_target_year - start, 1)
    ramp = np.clip((years[None, :] - start) / span, 0.0, 1.0)
    return today + (target - today) * ramp


def simulate_parameters(scenario: Scenario, p: Mapping[str, np.ndarray],
                        years: tuple[int, ...] = OUTLOOK_YEARS) -> OutlookDraws:
    """Run the outlook model on given parameter draws (see the module docstring)."""
    report_years = np.asarray(years, dtype=int)
    start = min(scenario.base_year, int(report_years[0]))
    if scenario.base_year > report_years[0]:
        raise InputError(f"{scenario.name}.base_year", scenario.base_year,
                         f"a base year <= the first reported year {report_years[0]}")
    model_years = np.arange(start, int(report_years[-1]) + 1)
    cols = np.searchsorted(model_years, report_years)
    energy, ai, ratio = {}, {}, {}
    for region in scenario.regions:
        conv, ai_twh, bu_ratio = region_paths_twh(p, region, model_years, scenario.base_year,
                                                  scenario.fleet_base_year, scenario.bottom_up_horizon_year)
        energy[region] = (conv + ai_twh)[:, cols]
        ai[region] = ai_twh[:, cols]
        ratio[region] = bu_ratio
    west = china_west_share_frac(p, report_years, scenario)
    for side, share in (("china_west", west), ("china_east", 1.0 - west)):
        energy[side] = energy["china"] * share
        ai[side] = ai["china"] * share
    return OutlookDraws(scenario.name, report_years, energy, ai,
                        np.asarray(p["peak_to_average_ratio"], dtype=float), ratio)


def check_draws(n_draws: object, field: str = "--draws") -> int:
    """Validate a number of draws (a positive integer)."""
    if isinstance(n_draws, bool) or not isinstance(n_draws, (int, np.integer)) or n_draws <= 0:
        raise InputError(field, n_draws, "a whole number of draws > 0")
    return int(n_draws)


def simulate(scenario: Scenario, n_draws: int, seed: int = 0, chunk: int = 0,
             years: tuple[int, ...] = OUTLOOK_YEARS) -> OutlookDraws:
    """Monte Carlo draws of one scenario (one chunk), vectorised over draws x years.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario.
    n_draws : int
        Draws in this chunk. [-]
    seed : int, default 0
        Master seed; with the scenario name and ``chunk`` it fixes every draw.
    chunk : int, default 0
        Chunk index (for splitting a large run into independent, reproducible pieces).
    years : tuple of int
        Reported years. [yr]
    """
    n = check_draws(n_draws)
    rng = np.random.default_rng(scenario_seed(seed, scenario.name, chunk))
    return simulate_parameters(scenario, sample_parameters(scenario, n, rng), years)


def simulate_chunked(scenario: Scenario, n_draws: int, seed: int = 0,
                     chunk_draws: int = DEFAULT_CHUNK_DRAWS,
                     years: tuple[int, ...] = OUTLOOK_YEARS) -> OutlookDraws:
    """Draws of one scenario in chunks of ``chunk_draws`` (chunk c seeded by (seed, name, c)), joined."""
    n = check_draws(n_draws)
    parts = [simulate(scenario, min(chunk_draws, n - start), seed, c, years)
             for c, start in enumerate(range(0, n, chunk_draws))]
    if len(parts) == 1:
        return parts[0]
    return concat_draws(parts)


def concat_draws(parts: list[OutlookDraws]) -> OutlookDraws:
    """Join chunks of the same scenario in chunk order."""
    first = parts[0]
    cat = lambda attr: {r: np.concatenate([getattr(x, attr)[r] for x in parts]) for r in getattr(first, attr)}
    return OutlookDraws(first.scenario, first.years, cat("energy_twh"), cat("ai_energy_twh"),
                        np.concatenate([x.peak_to_average_ratio for x in parts]), cat("bottom_up_ratio_base"))


def central_path(scenario: Scenario, years: tuple[int, ...] = OUTLOOK_YEARS) -> OutlookDraws:
    """The deterministic path with every parameter at its median (one 'draw')."""
    return simulate_parameters(scenario, median_parameters(scenario), years)


def percentiles(values: np.ndarray, q: tuple[float, ...] = PERCENTILES) -> dict[str, np.ndarray]:
    """Percentiles over draws (axis 0): ``{"p5": (Y,), "p50": ..., "p95": ...}``."""
    # percentiles along a contiguous axis: several times faster than partitioning strided columns
    out = np.percentile(np.ascontiguousarray(np.asarray(values).T), q, axis=1)
    return {f"p{q_:g}": out[i] for i, q_ in enumerate(q)}


def implied_growth_frac_per_year(start_value, end_value, years: float):
    """Constant annual growth rate that turns ``start_value`` into ``end_value`` over ``years``. [1/yr]"""
    return (np.asarray(end_value, dtype=float) / start_value) ** (1.0 / years) - 1.0


# -------------------------------------------------------------------- result records

@dataclass(frozen=True)
class BandStats:
    """P5/P50/P95 of one quantity per reported year (lists aligned with ``years``)."""

    p5: list[float]
    p50: list[float]
    p95: list[float]


@dataclass(frozen=True)
class RegionOutlook:
    """Percentiles of one region's data-centre load. Units: [TWh/yr] and [GW]."""

    energy_twh: BandStats
    ai_energy_twh: BandStats
    avg_power_gw: BandStats
    peak_power_gw: BandStats


@dataclass(frozen=True)
class ScenarioOutlook:
    """One scenario's outlook: the selected region's bands plus every reported region."""

    description: str
    china_split: str
    energy_twh: BandStats
    ai_energy_twh: BandStats
    avg_power_gw: BandStats
    peak_power_gw: BandStats
    by_region: dict[str, RegionOutlook]


@dataclass(frozen=True)
class OutlookResult:
    """Result of :func:`run_outlook`."""

    region: str
    years: list[int]
    draws: int
    seed: int
    scenarios: dict[str, ScenarioOutlook]
    runtime_s: float


def _band(values: np.ndarray) -> BandStats:
    pc = percentiles(values)
    return BandStats(*(np.round(pc[k], 4).tolist() for k in ("p5", "p50", "p95")))


def region_outlook(draws: OutlookDraws, region: str) -> RegionOutlook:
    """Percentile bands of one region from a scenario's draws."""
    return RegionOutlook(_band(draws.energy_twh[region]), _band(draws.ai_energy_twh[region]),
                         _band(draws.avg_power_gw(region)), _band(draws.peak_power_gw(region)))
