"""Use case ``computegrid headroom``: how much constant flexible load each region can take without new
capacity, by the peak-load method of Norris et al. (2025) or on the grid model.

Composes: the user's load file (``io/load_file.py``) or China's bundled provincial demand, the formulas
of ``demand/headroom.py``, and for ``method="grid"`` the LP of ``grid/headroom.py``. Returns one typed
record whose ``to_json()`` is the command's JSON output.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from computegrid.demand.headroom import (
    DEFAULT_LIMITS_PCT,
    RegionHeadroom,
    curtailment_stats,
    headroom_table,
    load_factor,
)
from computegrid.errors import InputError
from computegrid.units import PERCENT_PER_FRAC

#: Base year of the bundled grid data; the command's default ``--year``: 2024, whose demand is the official
#: 2024 provincial consumption (:func:`computegrid.grid.inputs.base_year_demand_mw`) and whose grid method
#: runs on the validated 2024 base-year network (:func:`computegrid.grid.base_year.base_year_network`).
BASE_YEAR = 2024
#: Methods of ``--method``.
METHODS = ("peak", "grid")
#: Default time resolution of the grid method (docs/headroom.md, "Grid method"): daily means. 124 solves
#: take minutes at 24h on two shared cores, against 40-250 s per solve at 3h; for Anhui the 3h answer was
#: 1.2 % lower at 0.25 % and 0.1 % lower at 5 % (45,386 vs 45,954 MW; 56,072 vs 56,147 MW).
GRID_RESOLUTION = "24h"
#: Source line printed with results from the bundled data (the year's annual totals: :data:`ANNUAL_SOURCE`).
CHINA_SOURCE = ("bundled hourly demand of the 31 provinces: the 2018 shape (NDRC data via pypsa-china-pik) "
                "scaled to each province's annual demand of {annual}; one year of data, so each threshold is "
                "that year's peak")
#: Where each year's provincial annual demand comes from.
ANNUAL_SOURCE = {"base": "2024 (NBS provincial consumption scaled to NEA's national 9,852.1 TWh; "
                         "demand_annual_2024_mwh.csv)",
                 "projection": "the year (pypsa-china-pik Provincial_Load_2020_2060_MWh)"}


@dataclass(frozen=True)
class HeadroomResult:
    """Headroom of every region at each limit (``to_json()`` is the output of ``headroom --json``).

    Attributes
    ----------
    method : str
        ``"peak"`` or ``"grid"``.
    year : int or None
        Demand year (None for a user's load file).
    limits_pct : list of float
        Curtailment limits. [%]
    regions : list of RegionHeadroom
    kinds : list of str
        ``"province"``, ``"regional-grid"`` or ``"region"`` (a column of the user's file), per region.
    total_headroom_mw : list of float
        Sum over the provinces (China) or over the file's regions, one per limit. [MW]
    source : str
    notes : list of str
    runtime_s : float
        Wall time. [s]
    extra : dict
        Method-specific figures (peak on China: each regional grid's sum of its provinces' headrooms;
        grid: resolution, build and solve times, the cost of a curtailed MWh of new load in its second
        stage, peak-method headroom).
    """

    method: str
    year: int | None
    limits_pct: list
    regions: list
    kinds: list
    total_headroom_mw: list
    source: str
    notes: list
    runtime_s: float
    extra: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        """The JSON object of ``computegrid headroom --json`` (non-finite numbers become null)."""
        regions = []
        for r, kind in zip(self.regions, self.kinds):
            entry = {"region": r.region, "kind": kind}
            entry.update({k: v for k, v in asdict(r).items() if k != "region"})
            regions.append(entry)
        return {"method": self.method, "year": self.year, "limits_pct": self.limits_pct, "regions": regions,
                "total_headroom_mw": self.total_headroom_mw, "source": self.source, "notes": self.notes,
                "runtime_s": self.runtime_s, **self.extra}


def validate_limits_pct(limits) -> list[float]:
    """Curtailment limits as floats in (0, 100) [%]; :class:`InputError` naming the first bad one."""
    out = []
    for value in limits:
        try:
            pct = float(value)
        except (TypeError, ValueError):
            raise InputError("--limits", value, "percentages in (0, 100), e.g. 0.25 0.5 1 5") from None
        if not (math.isfinite(pct) and 0.0 < pct < 100.0):
            raise InputError("--limits", value, "percentages in (0, 100), e.g. 0.25 0.5 1 5")
        out.append(pct)
    if not out:
        raise InputError("--limits", "", "at least one percentage in (0, 100)")
    return out


def china_load_mw(year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Hourly load of the 31 provinces and of the 7 regional grids (sums of their provinces).

    Returns
    -------
    provinces, grids : pandas.DataFrame
        ``timestamp x province`` and ``timestamp x regional grid``. [MW]
    """
    from computegrid.datasets.grid import DEMAND_YEARS
    from computegrid.datasets.grid_base_year import BASE_YEARS
    from computegrid.datasets.regional_grids import REGIONAL_GRIDS, load_regional_grids
    from computegrid.grid.inputs import base_year_demand_mw

    if not DEMAND_YEARS[0] <= int(year) <= DEMAND_YEARS[-1]:
        raise InputError("--year", year, f"a year from {DEMAND_YEARS[0]} to {DEMAND_YEARS[-1]}")
    # a base year's own demand (the grid method's network has the same): 2024 is the official provincial
    # consumption, not the projection
    provinces = base_year_demand_mw(int(year), base_year=int(year) if int(year) in BASE_YEARS else 2020)
    grid_of = load_regional_grids().reindex(provinces.columns)
    grids = provinces.T.groupby(grid_of).sum().T[list(REGIONAL_GRIDS)]
    return provinces, grids


def china_source(year: int) -> str:
    """The source line of results on the bundled demand of ``year``."""
    return CHINA_SOURCE.format(annual=ANNUAL_SOURCE["base" if int(year) == 2024 else "projection"])


def peak_headroom(load_mw: pd.DataFrame, limits_pct) -> list[RegionHeadroom]:
    """The published method on every column of ``timestamp x region`` load [MW]."""
    idx = pd.DatetimeIndex(load_mw.index)
    return headroom_table(load_mw.to_numpy(dtype=float), [str(c) for c in load_mw.columns],
                          idx.month.to_numpy(), idx.year.to_numpy(),
                          [p / PERCENT_PER_FRAC for p in limits_pct])


def compute_headroom(year: int = BASE_YEAR, load_file=None, limits_pct=DEFAULT_LIMITS_PCT,
                     method: str = "peak", resolution: str = GRID_RESOLUTION) -> HeadroomResult:
    """Headroom of a user's regions or of China's provinces and regional grids.

    Parameters
    ----------
    year : int
        Demand year of the bundled data (ignored with ``load_file``).
    load_file : path, optional
        Hourly load CSV (``timestamp`` and one column per region in MW).
    limits_pct : sequence of float
        Curtailment limits in (0, 100). [%]
    method : {"peak", "grid"}
        The published peak-load method, or the dispatch LP of the grid model (China only).
    resolution : str
        Time resolution of the grid method, ``"<N>h"``.

    Returns
    -------
    HeadroomResult
    """
    start = time.perf_counter()
    limits = validate_limits_pct(limits_pct)
    if method not in METHODS:
        raise InputError("--method", method, "one of " + ", ".join(METHODS))
    if load_file is not None:
        if method == "grid":
            raise InputError("--method", method, "peak with --load-file (the grid method runs China's grid "
                                                 "model on the bundled data)")
        from computegrid.io.load_file import read_hourly_load

        load = read_hourly_load(load_file)
        rows = peak_headroom(load, limits)
        idx = pd.DatetimeIndex(load.index)
        return HeadroomResult("peak", None, limits, rows, ["region"] * len(rows), _total(rows, len(limits)),
                              f"load file {getattr(load_file, 'name', load_file)}: {len(load):,} hours "
                              f"({idx[0]} to {idx[-1]}), {len(set(idx.year))} calendar year(s)",
                              [], time.perf_counter() - start)
    return _china(int(year), limits, method, resolution, start)


def _china(year: int, limits: list, method: str, resolution: str, start: float) -> HeadroomResult:
    provinces, grids = china_load_mw(year)
    prov_rows = peak_headroom(provinces, limits)
    if method == "peak":
        rows = prov_rows + peak_headroom(grids, limits)
        kinds = ["province"] * len(prov_rows) + ["regional-grid"] * (len(rows) - len(prov_rows))
        notes = ["regional grids are the sums of their provinces' hourly load, treated as one balancing "
                 "area each; total_headroom_mw sums the 31 provinces"]
        return HeadroomResult("peak", year, limits, rows, kinds, _total(prov_rows, len(limits)),
                              china_source(year), notes, time.perf_counter() - start,
                              {"regional_grid_sum_of_provinces_mw": _grid_sums(prov_rows, len(limits))})
    rows, extra = _grid_rows(year, resolution, provinces, limits, prov_rows)
    notes = ["grid method: each province alone gets the new load (the others none); the total is the sum "
             "of these separate answers, not a simultaneous addition; no regional grids",
             f"grid method: curtailment is placed by a second solve at the headroom, the least-cost dispatch "
             f"with each curtailed MWh of new load at {extra['curtailment_cost_cny_per_mwh']:,.0f} CNY (the "
             "packaged sites' value of lost compute); it does not change the headroom or the curtailed energy",
             f"grid method at {resolution}: curtailed hours and events come in whole steps; every MW of the "
             "fleet counts as available (no outages, no reserves): an upper bound"]
    return HeadroomResult("grid", year, limits, rows, ["province"] * len(rows), _total(rows, len(limits)),
                          china_source(year), notes, time.perf_counter() - start, extra)


def _grid_sums(prov_rows, n_limits: int) -> dict:
    """Per regional grid, the sum of its provinces' own headrooms (one per limit). [MW]"""
    from computegrid.datasets.regional_grids import REGIONAL_GRIDS, load_regional_grids

    grid_of = load_regional_grids()
    return {g: _total([r for r in prov_rows if grid_of.get(r.region) == g], n_limits) for g in REGIONAL_GRIDS}


def _total(rows, n_limits: int) -> list[float]:
    return [float(sum(r.headroom_mw[i] for r in rows)) for i in range(n_limits)]


def curtailment_cost_cny_per_mwh() -> float:
    """Cost of a MWh of curtailed new load in the grid method's second stage. [CNY/MWh]

    The new load stands for an AI data centre, so a curtailed MWh loses the compute it would have done:
    the median over the packaged sites (``datasets/data/grid/sites.csv``) of their accelerators'
    hardware annuity per hour over PUE, as the plan prices a grid-responsive site's curtailment
    (:func:`computegrid.services.plan.inputs.curtailment_cost_cny_per_mwh`): 5,568 CNY/MWh (250,000
    CNY/kW of IT over 5 years at 7 %, PUE 1.25). It is above every fuel cost of the grid model.
    """
    from computegrid.datasets.grid import load_sites
    from computegrid.services.plan.inputs import curtailment_cost_cny_per_mwh as site_cost
    from computegrid.services.plan.inputs import site_capex_cny_per_mw_per_year

    sites = load_sites().copy()
    sites["capex_cny_per_mw_per_year"] = site_capex_cny_per_mw_per_year(sites)
    return float(site_cost(sites).median())


def _grid_rows(year: int, resolution: str, provinces: pd.DataFrame, limits, peak_rows):
    from computegrid.grid.headroom import HeadroomModel
    from computegrid.grid.network import parse_resolution

    kind, step = parse_resolution(resolution)
    if kind != "hours":
        raise InputError("--resolution", resolution, "'<N>h' for the grid method (N divides 8760)")
    cost = curtailment_cost_cny_per_mwh()
    model = HeadroomModel.for_year(year, resolution, curtailment_cost_cny_per_mwh=cost)
    snaps = pd.DatetimeIndex(model.network.snapshots)
    rows, solve_s = [], 0.0
    for prov, peak in zip(provinces.columns, peak_rows):
        heads, stats = [], []
        for pct in limits:
            res = model.solve(str(prov), pct / PERCENT_PER_FRAC)
            solve_s += res.runtime_s
            heads.append(res.headroom_mw)
            cur = np.clip(res.headroom_mw - res.served_mw, 0.0, None)
            cur[cur < 1e-6 * max(res.headroom_mw, 1.0)] = 0.0  # solver round-off is not curtailment
            stats.append(curtailment_stats(cur, res.headroom_mw, snaps.year.to_numpy(), float(step)))
        load = provinces[prov].to_numpy(dtype=float)
        rows.append(RegionHeadroom(
            region=str(prov), peak_mw=float(load.max()), load_factor=float(load_factor(load)),
            headroom_mw=heads, curtailed_hours_per_year=[s.curtailed_hours_per_year for s in stats],
            mean_event_duration_h=[s.mean_event_duration_h for s in stats],
            hours_retaining_50pct_frac=[s.hours_retaining_50pct_frac for s in stats],
            summer_threshold_mw=peak.summer_threshold_mw, winter_threshold_mw=peak.winter_threshold_mw,
            rate_at_zero_frac=float("nan")))
    extra = {"resolution": resolution, "build_s": model.build_s, "solve_s": solve_s,
             "curtailment_cost_cny_per_mwh": cost,
             "peak_method_headroom_mw": {r.region: r.headroom_mw for r in peak_rows}}
    return rows, extra


def write_report(result: HeadroomResult, folder) -> list:
    """Write the report of ``result`` (bar chart, map for China's provinces, HTML) into ``folder``.

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    from computegrid.report.headroom import write_headroom_report

    buses = corridors = None
    if "province" in result.kinds:
        from computegrid.datasets.grid import load_corridors, load_provinces

        buses, corridors = load_provinces(), load_corridors()
    return write_headroom_report(result, folder, buses, corridors)
