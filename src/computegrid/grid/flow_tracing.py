"""Average (consumption-based) emission factors by flow tracing with proportional sharing.

Proportional sharing (J. Bialek, "Tracing the flow of electricity", IEE Proceedings -
Generation, Transmission and Distribution 143(4), 313-320, 1996): the power leaving a bus,
to its consumers or onward over corridors, is a uniform mix of the power entering it (local
generation and imports). So the intensity ``c_b`` of the power at bus ``b`` satisfies, per
snapshot,

    c_b (G_b + sum_a F_ab) = E_b + sum_a c_a F_ab

with ``G_b`` the power injected by the bus's generators and storage discharge [MW], ``E_b``
their emissions [t/h], ``F_ab >= 0`` the flow from bus ``a`` delivered to ``b`` [MW]. This is
one linear system ``(diag(P) - F') c = E`` per snapshot (``P`` = inflow to each bus); it is
non-singular where every bus with inflow has some of it consumed locally (the matrix is then
column diagonally dominant), and is solved for all snapshots at once (batched LU, numpy).

Assumptions (stated in docs/scheduling.md):

- storage discharge enters at zero intensity: the emissions of the energy stored were counted
  when it was generated, and the charging is a consumer at the bus's intensity then (hydro
  reservoirs are filled by natural inflow);
- corridors: the power delivered at the receiving end carries the sending bus's intensity
  (lossless corridors in this model);
- load shedding is not power: it is left out of the inflow;
- a bus with no inflow in a snapshot gets the national average intensity of that snapshot.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from computegrid.grid.carriers import LOAD_SHEDDING_CARRIER
from computegrid.grid.results import co2_t_per_mwh_output

#: Inflow below which a bus counts as having none. [MW]
MIN_INFLOW_MW = 1e-6


def bus_injections(n) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Power injected at each bus by generators and storage discharge, and its emissions.

    Returns
    -------
    injected_mw : DataFrame
        ``snapshot x bus``. [MW]
    emissions_t_per_h : DataFrame
        ``snapshot x bus``. [t/h]
    """
    buses = n.buses.index
    g = n.generators[n.generators.carrier != LOAD_SHEDDING_CARRIER]
    p = n.generators_t.p.reindex(columns=g.index).fillna(0.0).clip(lower=0.0)
    co2 = co2_t_per_mwh_output(n).reindex(g.index)
    em = p.mul(co2, axis=1).T.groupby(g.bus).sum().T.reindex(columns=buses, fill_value=0.0)
    inj = p.T.groupby(g.bus).sum().T.reindex(columns=buses, fill_value=0.0)
    if len(n.storage_units):
        s = n.storage_units_t.p.reindex(columns=n.storage_units.index).fillna(0.0).clip(lower=0.0)
        inj = inj.add(s.T.groupby(n.storage_units.bus).sum().T.reindex(columns=buses, fill_value=0.0))
    return inj.reindex(n.snapshots), em.reindex(n.snapshots)


def corridor_flows(n) -> np.ndarray:
    """Flow delivered from bus ``a`` to bus ``b`` per snapshot over all links: ``T x N x N``,
    ``>= 0``, rows the sending bus. [MW]"""
    buses = n.buses.index
    pos = {b: i for i, b in enumerate(buses)}
    T, N = len(n.snapshots), len(buses)
    F = np.zeros((T, N, N))
    if not len(n.links):
        return F
    p0 = n.links_t.p0.reindex(columns=n.links.index).fillna(0.0).to_numpy()
    p1 = n.links_t.p1.reindex(columns=n.links.index).fillna(0.0).to_numpy()
    i0 = n.links.bus0.map(pos).to_numpy()
    i1 = n.links.bus1.map(pos).to_numpy()
    t = np.arange(T)[:, None]
    # p0 > 0: withdrawn at bus0, -p1 delivered at bus1; p0 < 0: withdrawn at bus1 (p1 > 0), -p0 at bus0
    np.add.at(F, (t, i0[None, :], i1[None, :]), np.where(p0 > 0, np.maximum(-p1, 0.0), 0.0))
    np.add.at(F, (t, i1[None, :], i0[None, :]), np.where(p0 < 0, np.maximum(-p0, 0.0), 0.0))
    return F


def average_emission_factors(n) -> pd.DataFrame:
    """Consumption-based average emission factor per snapshot and bus (see module docstring).

    Parameters
    ----------
    n : pypsa.Network
        A solved network.

    Returns
    -------
    pandas.DataFrame
        ``snapshot x bus``: emissions of the power available at the bus over that power. [tCO2/MWh]
    """
    inj, em = bus_injections(n)
    F = corridor_flows(n)
    G, E = inj.to_numpy(), em.to_numpy()
    P = G + F.sum(axis=1)
    none = P < MIN_INFLOW_MW
    A = -np.swapaxes(F, 1, 2)
    idx = np.arange(A.shape[1])
    A[:, idx, idx] += np.where(none, 1.0, P)
    c = np.linalg.solve(A, E[..., None])[..., 0]
    total_g = G.sum(axis=1)
    national = np.divide(E.sum(axis=1), total_g, out=np.zeros_like(total_g), where=total_g > 0)
    c = np.where(none, national[:, None], c)
    return pd.DataFrame(np.clip(c, 0.0, None), index=n.snapshots, columns=n.buses.index)
