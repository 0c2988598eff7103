"""Near-optimal ranges of the co-optimised plan: how far each site's capacity can move while the
system cost stays within a tolerance of the optimum (degeneracy of the LP).

After the co-planning LP is solved with the dual simplex, its HiGHS model is still in memory
(linopy's ``solver_model``). One row bounds the objective, ``c'x <= z* + tol x |z*|``, the costs are
replaced by +/- one site's capacity column, and the simplex re-runs from the optimal basis (which
stays primal feasible): one short solve per site and direction.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from computegrid.grid.solve import reset_highs_threads

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


def capacity_ranges_mw(n, consumer_names: pd.Index, pue: pd.Series,
                       tolerances=(TIE_TOL_FRAC, RANGE_TOL_FRAC),
                       time_budget_s: float = RANGE_TIME_BUDGET_S) -> pd.DataFrame:
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

    Returns
    -------
    pandas.DataFrame
        Index site; columns ``min_mw_<tol>``, ``max_mw_<tol>`` for each tolerance (NaN where a re-solve
        did not end optimal).
    """
    import highspy

    m = n.model
    h = m.solver_model
    cols = _column_index(m, "Generator-p_nom", "name", consumer_names)
    lp = h.getLp()
    cost = np.asarray(lp.col_cost_, dtype=float)
    z = float(h.getInfo().objective_function_value) - float(lp.offset_)
    nz = np.flatnonzero(cost).astype(np.int32)
    h.addRow(-highspy.kHighsInf, z + tolerances[0] * abs(z), len(nz), nz, cost[nz])
    row = h.getNumRow() - 1
    h.changeColsCost(len(nz), nz, np.zeros(len(nz)))
    h.setOptionValue("solver", "simplex")
    h.setOptionValue("simplex_strategy", 4)  # primal simplex: the optimal basis stays primal feasible
    h.setOptionValue("output_flag", False)
    t_end = time.perf_counter() + time_budget_s
    out = pd.DataFrame(index=pue.index)
    for tol in tolerances:
        h.changeRowBounds(row, -highspy.kHighsInf, z + tol * abs(z))
        lo, hi = zip(*[(_extreme(h, int(j), 1.0, t_end), _extreme(h, int(j), -1.0, t_end)) for j in cols])
        out[f"min_mw_{tol:g}"] = np.asarray(lo) / pue.to_numpy()
        out[f"max_mw_{tol:g}"] = np.asarray(hi) / pue.to_numpy()
    return out
