"""The ``optimal`` policy: a mixed-integer program over the whole horizon (HiGHS).

Each job picks exactly one candidate (site within its class's latency limit, start at its
submit time or on any later hour that still meets its deadline: the candidates of
``greedy``). Binary ``x[c]`` per candidate; continuous ``u[j,k]`` for curtailed energy used
at site ``j`` in slot ``k``.

    minimise   sum_c x_c (sum_k w_jk e_ck + delay cost_c) - sum_jk w_jk u_jk
    subject to sum_{c of job i} x_c = 1                       (every job runs once)
               o_jk = sum_{c touching (j,k)} a_c x_c <= capacity_j   (accelerators)
               u_jk <= sum_c e_ck x_c,  0 <= u_jk <= curtailed_jk

with ``w`` the objective's weight per grid MWh (``objective_weights``; by default
``max(price, 0) + carbon price x marginal CO2``). The
occupancy ``o_jk`` is written as a running balance (``o_jk = o_j,k-1 + starts at k - ends
at k-1``), so a candidate appears in four rows whatever its length: long training runs do
not blow up the matrix. ``u_jk`` is needed only where the curtailed energy is positive but
smaller than what a full site could draw. Solved with HiGHS (highspy), warm-started from
the greedy schedule, so the result is never worse than greedy's even at the time limit; the
dual bound and gap are reported.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.sparse import csc_matrix

from computegrid.errors import ComputegridError, InputError
from computegrid.scheduling.problem import HISTORY_H, Problem

#: Largest instance the optimal policy accepts. [jobs]
MAX_JOBS = 5000


def run_optimal(p: Problem, time_limit_s: float = 300.0, mip_rel_gap: float = 1e-4,
                initial: tuple[np.ndarray, np.ndarray] | None = None):
    """Solve the scheduling MILP.

    Longer than 60 lines: the MILP's variables, constraints and objective are built in one
    place, so that the code reads as the formulation.

    Parameters
    ----------
    p : Problem
        Offline instance (the optimum always sees the true signals).
    time_limit_s : float
        HiGHS time limit. [s]
    mip_rel_gap : float
        Relative optimality gap at which HiGHS stops. [-]
    initial : (site, start_h), optional
        A schedule to start from (e.g. greedy's): HiGHS's incumbent is then never worse
        than it, so the result is <= that schedule's objective even at the time limit.

    Returns
    -------
    site : ndarray of int
    start_h : ndarray [h]
    info : dict
        ``objective_value``, ``dual_bound`` (in the objective's unit), ``mip_gap_frac``,
        ``n_candidates``, ``status``.

    Raises
    ------
    InputError
        Too many jobs, or some job cannot meet its deadline in the capacity.
    """
    if p.n_jobs > MAX_JOBS:
        raise InputError("--policy optimal", f"{p.n_jobs} jobs",
                         f"at most {MAX_JOBS} jobs (use --sample)")
    dc = p.delay_weight
    cap = p.capacity
    n_j, n_s = p.n_jobs, p.n_sites
    # candidates (job, site, start)
    cj, cs, cst = [], [], []
    for i in range(n_j):
        t0, d = float(p.submit_h[i]), float(p.duration_h[i])
        S = np.flatnonzero(p.allowed[i])
        k0 = int(math.floor(t0 + 1e-9))
        smax = int(math.floor(p.deadline_h[i] - d + 1e-9))
        starts = np.concatenate([[t0], np.arange(k0 + 1, smax + 1, dtype=float)])
        cj.append(np.full(len(S) * len(starts), i))
        cs.append(np.tile(S, len(starts)))
        cst.append(np.repeat(starts, len(S)))
    cand_job, cand_site, cand_start = (np.concatenate(v) for v in (cj, cs, cst))
    n_c = len(cand_job)
    a = p.n_acc[cand_job].astype(float)
    d = p.duration_h[cand_job]
    end = cand_start + d
    first = np.floor(cand_start + 1e-9).astype(np.int64)
    last = np.maximum(np.ceil(end - 1e-9).astype(np.int64), first + 1) - 1
    K = int(last.max()) + 1
    p.extend(K + 1)
    mwh = p.mwh_per_acc_h  # per site [MWh per accelerator-hour]
    sl = slice(HISTORY_H, HISTORY_H + K + 1)
    w = p.weight[:, sl]
    curt = p.curt_mwh[:, sl]
    full = (cap * mwh)[:, None]
    free = curt >= full - 1e-12            # never binding: all the site could draw is free
    part = (~free) & (curt > 1e-12)
    w_eff = np.where(free, 0.0, w)
    # objective of each candidate: a * mwh_j * integral of w_eff over [start, end)
    C = np.zeros((n_s, K + 2))
    np.cumsum(w_eff, axis=1, out=C[:, 1:])

    def integral(site, t):
        k = np.minimum(np.floor(t + 1e-12).astype(np.int64), K)
        return C[site, k] + (t - k) * w_eff[site, k]

    cost = (a * mwh[cand_site] * (integral(cand_site, end) - integral(cand_site, cand_start))
            + dc * a * (cand_start - p.submit_h[cand_job]))
    # variables: x (n_c) | o (n_s * K) | u (n_u)
    o_index = lambda j, k: n_c + j * K + k  # noqa: E731
    pj, pk = np.nonzero(part[:, :K])
    n_u = len(pj)
    u_of = -np.ones((n_s, K), dtype=np.int64)
    u_of[pj, pk] = np.arange(n_u)
    n_var = n_c + n_s * K + n_u
    r_assign = 0
    r_bal = n_j                      # balance rows (j, k): n_s * K
    r_link = n_j + n_s * K           # link rows: n_u
    rows, cols, vals = [], [], []
    # assignment
    rows.append(cand_job); cols.append(np.arange(n_c)); vals.append(np.ones(n_c))
    # balance: o_jk - o_j,k-1 - sum_{first=k} a x + sum_{last=k-1} a x = 0
    jj, kk = np.divmod(np.arange(n_s * K), K)
    rows.append(r_bal + jj * K + kk); cols.append(o_index(jj, kk)); vals.append(np.ones(n_s * K))
    prev = kk > 0
    rows.append(r_bal + jj[prev] * K + kk[prev]); cols.append(o_index(jj[prev], kk[prev] - 1))
    vals.append(-np.ones(int(prev.sum())))
    rows.append(r_bal + cand_site * K + first); cols.append(np.arange(n_c)); vals.append(-a)
    ends = last + 1 < K
    rows.append(r_bal + cand_site[ends] * K + last[ends] + 1); cols.append(np.flatnonzero(ends))
    vals.append(a[ends])
    # link: u_jk - mwh_j o_jk + corrections <= 0 on partial slots
    rows.append(r_link + np.arange(n_u)); cols.append(n_c + n_s * K + np.arange(n_u))
    vals.append(np.ones(n_u))
    rows.append(r_link + np.arange(n_u)); cols.append(o_index(pj, pk)); vals.append(-mwh[pj])
    fr_first = np.minimum(first + 1.0, end) - cand_start
    fr_last = end - last
    single = first == last
    for slot, fr, mask in ((first, fr_first, np.ones(n_c, dtype=bool)), (last, fr_last, ~single)):
        u = u_of[cand_site, slot]
        m = mask & (u >= 0) & (fr < 1 - 1e-12)
        rows.append(r_link + u[m]); cols.append(np.flatnonzero(m))
        vals.append(a[m] * mwh[cand_site[m]] * (1.0 - fr[m]))
    A = csc_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                   shape=(n_j + n_s * K + n_u, n_var))
    row_lo = np.concatenate([np.ones(n_j), np.zeros(n_s * K), np.full(n_u, -np.inf)])
    row_hi = np.concatenate([np.ones(n_j), np.zeros(n_s * K), np.zeros(n_u)])
    col_lo = np.zeros(n_var)
    col_hi = np.concatenate([np.ones(n_c), np.repeat(cap.astype(float), K), curt[pj, pk]])
    c = np.concatenate([cost, np.zeros(n_s * K), -w[pj, pk]])
    x0 = None
    if initial is not None:
        x0 = _initial_point(p, initial, cand_job, cand_site, cand_start, K, n_var, n_c, pj, pk)
    x, info = _solve(c, A, row_lo, row_hi, col_lo, col_hi, n_c, x0, time_limit_s, mip_rel_gap)
    chosen = np.flatnonzero(x[:n_c] > 0.5)
    if len(chosen) != n_j or not np.array_equal(np.sort(cand_job[chosen]), np.arange(n_j)):
        raise ComputegridError("optimal: the solver returned a solution that does not place "
                               "every job exactly once")
    chosen = chosen[np.argsort(cand_job[chosen])]
    info["n_candidates"] = int(n_c)
    return cand_site[chosen], cand_start[chosen], info


def _initial_point(p, initial, cand_job, cand_site, cand_start, K, n_var, n_c, pj, pk):
    """Variable vector of a given schedule (None if a job's choice is not a candidate)."""
    from computegrid.scheduling.evaluate import slot_loads

    site0, start0 = (np.asarray(v) for v in initial)
    hit = (cand_site == site0[cand_job]) & (np.abs(cand_start - start0[cand_job]) < 1e-9)
    if np.bincount(cand_job[hit], minlength=p.n_jobs).min() < 1:
        return None
    idx = np.flatnonzero(hit)
    _, keep = np.unique(cand_job[idx], return_index=True)
    x = np.zeros(n_var)
    x[idx[keep]] = 1.0
    occ, energy = slot_loads(p, site0, start0)
    if occ.shape[1] < K:
        return None
    x[n_c:n_c + p.n_sites * K] = occ[:, :K].reshape(-1)
    x[n_c + p.n_sites * K:] = np.minimum(energy[pj, pk], p.curt_mwh[pj, HISTORY_H + pk])
    return x


def _solve(c, A, row_lo, row_hi, col_lo, col_hi, n_int, x0, time_limit_s, mip_rel_gap):
    """Solve the MILP with HiGHS (highspy); integer columns first."""
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(time_limit_s))
    h.setOptionValue("mip_rel_gap", float(mip_rel_gap))
    h.setOptionValue("threads", 1)
    lp = highspy.HighsLp()
    lp.num_col_ = A.shape[1]
    lp.num_row_ = A.shape[0]
    lp.col_cost_ = c
    lp.col_lower_ = col_lo
    lp.col_upper_ = col_hi
    lp.row_lower_ = np.where(np.isfinite(row_lo), row_lo, -highspy.kHighsInf)
    lp.row_upper_ = row_hi
    A = A.tocsc()
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = A.indptr
    lp.a_matrix_.index_ = A.indices
    lp.a_matrix_.value_ = A.data
    lp.integrality_ = ([highspy.HighsVarType.kInteger] * n_int
                       + [highspy.HighsVarType.kContinuous] * (A.shape[1] - n_int))
    h.passModel(lp)
    if x0 is not None:
        sol = highspy.HighsSolution()
        sol.col_value = list(x0)
        sol.value_valid = True
        h.setSolution(sol)
    # HiGHS sizes one global thread pool per process on its first run; a run asking for another
    # number of threads would end at once with status "not set" (computegrid.grid.solve.reset_highs_threads)
    highspy.Highs.resetGlobalScheduler(True)
    h.run()
    status = h.getModelStatus()
    info = h.getInfo()
    if info.primal_solution_status != 2:  # no feasible point
        if status == highspy.HighsModelStatus.kInfeasible:
            raise InputError("--policy optimal", "infeasible",
                             "an instance where every job can meet its deadline within the "
                             "sites' accelerators (fewer jobs or more capacity)")
        raise ComputegridError(f"optimal: HiGHS found no solution ({h.modelStatusToString(status)})")
    x = np.asarray(h.getSolution().col_value)
    out = {
        "objective_value": float(info.objective_function_value),
        "dual_bound": float(info.mip_dual_bound),
        "mip_gap_frac": float(info.mip_gap),
        "status": ("optimal" if status == highspy.HighsModelStatus.kOptimal
                   else h.modelStatusToString(status)),
    }
    return x, out
