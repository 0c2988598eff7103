"""Results of a solved (co-planning) network: cost, emissions, curtailment, prices, signals.

Every function takes a solved ``pypsa.Network`` and returns energy in MWh over the modelled
horizon (callers annualise with :func:`annual_factor`), power in MW, or mass in t.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from computegrid.grid.coplan import DC_CARRIER, SHED_CARRIER, snapshot_hours
from computegrid.units import HOURS_PER_YEAR

#: Carriers whose unused availability counts as curtailment (grid model names; ``wind`` for toys).
VRE_CARRIERS = ("onwind", "offwind", "solar", "wind")


def annual_factor(n) -> float:
    """Factor from the modelled horizon to one year (8,760 h over the snapshot hours). [-]"""
    return HOURS_PER_YEAR / float(snapshot_hours(n).sum())


def _p_nom(n) -> pd.Series:
    g = n.generators
    return g.p_nom_opt.where(g.p_nom_extendable, g.p_nom) if "p_nom_opt" in g else g.p_nom


def available_mw(n, gens: pd.Index) -> pd.DataFrame:
    """Available power of generators per snapshot: p_max_pu x p_nom (optimised where extendable). [MW]"""
    pmax = n.get_switchable_as_dense("Generator", "p_max_pu").reindex(columns=gens)
    return pmax * _p_nom(n).reindex(gens)


def curtailed_mw(n, carriers=VRE_CARRIERS) -> pd.DataFrame:
    """Unused wind and solar availability per snapshot and generator. [MW]"""
    gens = n.generators.index[n.generators.carrier.isin(carriers)]
    curt = available_mw(n, gens) - n.generators_t.p.reindex(columns=gens).fillna(0.0)
    return curt.clip(lower=0.0)


def curtailment_mwh(n, carriers=VRE_CARRIERS) -> pd.Series:
    """Curtailed wind and solar energy per generator over the horizon. [MWh]"""
    return curtailed_mw(n, carriers).mul(snapshot_hours(n), axis=0).sum()


def curtailed_by_bus_mw(n, carriers=VRE_CARRIERS) -> pd.DataFrame:
    """Curtailed wind and solar power per snapshot and bus. [MW]"""
    curt = curtailed_mw(n, carriers)
    return curt.T.groupby(n.generators.bus.reindex(curt.columns)).sum().T.reindex(columns=n.buses.index, fill_value=0.0)


def unserved_energy_mwh(n) -> float:
    """Energy shed by the load-shedding generators over the horizon. [MWh]"""
    gens = n.generators.index[n.generators.carrier == SHED_CARRIER]
    p = n.generators_t.p.reindex(columns=gens).fillna(0.0)
    return float(p.mul(snapshot_hours(n), axis=0).sum().sum())


def unserved_by_bus_mwh(n) -> pd.Series:
    """Energy shed per bus over the horizon. [MWh]"""
    gens = n.generators.index[n.generators.carrier == SHED_CARRIER]
    p = n.generators_t.p.reindex(columns=gens).fillna(0.0).mul(snapshot_hours(n), axis=0).sum()
    return p.groupby(n.generators.bus.reindex(gens)).sum()


def emissions_by_generator_t(n) -> pd.Series:
    """CO2 of each generator over the horizon: output / efficiency x carrier CO2 factor. [t]"""
    co2 = n.generators.carrier.map(n.carriers.co2_emissions).fillna(0.0)
    eff = n.generators.efficiency.replace(0, np.nan).fillna(1.0)
    energy = n.generators_t.p.reindex(columns=n.generators.index).fillna(0.0).clip(lower=0.0)
    return energy.mul(snapshot_hours(n), axis=0).sum() * co2 / eff


def emissions_t(n) -> float:
    """Total CO2 over the horizon. [t]"""
    return float(emissions_by_generator_t(n).sum())


def dc_consumption_mw(n) -> pd.DataFrame:
    """Facility power drawn by each data-centre site consumer per snapshot (positive). [MW]"""
    gens = n.generators.index[n.generators.carrier == DC_CARRIER]
    return -n.generators_t.p.reindex(columns=gens).fillna(0.0)


def marginal_price(n) -> pd.DataFrame:
    """Locational marginal price per snapshot and bus, per MWh. [CNY/MWh]"""
    return n.buses_t.marginal_price.reindex(columns=n.buses.index) / 1.0


def peak_net_load_mw(n, buses) -> float:
    """Peak over snapshots of load + data-centre draw - wind and solar output in ``buses``. [MW]"""
    buses = [b for b in buses if b in n.buses.index]
    if not buses:
        return float("nan")
    load = n.loads_t.p_set.reindex(columns=n.loads.index).fillna(0.0) if len(n.loads) else pd.DataFrame(index=n.snapshots)
    static = n.loads.p_set.reindex(load.columns).fillna(0.0)
    load = load.where(load.ne(0), static, axis=1) if len(n.loads) else load
    load_bus = load.T.groupby(n.loads.bus.reindex(load.columns)).sum().T.reindex(columns=buses, fill_value=0.0)
    dc = dc_consumption_mw(n)
    dc_bus = dc.T.groupby(n.generators.bus.reindex(dc.columns)).sum().T.reindex(columns=buses, fill_value=0.0)
    vre = n.generators.index[n.generators.carrier.isin(VRE_CARRIERS)]
    p = n.generators_t.p.reindex(columns=vre).fillna(0.0)
    vre_bus = p.T.groupby(n.generators.bus.reindex(vre)).sum().T.reindex(columns=buses, fill_value=0.0)
    net = (load_bus.reindex(n.snapshots).fillna(0.0) + dc_bus - vre_bus).sum(axis=1)
    return float(net.max())


def average_intensity_kg_per_mwh(n) -> pd.DataFrame:
    """Consumption-side average CO2 intensity per snapshot and bus. [kgCO2/MWh]

    Local generation (storage discharge counted as zero-carbon) serves local consumption first at
    its own intensity; the rest of the consumption (net imports) is counted at the national average
    intensity of the same snapshot (a simple proxy for flow tracing).
    """
    co2 = n.generators.carrier.map(n.carriers.co2_emissions).fillna(0.0)
    eff = n.generators.efficiency.replace(0, np.nan).fillna(1.0)
    gens = n.generators.index[~n.generators.carrier.isin([DC_CARRIER, SHED_CARRIER])]
    p = n.generators_t.p.reindex(columns=gens).fillna(0.0).clip(lower=0.0)
    em = p * (co2 / eff).reindex(gens) * 1e3  # kgCO2 per h
    bus = n.generators.bus.reindex(gens)
    buses = n.buses.index
    gen_bus = p.T.groupby(bus).sum().T.reindex(columns=buses, fill_value=0.0)
    if len(n.storage_units):
        s = n.storage_units_t.p.reindex(columns=n.storage_units.index).fillna(0.0).clip(lower=0.0)
        gen_bus = gen_bus.add(s.T.groupby(n.storage_units.bus).sum().T.reindex(columns=buses, fill_value=0.0))
    em_bus = em.T.groupby(bus).sum().T.reindex(columns=buses, fill_value=0.0)
    national = em.sum(axis=1) / gen_bus.sum(axis=1).replace(0, np.nan)
    load = pd.DataFrame(0.0, index=n.snapshots, columns=buses)
    if len(n.loads):
        lp = n.get_switchable_as_dense("Load", "p_set")
        load = load.add(lp.T.groupby(n.loads.bus).sum().T.reindex(columns=buses, fill_value=0.0))
    dc = dc_consumption_mw(n)
    if dc.shape[1]:
        load = load.add(dc.T.groupby(n.generators.bus.reindex(dc.columns)).sum().T.reindex(columns=buses, fill_value=0.0))
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
    price = marginal_price(n)
    g = n.generators[~n.generators.carrier.isin([DC_CARRIER, SHED_CARRIER])]
    co2 = g.carrier.map(n.carriers.co2_emissions).fillna(0.0) / g.efficiency.replace(0, np.nan).fillna(1.0)
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


def dispatch_by_carrier_mw(n) -> pd.DataFrame:
    """National dispatch per snapshot by carrier: generators and storage discharge (net). [MW]"""
    g = n.generators
    keep = g.index[~g.carrier.isin([DC_CARRIER])]
    p = n.generators_t.p.reindex(columns=keep).fillna(0.0)
    out = p.T.groupby(g.carrier.reindex(keep)).sum().T
    if len(n.storage_units):
        s = n.storage_units_t.p.reindex(columns=n.storage_units.index).fillna(0.0)
        out = out.add(s.T.groupby(n.storage_units.carrier).sum().T, fill_value=0.0)
    return out


def bus_coordinates(n) -> pd.DataFrame:
    """Bus coordinates (x = longitude, y = latitude). [deg]"""
    return n.buses[["x", "y"]].astype(float)
