"""Figures of a solved co-planning network beyond the grid results: data-centre draw, peak net
load, average and marginal CO2 intensity per bus, and the corridors' shadow prices.

Generation, curtailment, emissions, unserved energy and prices come from
:mod:`computegrid.grid.results` (the one implementation). Every function takes a solved
``pypsa.Network`` and returns power in MW or intensity in kg/MWh; energies over the horizon are
annualised with :func:`~computegrid.grid.results.annual_factor`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from computegrid.grid.carriers import DC_CARRIER, LOAD_SHEDDING_CARRIER, NON_GENERATION_CARRIERS, VRE_CARRIERS
from computegrid.grid.results import (_by_bus, annual_factor, co2_t_per_mwh_output, load_by_bus_mw,
                                      marginal_prices_cny_per_mwh)


def dc_consumption_mw(n) -> pd.DataFrame:
    """Facility power drawn by each data-centre site consumer per snapshot (positive). [MW]"""
    gens = n.generators.index[n.generators.carrier == DC_CARRIER]
    return -n.generators_t.p.reindex(columns=gens).fillna(0.0)


def peak_net_load_mw(n, buses) -> float:
    """Peak over snapshots of load + data-centre draw - wind and solar output in ``buses``. [MW]"""
    buses = [b for b in buses if b in n.buses.index]
    if not buses:
        return float("nan")
    load_bus = load_by_bus_mw(n)[buses]
    dc_bus = _by_bus(dc_consumption_mw(n), n.generators.bus, buses)
    vre = n.generators.index[n.generators.carrier.isin(VRE_CARRIERS)]
    vre_bus = _by_bus(n.generators_t.p.reindex(columns=vre).fillna(0.0), n.generators.bus, buses)
    net = (load_bus + dc_bus - vre_bus).sum(axis=1)
    return float(net.max())


def average_intensity_kg_per_mwh(n) -> pd.DataFrame:
    """Consumption-side average CO2 intensity per snapshot and bus. [kgCO2/MWh]

    Local generation (storage discharge counted as zero-carbon) serves local consumption first at
    its own intensity; the rest of the consumption (net imports) is counted at the national average
    intensity of the same snapshot (a simple proxy for flow tracing).
    """
    gens = n.generators.index[~n.generators.carrier.isin(NON_GENERATION_CARRIERS)]
    p = n.generators_t.p.reindex(columns=gens).fillna(0.0).clip(lower=0.0)
    em = p * co2_t_per_mwh_output(n).reindex(gens) * 1e3  # kgCO2 per h
    buses = n.buses.index
    gen_bus = _by_bus(p, n.generators.bus, buses)
    if len(n.storage_units):
        s = n.storage_units_t.p.reindex(columns=n.storage_units.index).fillna(0.0).clip(lower=0.0)
        gen_bus = gen_bus.add(_by_bus(s, n.storage_units.bus, buses))
    em_bus = _by_bus(em, n.generators.bus, buses)
    national = em.sum(axis=1) / gen_bus.sum(axis=1).replace(0, np.nan)
    load = load_by_bus_mw(n) + _by_bus(dc_consumption_mw(n), n.generators.bus, buses)
    local_int = (em_bus / gen_bus.replace(0, np.nan))
    used = np.minimum(gen_bus, load)
    imports = (load - gen_bus).clip(lower=0.0)
    nat = pd.DataFrame(np.repeat(national.to_numpy()[:, None], len(buses), axis=1), index=n.snapshots, columns=buses)
    out = (used * local_int.fillna(0.0) + imports * nat) / (used + imports).replace(0, np.nan)
    out = out.where(out.notna(), local_int).where(lambda x: x.notna(), nat)
    return out.fillna(0.0)


def marginal_intensity_kg_per_mwh(n, price_tol_cny_per_mwh: float = 1.0) -> pd.DataFrame:
    """Marginal CO2 intensity per snapshot and bus (heuristic). [kgCO2/MWh]

    The generator setting the price is taken to be a dispatchable generator (not at a bound)
    whose marginal cost equals the bus price within ``price_tol``; a price near zero means
    wind, solar or hydro at the margin (0 kg/MWh). Where no generator matches (a storage unit
    or a congested corridor sets the price), the emission factor of the cheapest generator whose
    marginal cost is at or above the price is used.
    """
    price = marginal_prices_cny_per_mwh(n)
    g = n.generators[~n.generators.carrier.isin(NON_GENERATION_CARRIERS)]
    co2 = co2_t_per_mwh_output(n).reindex(g.index)
    mc = g.marginal_cost.astype(float)
    order = np.argsort(mc.to_numpy())
    mc_sorted = mc.to_numpy()[order]
    co2_sorted = co2.to_numpy()[order] * 1e3
    vals = price.to_numpy()
    pos = np.searchsorted(mc_sorted, vals - price_tol_cny_per_mwh)
    pos = np.clip(pos, 0, len(mc_sorted) - 1) if len(mc_sorted) else pos
    out = co2_sorted[pos] if len(mc_sorted) else np.zeros_like(vals)
    out = np.where(vals <= price_tol_cny_per_mwh, 0.0, out)
    return pd.DataFrame(out, index=price.index, columns=price.columns)


def corridor_value_cny_per_mw_per_year(n) -> pd.Series:
    """Shadow price of each corridor's capacity: sum over snapshots of |mu|, annualised. [CNY/MW/yr]"""
    m = getattr(n, "model", None)
    out = pd.Series(0.0, index=n.links.index)
    if m is None:
        return out
    for name in ("Link-fix-p-upper", "Link-fix-p-lower", "Link-ext-p-upper", "Link-ext-p-lower"):
        if name in m.constraints:
            dual = m.constraints[name].dual.to_pandas()
            if isinstance(dual, pd.DataFrame):
                out = out.add(dual.abs().sum(), fill_value=0.0)
    return (out * annual_factor(n)).rename("value_cny_per_mw_per_year")


