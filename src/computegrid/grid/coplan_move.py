"""The operator's question on a planned grid: what moving constant AI load between two sites does.

The planned (co-optimised) network is taken as built: every extendable component is fixed at its
optimised capacity and every data-centre site at its planned hourly draw. The dispatch is then
re-solved twice, with the planned draws and with X MW moved; the differences are the marginal
(consequential) effects. The average effect uses each province's average CO2 intensity of the plan.
"""

from __future__ import annotations

import pandas as pd

from computegrid.grid.carriers import DC_CARRIER
from computegrid.grid.coplan_results import (average_intensity_kg_per_mwh, dc_consumption_mw,
                                             grid_cost_breakdown_cny)
from computegrid.grid.results import curtailment_mwh, emissions_t, snapshot_hours
from computegrid.grid.solve import optimize


def load_planned_network(path):
    """The solved co-optimised network of a run (``network.nc``)."""
    import pypsa

    return pypsa.Network(str(path))


def site_draws_mw(n) -> pd.DataFrame:
    """Facility power drawn by each site per snapshot in the planned network (columns: site). [MW]"""
    dc = dc_consumption_mw(n)
    dc.columns = [str(c).removeprefix("dc ") for c in dc.columns]
    return dc


def _fix_capacities(n) -> None:
    for comp, attr in (("Generator", "p_nom"), ("StorageUnit", "p_nom"), ("Link", "p_nom"), ("Store", "e_nom")):
        df = getattr(n.components, comp).static
        if df.empty or f"{attr}_extendable" not in df:
            continue
        ext = df.index[df[f"{attr}_extendable"].astype(bool)]
        if len(ext):
            df.loc[ext, attr] = df.loc[ext, f"{attr}_opt"]
            df.loc[ext, f"{attr}_extendable"] = False


def dispatch_with_draws(n, draws_mw: pd.DataFrame, carbon_price_cny_per_t: float,
                        solver_options: dict | None = None) -> dict[str, float]:
    """Re-solve the dispatch of the planned network ``n`` (copied) with the sites drawing ``draws_mw``.

    Returns
    -------
    dict
        Over the modelled horizon: ``operating_cost_cny`` (fuel + carbon + unserved energy),
        ``emissions_t``, ``curtailment_mwh``; and ``status``.
    """
    m = n.copy()
    _fix_capacities(m)
    gens = m.generators.index[m.generators.carrier == DC_CARRIER]
    draws = draws_mw.reindex(index=m.snapshots, columns=[g.removeprefix("dc ") for g in gens]).fillna(0.0)
    peak = draws.max().clip(lower=1.0)
    pu = -draws / peak
    pu.columns = gens
    m.generators.loc[gens, "p_nom"] = peak.to_numpy()
    m.generators.loc[gens, "capital_cost"] = 0.0
    m.generators_t.p_min_pu[gens] = pu
    m.generators_t.p_max_pu[gens] = pu
    status, _ = optimize(m, None, solver_options=solver_options)
    if status != "ok":
        return {"status": status}
    b = grid_cost_breakdown_cny(m, carbon_price_cny_per_t)
    return {"status": "ok", "operating_cost_cny": b["fuel"] + b["carbon"] + b["unserved"],
            "emissions_t": emissions_t(m), "curtailment_mwh": float(curtailment_mwh(m).sum())}


def average_intensity_by_bus_kg_per_mwh(n) -> pd.Series:
    """Each province's average CO2 intensity of consumption in the plan, time-weighted. [kg/MWh]"""
    w = snapshot_hours(n)
    return average_intensity_kg_per_mwh(n).mul(w, axis=0).sum() / float(w.sum())
