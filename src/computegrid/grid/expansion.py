"""Co-investment candidates of `computegrid plan --expand`: new wind, solar, batteries and corridors
near the data-centre sites, with annualised costs.
"""

from __future__ import annotations

import pandas as pd

from computegrid.facility.latency import great_circle_km
from computegrid.grid.carriers import VRE_CARRIERS
from computegrid.grid.coplan import horizon_frac


#: assumption: overnight cost and lifetime of new capacity in 2030 (CNY per kW; per kW and 1,000 km for
#: corridors), annualised at 7%/yr. Onshore wind 5,000, offshore 10,000, solar PV 3,000 CNY/kW
#: (round values within the 2023 ranges IRENA reports for China, "Renewable Power Generation Costs in
#: 2023" [secondary]); 2-hour battery 3,000 CNY/kW (1,500 CNY/kWh, assumption); UHV corridor about
#: 1,500 CNY/kW per 1,000 km (an 8 GW, 2,000 km +/-800 kV line costs about 20-25 bn CNY [secondary]).
EXPANSION_COSTS = {
    "onwind": (5_000.0, 25.0), "offwind": (10_000.0, 25.0), "solar": (3_000.0, 25.0),
    "battery": (3_000.0, 15.0), "corridor_per_1000km": (1_500.0, 40.0),
}
EXPANSION_DISCOUNT_RATE_FRAC = 0.07
#: assumption: new wind/solar near a site limited to three times today's stock at that bus.
EXPANSION_MAX_FACTOR = 3.0


def _annualised_cny_per_mw(capex_cny_per_kw: float, lifetime_yr: float) -> float:
    r = EXPANSION_DISCOUNT_RATE_FRAC
    return capex_cny_per_kw * 1e3 * r / (1.0 - (1.0 + r) ** (-lifetime_yr))


def expand_near_sites(n, buses) -> None:
    """Let the optimiser build new wind, solar, batteries at ``buses`` and corridors touching them.

    New capacity is added as separate extendable components (``"<name> new"``) beside the existing
    ones, so the objective counts only what is newly built: the wind/solar clones share the existing
    generators' availability profiles and may add up to ``EXPANSION_MAX_FACTOR - 1`` times today's
    capacity; new batteries (2 h) and parallel corridors are unbounded. Capital costs are those of
    the network where set, else :data:`EXPANSION_COSTS` (annualised, scaled to the horizon).
    """
    buses = set(buses)
    hf = horizon_frac(n)
    g = n.generators
    sel = g.index[g.bus.isin(buses) & g.carrier.isin(VRE_CARRIERS) & ~g.p_nom_extendable]
    for name in sel:
        carrier = g.at[name, "carrier"]
        cost = float(g.at[name, "capital_cost"]) or _annualised_cny_per_mw(*EXPANSION_COSTS[carrier]) * hf
        kw = {}
        if name in n.generators_t.p_max_pu.columns:
            kw["p_max_pu"] = n.generators_t.p_max_pu[name]
        else:
            kw["p_max_pu"] = float(g.at[name, "p_max_pu"])
        n.add("Generator", f"{name} new", bus=g.at[name, "bus"], carrier=carrier, p_nom_extendable=True,
              p_nom_max=max(float(g.at[name, "p_nom"]), 1.0) * (EXPANSION_MAX_FACTOR - 1.0),
              marginal_cost=float(g.at[name, "marginal_cost"]), capital_cost=cost, **kw)
    if "battery" not in n.carriers.index:
        n.add("Carrier", "battery", co2_emissions=0.0)
    new_b = sorted(buses)
    n.add("StorageUnit", pd.Index(new_b) + " battery new", bus=new_b, carrier="battery",
          p_nom_extendable=True, max_hours=2.0, efficiency_store=0.85 ** 0.5, efficiency_dispatch=0.85 ** 0.5,
          capital_cost=_annualised_cny_per_mw(*EXPANSION_COSTS["battery"]) * hf, cyclic_state_of_charge=True)
    li = n.links
    sel = li.index[(li.bus0.isin(buses) | li.bus1.isin(buses)) & ~li.p_nom_extendable]
    xy = n.buses[["x", "y"]].astype(float)
    for name in sel:
        a, b = li.at[name, "bus0"], li.at[name, "bus1"]
        length = float(li.at[name, "length"]) if "length" in li and li.at[name, "length"] > 0 else float(
            great_circle_km(xy.at[a, "y"], xy.at[a, "x"], xy.at[b, "y"], xy.at[b, "x"]))
        cost = float(li.at[name, "capital_cost"]) or (
            _annualised_cny_per_mw(*EXPANSION_COSTS["corridor_per_1000km"]) * length / 1000.0 * hf)
        n.add("Link", f"{name} new", bus0=a, bus1=b, carrier=li.at[name, "carrier"], p_min_pu=-1.0,
              p_nom_extendable=True, capital_cost=cost)
