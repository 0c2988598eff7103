"""Marginal emission factors of a solved dispatch, from the optimal basis (LP sensitivity).

The marginal emission factor of bus ``b`` in snapshot ``t`` is the change in system CO2
emissions for a small increment of load there, the rest of the problem unchanged:
``MEF_bt = dE / dd_bt`` [t/MWh], where ``E = sum_g,t w_t e_g p_gt`` (``w_t`` the snapshot
weighting [h], ``e_g`` the generator's intensity [t/MWh]) and ``d_bt`` the load [MW].

Method
------
A least-cost dispatch solved by the simplex method (HiGHS' default here) ends on an
optimal basis ``B``: the columns of the variables strictly between their bounds (the
marginal units: generators, storage units, corridors that can still move) and the slacks
of the constraints that do not bind. A small change ``delta`` of the right-hand side of row
``r`` moves only the basic variables, by ``B^-1 e_r delta``; the non-basic ones stay at their
bounds. Any linear function ``f = c'x`` of the solution then changes by ``c_B' B^-1 e_r
delta``, i.e. by ``y_r delta`` with ``y = B^-T c_B``, one back-substitution (BTRAN) with the
factorisation HiGHS already holds. With ``c`` = the cost vector this ``y`` is the row dual
(the locational price, PyPSA's ``marginal_price`` x ``w_t``); with ``c`` = the emission vector
it is the emissions' response to every row at once. The increment is thereby routed as the
optimum routes it: over corridors that are not congested, to the marginal generators in
other provinces, through storage into other hours (a hydro reservoir or pumped storage at the
margin shifts energy between snapshots, and the emissions change where the replaced energy
is made), and not at all through units at their limits. This is the "second objective on the
same basis" view; it equals solving the linear system of the basis for the change of every
output, without forming it.

Assumptions and limits
----------------------
- Small increments: the factor is exact while the basis stays optimal. A larger step (or a
  degenerate basis, where a basic variable already sits at a bound and the step would push it
  out) changes the basis: then the re-solved change differs; :func:`perturbation_factors`
  measures how often on a given network (docs/scheduling.md reports it).
- Dual degeneracy (ties in cost, e.g. two coal units with the same cost in different
  provinces) makes the optimal dispatch, and so the emissions' response, one of several equally
  cheap answers; the factor is that of the vertex the solver returned.
- Storage coupling across hours is part of the basis; cyclic state of charge makes a
  change in one hour reach any other hour of the year.
- The solve must end on a basis (simplex, or interior point with crossover): the factors are
  checked against the solver's own duals and refused otherwise.

Nothing here re-solves the network except :func:`perturbation_factors`, the check.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from computegrid.errors import ComputegridError
from computegrid.grid.carriers import LOAD_SHEDDING_CARRIER
from computegrid.grid.results import co2_t_per_mwh_output
from computegrid.grid.solve import reset_highs_threads

#: Name of PyPSA's nodal energy balance constraint (pypsa 1.x).
BALANCE = "Bus-nodal_balance"
#: Relative tolerance of the check that the basis reproduces the solver's row duals. [-]
DUAL_CHECK_RTOL = 1e-6


class BasisError(ComputegridError):
    """The solved network carries no usable simplex basis."""


def _highs(n):
    m = getattr(n, "model", None)
    h = getattr(m, "solver_model", None) if m is not None else None
    if h is None or type(h).__name__ != "Highs":
        raise BasisError("marginal emission factors need the network solved with HiGHS through linopy's "
                         "direct interface (solve_network's default)")
    return m, h


def emission_coefficients(n, m) -> np.ndarray:
    """Emissions per unit of every column of the solver's problem, in its column order. [t per MW
    in one snapshot, weighting included]"""
    var = m.variables["Generator-p"]
    lab = var.labels.transpose("snapshot", ...)
    gens = pd.Index(lab.coords[lab.dims[1]].values)
    g = n.generators.loc[gens]
    per = co2_t_per_mwh_output(n).reindex(gens).to_numpy(dtype=float, copy=True)
    per[(g.carrier == LOAD_SHEDDING_CARRIER).to_numpy()] = 0.0
    w = n.snapshot_weightings.generators.reindex(lab.coords["snapshot"].values).to_numpy()
    c = np.zeros(int(m._xCounter))
    labels = lab.values
    ok = labels >= 0
    c[labels[ok]] = (w[:, None] * per[None, :])[ok]
    return c[m.variables.label_index.vlabels]


def row_sensitivity(h, col_coef: np.ndarray) -> np.ndarray:
    """``y = B^-T c_B``: the change of ``c'x`` per unit change of each row's bound, on the optimal
    basis held by the HiGHS object ``h``. [unit of c per unit of the row]"""
    status, basic = h.getBasicVariables()
    if str(status) != "HighsStatus.kOk":
        raise BasisError("the solver holds no basis (solve with simplex or with crossover)")
    basic = np.asarray(basic)
    rhs = np.where(basic >= 0, col_coef[np.maximum(basic, 0)], 0.0)
    status, y = h.getBasisTransposeSolve(rhs)
    if str(status) != "HighsStatus.kOk":
        raise BasisError("the solver could not solve with its basis")
    return np.asarray(y)


def check_basis(h) -> None:
    """Raise :class:`BasisError` unless the basis reproduces the solver's row duals (so it is the
    basis of the reported optimum)."""
    cost = np.asarray(h.getLp().col_cost_)
    y = row_sensitivity(h, cost)
    dual = np.asarray(h.getSolution().row_dual)
    scale = max(1.0, float(np.abs(dual).max(initial=0.0)))
    if float(np.abs(y - dual).max(initial=0.0)) > DUAL_CHECK_RTOL * scale:
        raise BasisError("the solver's basis does not reproduce its duals (not a vertex solution)")


def balance_rows(n, m) -> tuple[np.ndarray, pd.Index]:
    """Solver row of each (snapshot, bus) nodal balance: ``snapshots x buses`` ints, and the buses."""
    lab = m.constraints[BALANCE].labels.transpose("snapshot", ...)
    buses = pd.Index(lab.coords[lab.dims[1]].values)
    pos = np.full(int(m._cCounter), -1, dtype=np.int64)
    cl = m.constraints.label_index.clabels
    pos[cl] = np.arange(len(cl))
    return pos[lab.values], buses


def marginal_emission_factors(n) -> pd.DataFrame:
    """Marginal emission factor per snapshot and bus of a solved network (see module docstring).

    Parameters
    ----------
    n : pypsa.Network
        Solved with :func:`computegrid.grid.solve.solve_network` (HiGHS simplex, direct interface),
        its linopy model and solver object still attached.

    Returns
    -------
    pandas.DataFrame
        ``snapshot x bus``: change in system emissions per MWh of extra load. [tCO2/MWh]

    Raises
    ------
    BasisError
        No basis, or a basis that does not reproduce the solver's duals.
    """
    m, h = _highs(n)
    check_basis(h)
    y = row_sensitivity(h, emission_coefficients(n, m))
    rows, buses = balance_rows(n, m)
    w = n.snapshot_weightings.generators.reindex(n.snapshots).to_numpy()
    # a row holds MW over the snapshot: one more MW there is w_t more MWh
    mef = np.where(rows >= 0, y[np.maximum(rows, 0)], np.nan) / w[:, None]
    return pd.DataFrame(mef, index=n.snapshots, columns=buses).reindex(columns=n.buses.index)


def perturbation_factors(n, samples, delta_mw) -> pd.DataFrame:
    """Check the factors by re-solving: add ``delta_mw`` of load at (snapshot, bus) and solve again.

    Each sample changes the bound of one nodal balance row of the solver's problem, re-solves it to
    optimality (dual simplex, warm-started from the optimal basis: the answer is the optimum of the
    perturbed problem whatever the start), reads the emissions, and restores the row.

    Parameters
    ----------
    n : pypsa.Network
        Solved as for :func:`marginal_emission_factors`.
    samples : sequence of (int, str)
        Snapshot position and bus.
    delta_mw : float or sequence of float
        Load added in each sample. [MW]

    Returns
    -------
    pandas.DataFrame
        One row per sample: ``snapshot``, ``bus``, ``delta_mw``, ``mef_basis_t_per_mwh`` (this
        module's factor), ``mef_resolve_t_per_mwh`` (emission change over energy added),
        ``price_resolve_cny_per_mwh`` (cost change over energy added), ``basis_changed`` (the
        re-solve needed simplex iterations).
    """
    m, h = _highs(n)
    mef = marginal_emission_factors(n)
    c = emission_coefficients(n, m)
    rows, buses = balance_rows(n, m)
    bpos = {b: i for i, b in enumerate(buses)}
    w = n.snapshot_weightings.generators.reindex(n.snapshots).to_numpy()
    lp = h.getLp()
    lo, up = np.asarray(lp.row_lower_), np.asarray(lp.row_upper_)
    x0 = np.asarray(h.getSolution().col_value)
    e0, obj0 = float(c @ x0), float(h.getInfo().objective_function_value)
    deltas = np.broadcast_to(np.asarray(delta_mw, dtype=float), (len(samples),))
    out = []
    for (t, bus), d in zip(samples, deltas):
        r = int(rows[t, bpos[bus]])
        h.changeRowBounds(r, lo[r] + d, up[r] + d)
        reset_highs_threads()
        h.run()
        if str(h.getModelStatus()) != "HighsModelStatus.kOptimal":
            raise ComputegridError(f"perturbed solve at {bus}, snapshot {t}: {h.getModelStatus()}")
        x1 = np.asarray(h.getSolution().col_value)
        obj1 = float(h.getInfo().objective_function_value)
        iters = h.getInfo().simplex_iteration_count  # of this run
        h.changeRowBounds(r, lo[r], up[r])
        reset_highs_threads()
        h.run()
        energy = d * w[t]
        out.append({"snapshot": n.snapshots[t], "bus": bus, "delta_mw": float(d),
                    "mef_basis_t_per_mwh": float(mef.iat[t, mef.columns.get_loc(bus)]),
                    "mef_resolve_t_per_mwh": float(c @ x1 - e0) / energy,
                    "price_resolve_cny_per_mwh": (obj1 - obj0) / energy,
                    "basis_changed": bool(iters > 0)})
    return pd.DataFrame(out)