def bus_coordinates(n) -> pd.DataFrame:
    """Bus coordinates (x = longitude, y = latitude). [deg]"""
    return n.buses[["x", "y"]].astype(float)


#: Keys of a cost breakdown, in the order they are reported.
COST_KEYS = ("it_capex", "facility_capex", "generation_capex", "storage_capex", "transmission_capex",
             "fuel", "carbon", "unserved")


def _objective_hours(n) -> pd.Series:
    return n.snapshot_weightings.objective.astype(float)


def _capex_cny(n, component: str, attr: str, exclude_carriers=()) -> float:
    """Capital cost x optimised capacity of the extendable components of one kind (as in PyPSA's
    objective, which counts the whole optimised capacity when the objective constant is left out). [CNY]"""
    df = getattr(n.components, component).static
    if df.empty or f"{attr}_opt" not in df:
        return 0.0
    ext = df[df[f"{attr}_extendable"].astype(bool) & ~df.carrier.isin(exclude_carriers)]
    return float((ext.capital_cost.astype(float) * ext[f"{attr}_opt"].astype(float)).sum())


def capacity_built_mw(n) -> dict[str, dict[str, float]]:
    """Capacity the solve built: optimised capacity of the extendable generators (``generation``),
    storage units (``storage``) and links (``transmission``) by carrier, data-centre consumers and
    load shedding left out; empty where nothing is extendable. The new HVDC corridors of the expansion
    carry the network's corridor carrier (``AC``, `grid/carriers.py: CORRIDOR_CARRIER`), so
    ``transmission`` is keyed ``AC``. [MW]"""
    out: dict[str, dict[str, float]] = {}
    for key, df in (("generation", n.generators), ("storage", n.storage_units), ("transmission", n.links)):
        if df.empty or "p_nom_opt" not in df:
            continue
        ext = df[df.p_nom_extendable.astype(bool) & ~df.carrier.isin((DC_CARRIER, LOAD_SHEDDING_CARRIER))]
        if len(ext):
            out[key] = {str(c): float(v) for c, v in ext.p_nom_opt.astype(float).groupby(ext.carrier).sum().items()}
    return out


