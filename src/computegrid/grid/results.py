"""Results of a solved network: the one implementation of generation, curtailment, emissions,
unserved energy, prices and corridor use.

Used by grid validation, planning, adequacy, scheduling signals and the reports. Energies are
weighted by ``n.snapshot_weightings.generators`` (hours per snapshot), so they are totals over the
modelled horizon: annual for the grid model's full year, and annualised by callers with
:func:`annual_factor` for shorter horizons.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from computegrid.grid.carriers import DC_CARRIER, LOAD_SHEDDING_CARRIER, VRE_CARRIERS
from computegrid.units import HOURS_PER_YEAR, MWH_PER_TWH

#: Kept for callers of the grid results (same tuple as the carrier registry).
VARIABLE_RENEWABLES = VRE_CARRIERS


def snapshot_hours(n) -> pd.Series:
    """Weight of each snapshot in hours (``snapshot_weightings.generators``). [h]"""
    return n.snapshot_weightings.generators.astype(float)


def annual_factor(n) -> float:
    """Factor from the modelled horizon to one year (8,760 h over the snapshot hours). [-]"""
    return HOURS_PER_YEAR / float(snapshot_hours(n).sum())


def _by_bus(frame: pd.DataFrame, bus: pd.Series, buses) -> pd.DataFrame:
    """Columns of ``frame`` (components) summed per bus, one column per bus of ``buses``."""
    return frame.T.groupby(bus.reindex(frame.columns)).sum().T.reindex(columns=buses, fill_value=0.0)


def load_by_bus_mw(n) -> pd.DataFrame:
    """Total load per snapshot and bus (static and time-varying ``p_set``; every bus a column). [MW]"""
    if not len(n.loads):
        return pd.DataFrame(0.0, index=n.snapshots, columns=n.buses.index)
    return _by_bus(n.get_switchable_as_dense("Load", "p_set"), n.loads.bus, n.buses.index)


# -------------------------------------------------------------------- generation and curtailment

def generation_by_carrier_twh(n) -> pd.Series:
    """Energy supplied by carrier: generators and storage discharge (hydro, PHS, battery). [TWh]

    Load shedding is reported as carrier ``load-shedding`` (unserved energy).
    """
    w = snapshot_hours(n)
    gen = n.generators_t.p.mul(w, axis=0).sum().groupby(n.generators.carrier).sum()
    if len(n.storage_units):
        dis = n.storage_units_t.p.clip(lower=0).mul(w, axis=0).sum().groupby(n.storage_units.carrier).sum()
        gen = pd.concat([gen, dis]).groupby(level=0).sum()
    return (gen / MWH_PER_TWH).rename("generation_twh")


def p_nom_mw(n) -> pd.Series:
    """Capacity of every generator: optimised where extendable and solved, else ``p_nom``. [MW]"""
    g = n.generators
    return g.p_nom_opt.where(g.p_nom_extendable, g.p_nom) if "p_nom_opt" in g else g.p_nom


def available_mw(n, gens: pd.Index) -> pd.DataFrame:
    """Available power of generators per snapshot: ``p_max_pu x p_nom``. [MW]"""
    pmax = n.get_switchable_as_dense("Generator", "p_max_pu").reindex(columns=gens)
    return pmax * p_nom_mw(n).reindex(gens)


def curtailed_mw(n, carriers=VRE_CARRIERS) -> pd.DataFrame:
    """Unused availability per snapshot and generator of ``carriers`` (wind and solar). [MW]"""
    gens = n.generators.index[n.generators.carrier.isin(carriers)]
    curt = available_mw(n, gens) - n.generators_t.p.reindex(columns=gens).fillna(0.0)
    return curt.clip(lower=0.0)


def curtailment_mwh(n, carriers=VRE_CARRIERS) -> pd.Series:
    """Curtailed energy per generator over the horizon. [MWh]"""
    return curtailed_mw(n, carriers).mul(snapshot_hours(n), axis=0).sum()


def curtailed_by_bus_mw(n, carriers=VRE_CARRIERS) -> pd.DataFrame:
    """Curtailed power per snapshot and bus (every bus a column). [MW]"""
    return _by_bus(curtailed_mw(n, carriers), n.generators.bus, n.buses.index)


def curtailment_by_carrier(n, carriers=VRE_CARRIERS) -> pd.DataFrame:
    """Available, generated and curtailed energy of wind and solar (and hydro spill).

    Returns
    -------
    pandas.DataFrame
        Index carrier; ``available_twh``, ``generated_twh``, ``curtailed_twh`` [TWh], ``curtailment_frac`` [-].
    """
    gens = n.generators.index[n.generators.carrier.isin(carriers)]
    carrier = n.generators.carrier.reindex(gens)
    w = snapshot_hours(n)
    avail = available_mw(n, gens).mul(w, axis=0).sum().groupby(carrier).sum() / MWH_PER_TWH
    gen = generation_by_carrier_twh(n).reindex(avail.index).fillna(0.0)
    out = pd.DataFrame({"available_twh": avail.rename("available_twh"), "generated_twh": gen})
    out["curtailed_twh"] = curtailment_mwh(n, carriers).groupby(carrier).sum().reindex(out.index) / MWH_PER_TWH
    hydro = n.storage_units[n.storage_units.carrier == "hydro"].index
    if len(hydro):
        spill = n.storage_units_t.spill.reindex(columns=hydro).fillna(0.0).mul(w, axis=0).sum().sum()
        inflow = n.get_switchable_as_dense("StorageUnit", "inflow")[hydro].mul(w, axis=0).sum().sum()
        out.loc["hydro"] = [inflow / MWH_PER_TWH, (inflow - spill) / MWH_PER_TWH, spill / MWH_PER_TWH]
    out["curtailment_frac"] = out["curtailed_twh"] / out["available_twh"].where(out["available_twh"] > 0)
    return out


def curtailment_by_province(n, carrier: str) -> pd.DataFrame:
    """Available and curtailed energy of one carrier per bus. [TWh], [-]"""
    gens = n.generators.index[n.generators.carrier == carrier]
    bus = n.generators.bus.reindex(gens)
    w = snapshot_hours(n)
    df = pd.DataFrame({
        "available_twh": available_mw(n, gens).mul(w, axis=0).sum().groupby(bus).sum() / MWH_PER_TWH,
        "generated_twh": n.generators_t.p[gens].mul(w, axis=0).sum().groupby(bus).sum() / MWH_PER_TWH})
    df["curtailment_frac"] = 1 - df["generated_twh"] / df["available_twh"].where(df["available_twh"] > 0)
    return df


def dispatch_by_carrier_mw(n) -> pd.DataFrame:
    """National dispatch per snapshot by carrier: generators and storage discharge (net). [MW]"""
    g = n.generators
    keep = g.index[g.carrier != DC_CARRIER]
    out = n.generators_t.p.reindex(columns=keep).fillna(0.0).T.groupby(g.carrier.reindex(keep)).sum().T
    if len(n.storage_units):
        s = n.storage_units_t.p.reindex(columns=n.storage_units.index).fillna(0.0)
        out = out.add(s.T.groupby(n.storage_units.carrier).sum().T, fill_value=0.0)
    return out


# -------------------------------------------------------------------- emissions

def co2_t_per_mwh_output(n) -> pd.Series:
    """CO2 per MWh of each generator's output: carrier ``co2_emissions`` [tCO2/MWh of fuel] divided
    by the generator's ``efficiency`` (PyPSA's convention: fuel burned = output / efficiency). [t/MWh]

    The China model's carriers carry tCO2 per MWh supplied and its generators efficiency 1
    (``grid/parameters.py``), so there the factor is the carrier's.
    """
    co2 = n.generators.carrier.map(n.carriers.co2_emissions).fillna(0.0)
    return co2 / n.generators.efficiency.replace(0, np.nan).fillna(1.0)


def emissions_by_generator_t(n) -> pd.Series:
    """CO2 of each generator over the horizon: output / efficiency x carrier CO2 factor. [t]"""
    energy = n.generators_t.p.reindex(columns=n.generators.index).fillna(0.0).clip(lower=0.0)
    return energy.mul(snapshot_hours(n), axis=0).sum() * co2_t_per_mwh_output(n)


def emissions_t(n) -> float:
    """Total CO2 of the dispatch over the horizon (:func:`emissions_by_generator_t`). [t]"""
    return float(emissions_by_generator_t(n).sum())


def emission_factor_t_per_mwh(n) -> float:
    """National average CO2 per MWh generated (PHS and battery discharge and load shedding are not
    generation and are left out of the denominator). [tCO2/MWh]"""
    gen = generation_by_carrier_twh(n).drop(["PHS", "battery", LOAD_SHEDDING_CARRIER], errors="ignore")
    return emissions_t(n) / (gen.sum() * MWH_PER_TWH)


# -------------------------------------------------------------------- unserved energy

def _shedding(n) -> pd.DataFrame:
    gens = n.generators.index[n.generators.carrier == LOAD_SHEDDING_CARRIER]
    return n.generators_t.p.reindex(columns=gens).fillna(0.0)


def unserved_energy_mwh(n) -> float:
    """Energy shed by the load-shedding generators over the horizon. [MWh]"""
    return float(_shedding(n).mul(snapshot_hours(n), axis=0).sum().sum())


def unserved_energy_twh(n) -> float:
    """Energy shed by the load-shedding generators over the horizon. [TWh]"""
    return unserved_energy_mwh(n) / MWH_PER_TWH


def unserved_by_snapshot_mw(n) -> pd.Series:
    """National load shed per snapshot. [MW]"""
    return _shedding(n).sum(axis=1)


def unserved_by_bus_mwh(n) -> pd.Series:
    """Energy shed per bus (buses with a load-shedding generator) over the horizon. [MWh]"""
    p = _shedding(n).mul(snapshot_hours(n), axis=0).sum()
    return p.groupby(n.generators.bus.reindex(p.index)).sum()


# -------------------------------------------------------------------- prices and corridors

def marginal_prices_cny_per_mwh(n) -> pd.DataFrame:
    """Locational marginal price per snapshot and bus. [CNY/MWh]"""
    return n.buses_t.marginal_price.reindex(columns=n.buses.index).copy()


def corridor_use(n) -> pd.DataFrame:
    """Use of each corridor (link).

    Returns
    -------
    pandas.DataFrame
        Index link; ``capacity_mw`` [MW], ``flow_twh`` (sum of |flow|) [TWh], ``utilisation_frac`` (mean
        |flow| / capacity) [-], ``congested_frac`` (share of hours at >= 99% of capacity) [-],
        ``congestion_rent_cny`` (price difference x flow) [CNY]; sorted by congestion rent, then by
        ``congested_frac`` (flows at the limit without a price difference are degenerate, not congestion).
    """
    w = snapshot_hours(n)
    links = n.links
    flow = n.links_t.p0[links.index]
    absf = flow.abs()
    at_limit = absf.ge(0.99 * links.p_nom, axis=1)
    df = pd.DataFrame({
        "bus0": links.bus0, "bus1": links.bus1, "capacity_mw": links.p_nom,
        "flow_twh": absf.mul(w, axis=0).sum() / MWH_PER_TWH,
        "utilisation_frac": absf.mul(w, axis=0).sum() / (links.p_nom * w.sum()),
        "congested_frac": at_limit.mul(w, axis=0).sum() / w.sum(),
    })
    prices = n.buses_t.marginal_price
    if len(prices.columns):
        dp = prices[links.bus1].to_numpy() - prices[links.bus0].to_numpy()
        df["congestion_rent_cny"] = (dp * flow.to_numpy() * w.to_numpy()[:, None]).sum(axis=0)
        df["congestion_rent_cny"] = df["congestion_rent_cny"].abs()
        return df.sort_values(["congestion_rent_cny", "congested_frac"], ascending=False)
    return df.sort_values(["congested_frac", "utilisation_frac"], ascending=False)


def energy_balance_twh(n) -> dict[str, float]:
    """Demand, generation, storage losses and unserved energy of the horizon. [TWh]"""
    w = snapshot_hours(n)
    demand = float(n.loads_t.p_set.mul(w, axis=0).sum().sum()) / MWH_PER_TWH
    gen = generation_by_carrier_twh(n)
    charge = float((-n.storage_units_t.p.clip(upper=0)).mul(w, axis=0).sum().sum()) / MWH_PER_TWH \
        if len(n.storage_units) else 0.0
    return {"demand_twh": demand, "supply_twh": float(gen.sum()), "storage_charge_twh": charge,
            "unserved_twh": float(gen.get(LOAD_SHEDDING_CARRIER, 0.0)),
            "imbalance_twh": float(gen.sum()) - charge - demand}
