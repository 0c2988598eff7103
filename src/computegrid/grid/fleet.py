"""Fleet of a target year: scale the grid model's capacities to national totals (the one fleet scaling).

The grid model (:func:`computegrid.grid.network.build_network`) keeps the 2020 fleet for every demand
year. Planning or checking adequacy for a later year on it would leave no wind or solar to curtail
(later demand absorbs the 2020 stock), so :func:`scale_fleet` scales the generators and storage units of
each carrier group uniformly to a national total for the target year; each province keeps its 2020
share. Where a carrier grows, its must-run output stays at the grid model's level in MW (the added
capacity is flexible): the grid model caps must-run below local demand, and scaling it with the fleet
could exceed demand (infeasible). The totals are scenario parameters with their sources in the scenario
files (planning) or in :mod:`computegrid.supply.capacity_outlook` (adequacy).
"""

from __future__ import annotations

from collections.abc import Mapping

from computegrid.errors import InputError
from computegrid.grid.carriers import VRE_CARRIERS
from computegrid.units import MW_PER_GW

#: Planning scenario key (``fleet:`` block) -> carriers of the grid model scaled together.
FLEET_CARRIERS = {
    "wind_capacity_gw": ("onwind", "offwind"),
    "solar_capacity_gw": ("solar",),
    "nuclear_capacity_gw": ("nuclear",),
    "coal_capacity_gw": ("coal",),
    "gas_capacity_gw": ("gas",),
}


def scale_fleet(n, capacity_gw: Mapping[str, float | None], groups: Mapping[str, tuple[str, ...]] | None = None,
                *, spread_missing: bool = False) -> dict[str, float]:
    """Scale the generators and storage units of each carrier group to a national total (in place).

    Parameters
    ----------
    n : pypsa.Network
        Network of the grid model.
    capacity_gw : mapping
        Group key -> national target; ``None`` keeps the network's capacity. [GW]
    groups : mapping, optional
        Group key -> carriers scaled together (planning: :data:`FLEET_CARRIERS`). Default: each key is
        one carrier (adequacy: the keys of the capacity outlook).
    spread_missing : bool, default False
        Where the network has components of a carrier but no capacity, spread the target over them in
        proportion to each bus's wind + solar capacity (factor ``inf``); without, a group the network
        has none of is an :class:`~computegrid.errors.InputError` (with ``groups``) or skipped.

    Returns
    -------
    dict
        Scale factor applied per key. [-]
    """
    factors = {}
    vre = n.generators[n.generators.carrier.isin(VRE_CARRIERS)].groupby("bus").p_nom.sum()
    for key, target_gw in capacity_gw.items():
        if groups is not None and key not in groups:
            raise InputError(f"fleet.{key}", key, "allowed: " + ", ".join(groups))
        if target_gw is None:
            continue
        carriers = groups[key] if groups is not None else (key,)
        target_mw = target_gw * MW_PER_GW
        frames = [df for df in (n.generators, n.storage_units) if df.carrier.isin(carriers).any()]
        total = sum(float(df.loc[df.carrier.isin(carriers), "p_nom"].sum()) for df in frames)
        if total > 0:
            factors[key] = target_mw / total
            _scale(n, carriers, factors[key])
        elif spread_missing:
            if target_mw > 0 and vre.sum() > 0 and _spread(frames, carriers, target_mw, vre):
                factors[key] = float("inf")
        elif groups is not None:
            raise InputError(f"fleet.{key}", target_gw, "allowed: null (the network has none of this carrier)")
    return factors


def _scale(n, carriers: tuple[str, ...], f: float) -> None:
    """Multiply the capacity of the carriers' components by ``f``; keep must-run MW and scale hydro inflow."""
    gens = n.generators.index[n.generators.carrier.isin(carriers)]
    if len(gens):
        n.generators.loc[gens, "p_nom"] = n.generators.loc[gens, "p_nom"] * f
        if f > 1.0:
            n.generators.loc[gens, "p_min_pu"] = n.generators.loc[gens, "p_min_pu"] / f
            cols = [c for c in gens if c in n.generators_t.p_min_pu.columns]
            if cols:
                n.generators_t.p_min_pu.loc[:, cols] = n.generators_t.p_min_pu[cols] / f
    units = n.storage_units.index[n.storage_units.carrier.isin(carriers)]
    if len(units):
        n.storage_units.loc[units, "p_nom"] = n.storage_units.loc[units, "p_nom"] * f
        hydro = [c for c in units if n.storage_units.at[c, "carrier"] == "hydro"
                 and c in n.storage_units_t.inflow.columns]
        if hydro:
            n.storage_units_t.inflow.loc[:, hydro] = n.storage_units_t.inflow[hydro] * f


def _spread(frames, carriers: tuple[str, ...], target_mw: float, vre) -> bool:
    """Give components without capacity ``target_mw`` in proportion to their bus's VRE capacity."""
    spread = False
    for df in frames:
        sel = df.index[df.carrier.isin(carriers)]
        weights = vre.reindex(df.loc[sel, "bus"]).fillna(0.0).to_numpy()
        if weights.sum() > 0:
            df.loc[sel, "p_nom"] = target_mw * weights / weights.sum()
            spread = True
    return spread