def grid_cost_breakdown_cny(n, carbon_price_cny_per_t: float = 0.0) -> dict[str, float]:
    """Cost terms of a solved network over its horizon, each computed from the solution. [CNY]

    * ``generation_capex``: capital cost x optimised capacity of extendable generators (data-centre
      consumers and load shedding excluded);
    * ``storage_capex``: the same for storage units and stores;
    * ``transmission_capex``: the same for links and lines;
    * ``dc_capex``: the same for the data-centre site consumers (split into IT and facility by the
      caller, which knows the sites' cost parts);
    * ``carbon``: carbon price x CO2 of each generator's output
      (:func:`~computegrid.grid.results.co2_t_per_mwh_output`) x hours;
    * ``fuel``: the rest of the marginal cost of generators (marginal cost - carbon adder), plus the
      marginal, storage and spill costs of storage units and stores and the marginal cost of links;
    * ``unserved``: load-shedding output x its marginal cost (the value of lost load).

    The data-centre consumers' own marginal cost (``grid-responsive``: the value of the compute drawn)
    is left out; the caller prices the curtailed compute from the curtailed energy.

    Zero for a component class where nothing is extendable (today's grid without ``--expand``); the
    same keys fill in on a network with extendable generation, storage or transmission.
    """
    w = _objective_hours(n)
    g = n.generators
    p = n.generators_t.p.reindex(columns=g.index).fillna(0.0)
    mc = n.get_switchable_as_dense("Generator", "marginal_cost").reindex(columns=g.index)
    shed = g.index[g.carrier == LOAD_SHEDDING_CARRIER]
    dc = g.index[g.carrier == DC_CARRIER]
    gen = g.index.difference(shed).difference(dc)
    carbon_adder = co2_t_per_mwh_output(n).reindex(gen).fillna(0.0) * carbon_price_cny_per_t
    energy_w = p[gen].mul(w, axis=0)
    carbon = float((energy_w * carbon_adder).sum().sum())
    fuel = float((energy_w * mc[gen]).sum().sum()) - carbon
    if len(n.storage_units):
        su = n.storage_units_t
        for attr, series in (("marginal_cost", su.p_dispatch), ("marginal_cost_storage", su.state_of_charge),
                             ("spill_cost", su.spill)):
            if series is None or series.empty or attr not in n.storage_units:
                continue
            cost = n.get_switchable_as_dense("StorageUnit", attr).reindex(columns=series.columns).fillna(0.0)
            fuel += float((series.mul(w, axis=0) * cost).sum().sum())
    if len(n.stores):
        cost = n.get_switchable_as_dense("Store", "marginal_cost")
        fuel += float((n.stores_t.p.reindex(columns=cost.columns).fillna(0.0).mul(w, axis=0) * cost).sum().sum())
    if len(n.links):
        cost = n.get_switchable_as_dense("Link", "marginal_cost")
        fuel += float((n.links_t.p0.reindex(columns=cost.columns).fillna(0.0).mul(w, axis=0) * cost).sum().sum())
    unserved = float((p[shed].mul(w, axis=0) * mc[shed]).sum().sum())
    return {
        "generation_capex": _capex_cny(n, "Generator", "p_nom", (DC_CARRIER, LOAD_SHEDDING_CARRIER)),
        "storage_capex": _capex_cny(n, "StorageUnit", "p_nom") + _capex_cny(n, "Store", "e_nom"),
        "transmission_capex": _capex_cny(n, "Link", "p_nom") + _capex_cny(n, "Line", "s_nom"),
        "dc_capex": float((g.capital_cost.reindex(dc).astype(float)
                           * g.p_nom_opt.reindex(dc).astype(float)).sum()) if "p_nom_opt" in g and len(dc)
        and g.p_nom_extendable.reindex(dc).any() else 0.0,
        "fuel": fuel, "carbon": carbon, "unserved": unserved,
    }
