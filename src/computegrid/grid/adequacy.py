"""Adequacy solves: a target year's grid with its capacity growth and the outlook's AI load added.

Adapts the network of :func:`computegrid.grid.network.build_network` (which scales demand to the target
year from the provincial 2020-2060 projections and holds the 2020 fleet) to a target year's fleet by
scaling every carrier's provincial capacities to the national total of
:func:`computegrid.supply.capacity_outlook.national_capacity_gw` (assumption: growth keeps today's
provincial distribution; a carrier absent from the network, e.g. batteries in 2020, is spread in
proportion to provincial wind + solar capacity; added capacity is flexible: the base model's must-run
MW, which it caps at a share of local demand, is kept), adds the AI / data-centre load per province as a flat
load, and solves the dispatch with load shedding.

:func:`solve_adequacy_case` is the unit of work of the adequacy sweep: one solve, plain-data in and out,
with the prepared base network cached per worker process.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Mapping

import pandas as pd
import pypsa

from computegrid.grid import results as R
from computegrid.grid.carriers import LOAD_SHEDDING_CARRIER
from computegrid.grid.fleet import scale_fleet
from computegrid.supply.capacity_outlook import national_capacity_gw
from computegrid.units import MWH_PER_TWH

#: Unserved energy above this counts as a shortage (solver tolerance far below it). [TWh/yr]
SHORTAGE_TOL_TWH = 1e-4
NETWORK_SOURCES = ("china", "tiny")


def add_ai_load(n: pypsa.Network, ai_load_mw: Mapping[str, float]) -> None:
    """Add a flat AI / data-centre load ``"AI <bus>"`` per bus and widen load shedding to cover it.

    Parameters
    ----------
    ai_load_mw : mapping of bus -> float
        Mean added load per bus. [MW]
    """
    loads = {b: float(v) for b, v in ai_load_mw.items() if v > 0}
    unknown = sorted(set(loads) - set(n.buses.index))
    if unknown:
        raise ValueError(f"AI load at unknown buses: {', '.join(unknown)}")
    if loads:
        names = [f"AI {b}" for b in loads]
        n.add("Load", names, bus=list(loads), p_set=list(loads.values()), carrier="AI")
    shed = n.generators.index[n.generators.carrier == LOAD_SHEDDING_CARRIER]
    if len(shed):
        peak = R.load_by_bus_mw(n).max()
        buses = n.generators.loc[shed, "bus"]
        n.generators.loc[shed, "p_nom"] = (peak.reindex(buses).fillna(0.0).to_numpy() * 1.5 + 1.0)


def available_capacity_mw(n: pypsa.Network) -> pd.Series:
    """National capacity able to produce in each snapshot (generators x availability + storage). [MW]"""
    gens = n.generators.index[n.generators.carrier != LOAD_SHEDDING_CARRIER]
    return R.available_mw(n, gens).sum(axis=1) + float(n.storage_units["p_nom"].sum())


def adequacy_metrics(n: pypsa.Network, ai_load_mw: Mapping[str, float], peak_to_average_ratio: float) -> dict:
    """Shortage, reserve and curtailment figures of a solved network.

    Returns
    -------
    dict
        ``unserved_energy_twh`` [TWh/yr], ``hours_short_h`` [h/yr], ``provinces_short`` (buses with
        unserved energy), ``reserve_margin_min_frac`` (lowest over snapshots of (available capacity -
        load) / load, with the AI load at its peak = mean x ``peak_to_average_ratio``) [-],
        ``curtailment_twh`` [TWh/yr], ``ai_energy_twh`` [TWh/yr], ``demand_twh`` [TWh/yr].
    """
    w = R.snapshot_hours(n)
    shed_by_bus_mwh = R.unserved_by_bus_mwh(n)
    national_shed = R.unserved_by_snapshot_mw(n)
    tol_mw = SHORTAGE_TOL_TWH * MWH_PER_TWH / 8760.0
    load = R.load_by_bus_mw(n).sum(axis=1)
    ai_mean_mw = float(sum(v for v in ai_load_mw.values() if v > 0))
    load_peak_ai = load + ai_mean_mw * (peak_to_average_ratio - 1.0)
    reserve = (available_capacity_mw(n) - load_peak_ai) / load_peak_ai
    tol_bus_mwh = SHORTAGE_TOL_TWH * MWH_PER_TWH
    return {
        "unserved_energy_twh": float(shed_by_bus_mwh.sum() / MWH_PER_TWH),
        "hours_short_h": float(w[national_shed > tol_mw].sum()),
        "provinces_short": sorted(str(b) for b, v in shed_by_bus_mwh.items() if v > tol_bus_mwh),
        "reserve_margin_min_frac": float(reserve.min()),
        "curtailment_twh": float(R.curtailment_mwh(n).sum() / MWH_PER_TWH),
        "ai_energy_twh": ai_mean_mw * float(w.sum()) / MWH_PER_TWH,
        "demand_twh": float(load.mul(w).sum() / MWH_PER_TWH),
    }


def tiny_network(year: int = 2030, resolution: str = "24h") -> pypsa.Network:
    """A two-province test system whose shortages can be worked out by hand.

    East (``GD``): 50 GW flat demand, coal 40 GW + gas 10 GW; west (``NM``): 10 GW demand, coal 10 GW,
    onshore wind 40 GW at 50% availability (20 GW); one 5 GW corridor. One snapshot stands for the whole
    year (8,760 h). By hand: the east serves up to 55 GW of load (50 GW own + 5 GW import); the west's
    wind covers its own 10 GW and the 5 GW export, so 5 GW of wind (43.8 TWh/yr) are curtailed, and up
    to 5 GW of AI load in the west absorbs curtailed wind at no extra shortage. ``year`` and
    ``resolution`` are accepted for interface compatibility and ignored.
    """
    from computegrid.grid.network import add_load_shedding

    n = pypsa.Network(name="tiny adequacy test system")
    n.set_snapshots(pd.DatetimeIndex(["2020-01-01"]))
    n.snapshot_weightings.loc[:, :] = 8760.0
    for carrier in ("coal", "gas", "onwind", "AC"):
        n.add("Carrier", carrier)
    n.add("Bus", ["GD", "NM"])
    n.add("Load", ["GD", "NM"], bus=["GD", "NM"], p_set=[50_000.0, 10_000.0])
    n.add("Generator", "GD coal", bus="GD", carrier="coal", p_nom=40_000.0, marginal_cost=300.0)
    n.add("Generator", "GD gas", bus="GD", carrier="gas", p_nom=10_000.0, marginal_cost=600.0)
    n.add("Generator", "NM coal", bus="NM", carrier="coal", p_nom=10_000.0, marginal_cost=250.0)
    n.add("Generator", "NM onwind", bus="NM", carrier="onwind", p_nom=40_000.0, p_max_pu=0.5,
          marginal_cost=0.0)
    n.add("Link", "GD-NM", bus0="GD", bus1="NM", p_nom=5_000.0, p_min_pu=-1.0, carrier="AC")
    add_load_shedding(n, 30_000.0)
    return n


#: Year whose national demand anchors the optional demand-growth floor (the projections' 2025 column
#: holds the NBS 2024 provincial consumption).
DEMAND_FLOOR_REFERENCE_YEAR = 2025


def apply_demand_floor(n: pypsa.Network, year: int, growth_frac_per_year: float) -> float:
    """Raise the base demand to at least the reference year's national demand grown at a floor rate.

    The provincial projections put 2030 national demand (9,693 TWh) below 2025's (9,849 TWh = NBS 2024
    consumption); a floor growth rate makes the base demand of later years at least
    ``D_2025 x (1 + g)^(year - 2025)``, scaling every province alike.

    Returns
    -------
    float
        Factor applied to the base loads (1 if the projection is already above the floor). [-]
    """
    if growth_frac_per_year <= 0 or year <= DEMAND_FLOOR_REFERENCE_YEAR:
        return 1.0
    from computegrid.datasets.grid import annual_demand_mwh

    projected = float(annual_demand_mwh(year).sum())
    floor = float(annual_demand_mwh(DEMAND_FLOOR_REFERENCE_YEAR).sum()) * (
        1.0 + growth_frac_per_year) ** (year - DEMAND_FLOOR_REFERENCE_YEAR)
    factor = max(1.0, floor / projected)
    if factor > 1.0:
        cols = [c for c in n.loads.index if c in n.loads_t.p_set.columns]
        n.loads_t.p_set.loc[:, cols] = n.loads_t.p_set[cols] * factor
    return factor


@functools.lru_cache(maxsize=8)
def _base_network(source: str, year: int, resolution: str, supply: str,
                  demand_floor_growth_frac_per_year: float) -> pypsa.Network:
    if source == "tiny":
        return tiny_network(year, resolution)
    from computegrid.grid.network import build_network

    # empty_components: batteries (absent from the 2020 fleet) must exist to receive the target capacity
    n = build_network(year, resolution, empty_components=True)
    scale_fleet(n, national_capacity_gw(year, supply), spread_missing=True)
    apply_demand_floor(n, year, demand_floor_growth_frac_per_year)
    return n


def prepared_network(source: str, year: int, resolution: str, supply: str,
                     demand_floor_growth_frac_per_year: float = 0.0) -> pypsa.Network:
    """A fresh copy of the target year's network with its fleet (built once per process)."""
    if source not in NETWORK_SOURCES:
        raise ValueError(f"unknown network source {source!r}")
    return _base_network(source, int(year), str(resolution), str(supply),
                         float(demand_floor_growth_frac_per_year)).copy()


