"""Results of a solved network: generation, curtailment, emissions, prices, corridor use.

All energies are weighted by ``n.snapshot_weightings.generators`` (hours per snapshot), so they are annual
totals whatever the time resolution.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pypsa

from computegrid.grid.parameters import LOAD_SHEDDING_CARRIER
from computegrid.units import MWH_PER_TWH

VARIABLE_RENEWABLES = ("onwind", "offwind", "solar")


def _w(n: pypsa.Network) -> pd.Series:
    return n.snapshot_weightings.generators


def generation_by_carrier_twh(n: pypsa.Network) -> pd.Series:
    """Annual electricity supplied by carrier: generators and storage discharge (hydro, PHS, battery). [TWh]

    Load shedding is reported as carrier ``load-shedding`` (unserved energy).
    """
    w = _w(n)
    gen = n.generators_t.p.mul(w, axis=0).sum().groupby(n.generators.carrier).sum()
    if len(n.storage_units):
        dis = n.storage_units_t.p.clip(lower=0).mul(w, axis=0).sum().groupby(n.storage_units.carrier).sum()
        gen = pd.concat([gen, dis]).groupby(level=0).sum()
    return (gen / MWH_PER_TWH).rename("generation_twh")


def available_by_carrier_twh(n: pypsa.Network, carriers=VARIABLE_RENEWABLES) -> pd.Series:
    """Energy wind and solar could have produced (p_nom x p_max_pu), by carrier. [TWh]"""
    g = n.generators[n.generators.carrier.isin(carriers)]
    pmax = n.get_switchable_as_dense("Generator", "p_max_pu")[g.index]
    avail = pmax.mul(g.p_nom, axis=1).mul(_w(n), axis=0).sum().groupby(g.carrier).sum()
    return (avail / MWH_PER_TWH).rename("available_twh")


def curtailment_by_carrier(n: pypsa.Network, carriers=VARIABLE_RENEWABLES) -> pd.DataFrame:
    """Available, generated and curtailed energy of wind and solar (and hydro spill).

    Returns
    -------
    pandas.DataFrame
        Index carrier; ``available_twh``, ``generated_twh``, ``curtailed_twh`` [TWh], ``curtailment_frac`` [-].
    """
    avail = available_by_carrier_twh(n, carriers)
    gen = generation_by_carrier_twh(n).reindex(avail.index).fillna(0.0)
    out = pd.DataFrame({"available_twh": avail, "generated_twh": gen})
    hydro = n.storage_units[n.storage_units.carrier == "hydro"].index
    if len(hydro):
        spill = n.storage_units_t.spill.reindex(columns=hydro).fillna(0.0).mul(_w(n), axis=0).sum().sum()
        inflow = n.get_switchable_as_dense("StorageUnit", "inflow")[hydro].mul(_w(n), axis=0).sum().sum()
        out.loc["hydro"] = [inflow / MWH_PER_TWH, (inflow - spill) / MWH_PER_TWH]
    out["curtailed_twh"] = (out["available_twh"] - out["generated_twh"]).clip(lower=0.0)
    out["curtailment_frac"] = out["curtailed_twh"] / out["available_twh"].where(out["available_twh"] > 0)
    return out


def curtailment_by_province(n: pypsa.Network, carrier: str) -> pd.DataFrame:
    """Available and curtailed energy of one carrier per bus. [TWh], [-]"""
    g = n.generators[n.generators.carrier == carrier]
    pmax = n.get_switchable_as_dense("Generator", "p_max_pu")[g.index]
    avail = pmax.mul(g.p_nom, axis=1).mul(_w(n), axis=0).sum()
    gen = n.generators_t.p[g.index].mul(_w(n), axis=0).sum()
    df = pd.DataFrame({"available_twh": avail.groupby(g.bus).sum() / MWH_PER_TWH,
                       "generated_twh": gen.groupby(g.bus).sum() / MWH_PER_TWH})
    df["curtailment_frac"] = 1 - df["generated_twh"] / df["available_twh"].where(df["available_twh"] > 0)
    return df


def emissions_t(n: pypsa.Network) -> float:
    """Annual CO2 emissions of the dispatch (generators' carriers' ``co2_emissions``). [tCO2]"""
    factor = n.generators.carrier.map(n.carriers.co2_emissions).fillna(0.0)
    return float(n.generators_t.p.mul(_w(n), axis=0).sum().mul(factor).sum())


def unserved_energy_twh(n: pypsa.Network) -> float:
    """Energy shed by the ``load-shedding`` generators. [TWh]"""
    return float(generation_by_carrier_twh(n).get(LOAD_SHEDDING_CARRIER, 0.0))


def emission_factor_t_per_mwh(n: pypsa.Network) -> float:
    """National average CO2 per MWh generated (storage discharge and shedding excluded from the
    denominator only as far as they are not generation: PHS and battery discharge is excluded). [tCO2/MWh]"""
    gen = generation_by_carrier_twh(n).drop(["PHS", "battery", LOAD_SHEDDING_CARRIER], errors="ignore")
    return emissions_t(n) / (gen.sum() * MWH_PER_TWH)


def marginal_prices_cny_per_mwh(n: pypsa.Network) -> pd.DataFrame:
    """Locational marginal prices, ``snapshot x bus``. [CNY/MWh]"""
    return n.buses_t.marginal_price.copy()


def corridor_use(n: pypsa.Network) -> pd.DataFrame:
    """Use of each corridor (link).

    Returns
    -------
    pandas.DataFrame
        Index link; ``capacity_mw`` [MW], ``flow_twh`` (sum of |flow|) [TWh], ``utilisation_frac`` (mean
        |flow| / capacity) [-], ``congested_frac`` (share of hours at >= 99% of capacity) [-],
        ``congestion_rent_cny`` (price difference x flow) [CNY]; sorted by congestion rent, then by
        ``congested_frac`` (flows at the limit without a price difference are degenerate, not congestion).
    """
    w = _w(n)
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


def energy_balance_twh(n: pypsa.Network) -> dict[str, float]:
    """Demand, generation, storage losses and unserved energy of the year. [TWh]"""
    w = _w(n)
    demand = float(n.loads_t.p_set.mul(w, axis=0).sum().sum()) / MWH_PER_TWH
    gen = generation_by_carrier_twh(n)
    charge = float((-n.storage_units_t.p.clip(upper=0)).mul(w, axis=0).sum().sum()) / MWH_PER_TWH \
        if len(n.storage_units) else 0.0
    return {"demand_twh": demand, "supply_twh": float(gen.sum()), "storage_charge_twh": charge,
            "unserved_twh": float(gen.get(LOAD_SHEDDING_CARRIER, 0.0)),
            "imbalance_twh": float(gen.sum()) - charge - demand + (0.0 if np.isnan(demand) else 0.0)}
