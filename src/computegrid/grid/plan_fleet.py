"""Fleet of a target year for planning: scale the grid model's 2020 stock to national totals.

The grid model (:func:`computegrid.grid.network.build_network`) keeps the 2020 fleet for every demand
year. Planning 2030 on it would leave no wind or solar to curtail (2030 demand absorbs the 2020 stock),
so the planning scenario scales each carrier's generators uniformly to a national total for the target
year; each province keeps its 2020 share. Where a carrier grows, its must-run output stays at the
grid model's level in MW (the added capacity is flexible). The totals are scenario parameters with their sources in the
scenario file.
"""

from __future__ import annotations

from computegrid.errors import InputError
from computegrid.units import MW_PER_GW

#: Scenario key -> carriers of the grid model scaled together.
FLEET_CARRIERS = {
    "wind_capacity_gw": ("onwind", "offwind"),
    "solar_capacity_gw": ("solar",),
    "nuclear_capacity_gw": ("nuclear",),
    "coal_capacity_gw": ("coal",),
    "gas_capacity_gw": ("gas",),
}


def scale_fleet(n, capacity_gw: dict[str, float | None]) -> dict[str, float]:
    """Scale generator capacities per carrier group to national totals (in place).

    Parameters
    ----------
    n : pypsa.Network
        Network of the grid model.
    capacity_gw : dict
        Keys of :data:`FLEET_CARRIERS`; ``None`` keeps the network's capacity. [GW]

    Returns
    -------
    dict
        Scale factor applied per key. [-]
    """
    factors = {}
    for key, total_gw in capacity_gw.items():
        if key not in FLEET_CARRIERS:
            raise InputError(f"fleet.{key}", key, "allowed: " + ", ".join(FLEET_CARRIERS))
        if total_gw is None:
            continue
        sel = n.generators.carrier.isin(FLEET_CARRIERS[key])
        now = float(n.generators.loc[sel, "p_nom"].sum())
        if now <= 0:
            raise InputError(f"fleet.{key}", total_gw, "allowed: null (the network has none of this carrier)")
        f = total_gw * MW_PER_GW / now
        names = n.generators.index[sel]
        n.generators.loc[names, "p_nom"] = n.generators.loc[names, "p_nom"] * f
        if f > 1.0:
            # must-run stays at its 2020 level in MW (the grid model caps it below local demand); the
            # added capacity is flexible. Scaling must-run with the fleet can exceed demand (infeasible).
            n.generators.loc[names, "p_min_pu"] = n.generators.loc[names, "p_min_pu"] / f
            cols = [c for c in names if c in n.generators_t.p_min_pu.columns]
            if cols:
                n.generators_t.p_min_pu[cols] = n.generators_t.p_min_pu[cols] / f
        factors[key] = f
    return factors