def solve_adequacy_case(year: int, ai_load_mw: Mapping[str, float], peak_to_average_ratio: float = 1.0,
                        resolution: str = "rep4", supply: str = "planned", source: str = "china",
                        demand_floor_growth_frac_per_year: float = 0.0, threads: int = 1) -> dict:
    """One adequacy solve: the year's grid and fleet plus an AI load; dispatch with load shedding.

    Parameters
    ----------
    year : int
        Target year. [yr]
    ai_load_mw : mapping of province -> float
        Mean AI / data-centre load added per province. [MW]
    peak_to_average_ratio : float
        AI peak / mean power, for the reserve margin. [-]
    resolution : str
        Time resolution of the grid model (``"24h"``, ``"rep4"``, ...).
    supply : {"planned", "frozen"}
        Fleet of the target year, or the end-2024 fleet.
    source : {"china", "tiny"}
        The 31-province model, or the two-bus test system.
    demand_floor_growth_frac_per_year : float
        Optional floor on base-demand growth after 2025 (:func:`apply_demand_floor`); 0 = projections
        as they are. [1/yr]
    threads : int
        HiGHS threads (1: the sweep parallelises over solves).

    Returns
    -------
    dict
        :func:`adequacy_metrics` plus ``status``, ``objective_cny`` and ``solve_s``.
    """
    from computegrid.grid.solve import solve_network

    t0 = time.perf_counter()
    n = prepared_network(source, year, resolution, supply, demand_floor_growth_frac_per_year)
    add_ai_load(n, ai_load_mw)
    result = solve_network(n, threads=threads, raise_on_failure=True)
    out = adequacy_metrics(n, ai_load_mw, peak_to_average_ratio)
    out.update(status=result.termination_condition, objective_cny=result.objective_cny,
               solve_s=round(time.perf_counter() - t0, 3))
    return out
