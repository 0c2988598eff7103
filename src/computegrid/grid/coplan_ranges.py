"""Near-optimal ranges of the co-optimised plan: how far each site's capacity can move while the
system cost stays within a tolerance of the optimum (degeneracy of the LP).

After the co-planning LP is solved with the dual simplex, its HiGHS model is still in memory
(linopy's ``solver_model``). The cost is a convex function of one site's capacity, so its range within a
tolerance is an interval around the optimum, and an end of the interval is a bound of the site's capacity
column (its lower bound, ``p_nom_min``: 0 for the plan's sites; or its cap) whenever the plan with the
capacity fixed there is within the tolerance. That is tried first:
one bound change and a dual simplex from the optimal basis per site and end (seconds; on the default
plan 3.5 s and 0.5 s against 20-47 s for an exact extreme). Only the ends not settled so are found
exactly: one row bounds the objective, ``c'x <= z* + tol x |z*|``, the costs are replaced by +/- the
site's capacity column, and the primal simplex re-runs from the current basis (which stays primal
feasible).
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

#: Tolerances of the near-optimal ranges: 0.1 % of the optimal cost (the issue's band), and "the
#: same cost" up to a relative 1e-6 (assumption: far below any input's accuracy, above the simplex
#: optimality tolerance of 1e-7).
RANGE_TOL_FRAC = 1e-3
TIE_TOL_FRAC = 1e-6
#: Wall-clock budget of all re-solves of one plan (assumption: keeps `computegrid plan` at rep12
#: within its time target; a range not finished in it is reported as unknown). [s]
RANGE_TIME_BUDGET_S = 15.0


def _column_index(m, var_name: str, dim: str, labels) -> np.ndarray:
    """HiGHS column of each entry of a linopy variable (linopy passes the columns in the order of
    ``m.matrices.vlabels``)."""
    vl = np.asarray(m.matrices.vlabels)
    want = m[var_name].labels.sel({dim: list(labels)}).to_numpy().ravel()
    pos = np.searchsorted(vl, want)
    if not np.array_equal(vl[np.clip(pos, 0, len(vl) - 1)], want):
        raise RuntimeError(f"{var_name}: column not found in the solver model")
    return pos.astype(np.int32)


def _extreme(h, j: int, sense: float, t_end: float) -> float:
    """Minimise (``sense`` 1) or maximise (-1) column ``j`` from the current basis; NaN if the time
    budget is spent or the solve does not end optimal."""
    import highspy

    from computegrid.grid.solve import reset_highs_threads  # here: the scenario module reads this one's constants

    left = t_end - time.perf_counter()
    if left <= 0:
        return float("nan")
    h.changeColCost(j, sense)
    h.setOptionValue("time_limit", float(left))
    reset_highs_threads()
    h.run()
    ok = h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    value = float(h.getSolution().col_value[j]) if ok else float("nan")
    h.changeColCost(j, 0.0)
    return value


def _cost_at_bound(h, j: int, lower: float, upper: float, basis, t_end: float) -> float:
    """Optimal cost with column ``j`` held in ``[lower, upper]``, from the optimal ``basis`` (dual simplex:
    a bound change keeps it dual feasible); NaN if the time budget is spent or the bounds cannot be set
    (e.g. not finite), +inf if infeasible."""
    import highspy

    from computegrid.grid.solve import reset_highs_threads

    left = t_end - time.perf_counter()
    if left <= 0 or not (np.isfinite(lower) or np.isfinite(upper)):
        return float("nan")
    lp = h.getLp()
    lb0, ub0 = float(lp.col_lower_[j]), float(lp.col_upper_[j])
    h.setBasis(basis)
    if h.changeColBounds(j, lower, upper) != highspy.HighsStatus.kOk:
        h.changeColBounds(j, lb0, ub0)
        return float("nan")
    h.setOptionValue("time_limit", float(left))
    reset_highs_threads()
    h.run()
    status = h.getModelStatus()
    if status == highspy.HighsModelStatus.kOptimal:
        value = float(h.getInfo().objective_function_value)
    elif status == highspy.HighsModelStatus.kInfeasible:
        value = float("inf")
    else:
        value = float("nan")
    h.changeColBounds(j, lb0, ub0)
    return value


def capacity_ranges_mw(n, consumer_names: pd.Index, pue: pd.Series,
                       tolerances=(TIE_TOL_FRAC, RANGE_TOL_FRAC),
                       time_budget_s: float = RANGE_TIME_BUDGET_S,
                       capacity_max_mw: pd.Series | None = None) -> pd.DataFrame:
    """Smallest and largest IT capacity of each given site over the plans whose cost is within each
    tolerance of the optimum. [MW]

    Parameters
    ----------
    n : pypsa.Network
        Solved with the dual simplex through linopy's direct HiGHS interface; its model not released.
    consumer_names : pandas.Index
        Generators of the sites to range (``"dc <site>"``), in the order of ``pue``.
    pue : pandas.Series
        PUE of those sites (index: site). [-]
    tolerances : tuple of float
        Relative cost tolerances, tightest first. [-]
    time_budget_s : float
        Wall-clock budget for all re-solves; those that do not finish in it give NaN. [s]
    capacity_max_mw : pandas.Series, optional
        IT capacity cap of those sites (index: site); the upper end tried first. Without it only the
        column's lower bound is tried first. [MW]

    Returns
    -------
    pandas.DataFrame
        Index site; columns ``min_mw_<tol>``, ``max_mw_<tol>`` for each tolerance (NaN where a re-solve
        did not end optimal or in time), and ``cost_at_lower_frac``, ``cost_at_cap_frac``: the relative
        rise of the optimal cost with the capacity held at its column's lower bound (``p_nom_min``, which
        need not be 0) and at its cap (NaN where not solved, +inf where infeasible). [MW], [-]
    """
    import highspy

    m = n.model
    h = m.solver_model
    cols = _column_index(m, "Generator-p_nom", "name", consumer_names)
    lp = h.getLp()
    cost = np.asarray(lp.col_cost_, dtype=float)
    z = float(h.getInfo().objective_function_value) - float(lp.offset_)
    offset = float(lp.offset_)
    t_end = time.perf_counter() + time_budget_s
    h.setOptionValue("output_flag", False)
    # 1. the bounds as ends: cost with the capacity at its lower bound and at its cap
    h.setOptionValue("solver", "simplex")
    h.setOptionValue("simplex_strategy", 1)  # dual simplex: a bound change keeps the basis dual feasible
    basis = h.getBasis()
    pue_v = pue.to_numpy(dtype=float)
    lower_mw = np.asarray(lp.col_lower_, dtype=float)[cols]
    upper_mw = (capacity_max_mw.reindex(pue.index).to_numpy(dtype=float) * pue_v if capacity_max_mw is not None
                else np.full(len(cols), np.nan))
    upper_bound_mw = np.asarray(lp.col_upper_, dtype=float)[cols]
    at_lower = np.array([_cost_at_bound(h, int(j), lo, lo, basis, t_end) - offset if np.isfinite(lo)
                         else float("nan") for j, lo in zip(cols, lower_mw)])
    at_upper = np.array([_cost_at_bound(h, int(j), up, max(up, ub), basis, t_end) - offset if np.isfinite(up)
                         else float("nan") for j, up, ub in zip(cols, upper_mw, upper_bound_mw)])
    h.setBasis(basis)
    # 2. the ends not settled by a bound: exact extremes on the objective row
    nz = np.flatnonzero(cost).astype(np.int32)
    h.addRow(-highspy.kHighsInf, z + tolerances[0] * abs(z), len(nz), nz, cost[nz])
    row = h.getNumRow() - 1
    h.changeColsCost(len(nz), nz, np.zeros(len(nz)))
    h.setOptionValue("simplex_strategy", 4)  # primal simplex: the optimal basis stays primal feasible
    out = pd.DataFrame(index=pue.index)
    for tol in tolerances:
        bound = z + tol * abs(z)
        h.changeRowBounds(row, -highspy.kHighsInf, bound)
        lo = [lower if c <= bound else _extreme(h, int(j), 1.0, t_end)
              for j, lower, c in zip(cols, lower_mw, at_lower)]
        hi = [upper if c <= bound else _extreme(h, int(j), -1.0, t_end)
              for j, upper, c in zip(cols, upper_mw, at_upper)]
        out[f"min_mw_{tol:g}"] = np.asarray(lo, dtype=float) / pue_v
        out[f"max_mw_{tol:g}"] = np.asarray(hi, dtype=float) / pue_v
    scale = max(abs(z), 1e-300)
    out["cost_at_lower_frac"] = (at_lower - z) / scale
    out["cost_at_cap_frac"] = (at_upper - z) / scale
    return out
