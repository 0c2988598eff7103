"""Heuristic scheduling policies: one list-scheduling engine, four candidate rules.

Jobs are taken in submit order; each is placed once, at its submit time, on the (site,
start) with the lowest marginal objective among its candidates that have room for it, and
never moved again:

=============  ===============================  ====================================
policy         sites                            start
=============  ===============================  ====================================
fifo-local     the site nearest the origin      at once
temporal       the site nearest the origin      at once or on any later hour that
                                                still meets the deadline
spatial        every site within the latency    at once
               limit of the job's class
greedy         every site within the limit      at once or any later hour (deadline)
=============  ===============================  ====================================

The marginal objective of a candidate is the extra grid energy it causes (its energy
beyond the curtailed energy still free in each slot) times the objective's weight per grid
MWh (``objective_weights``: by default ``w = max(price, 0) + carbon price x marginal CO2``),
plus a small cost of waiting. When no candidate has room, the job
waits for the first hour with room at one of its sites (it then misses its deadline if it
had one); that is what a full cluster does today.

In ``online`` mode (``ScheduleParams.online``) the policy sees, at the job's submit hour
``c``, only a forecast: for a target hour ``x >= c`` the value observed at the same hour of
the most recent day before ``c`` (day-ahead persistence: source hour ``x - 24 ceil((x - c +
1) / 24)``, always ``<= c - 1``), times ``1 + e z`` with ``e = forecast_error_frac`` and
``z`` standard normal noise drawn independently of the signals. It never reads an hour at
or after ``c``.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from computegrid.errors import InputError
from computegrid.scheduling.problem import HISTORY_H, Problem, job_slots

POLICIES = ("fifo-local", "temporal", "spatial", "greedy")
#: (use every allowed site, allow waiting) per policy
_RULES = {"fifo-local": (False, False), "temporal": (False, True),
          "spatial": (True, False), "greedy": (True, True)}


class _Engine:
    def __init__(self, p: Problem):
        self.p = p
        n = p.n_slots
        self.occ = np.zeros((p.n_sites, n), dtype=np.int64)
        self.used = np.zeros((p.n_sites, n), dtype=float)
        self.online = p.params.online
        if self.online:
            rng = np.random.default_rng(p.params.seed)
            e = p.params.forecast_error_frac
            self.fw = np.clip(1.0 + e * rng.standard_normal((p.n_sites, n)), 0.0, None)
            self.fc = np.clip(1.0 + e * rng.standard_normal((p.n_sites, n)), 0.0, None)

    def ensure(self, n: int) -> None:
        """Grow the state to ``n`` slots."""
        p = self.p
        if n <= self.occ.shape[1]:
            return
        n = max(n, 2 * self.occ.shape[1])
        p.extend(n)
        pad = n - self.occ.shape[1]
        self.occ = np.pad(self.occ, ((0, 0), (0, pad)))
        self.used = np.pad(self.used, ((0, 0), (0, pad)))
        if self.online:
            rng = np.random.default_rng(p.params.seed + n)
            e = p.params.forecast_error_frac
            self.fw = np.concatenate(
                [self.fw, np.clip(1 + e * rng.standard_normal((p.n_sites, pad)), 0, None)], axis=1)
            self.fc = np.concatenate(
                [self.fc, np.clip(1 + e * rng.standard_normal((p.n_sites, pad)), 0, None)], axis=1)

    def view(self, S: np.ndarray, k: int, n: int, c: int):
        """Objective weight [CNY/MWh] and free curtailed energy [MWh] of slots k..k+n-1 at
        sites S, as seen at decision slot c."""
        p = self.p
        if not self.online:
            w = p.weight[S, HISTORY_H + k:HISTORY_H + k + n]
            curt = p.curt_mwh[S, HISTORY_H + k:HISTORY_H + k + n]
        else:
            xs = np.arange(k, k + n)
            src = xs - 24 * ((xs - c + 24) // 24) + HISTORY_H  # <= c - 1 + HISTORY_H
            w = p.weight[S[:, None], src[None, :]] * self.fw[S, k:k + n]
            curt = p.curt_mwh[S[:, None], src[None, :]] * self.fc[S, k:k + n]
        rem = np.maximum(curt - self.used[S, k:k + n], 0.0)
        return w, rem

    def aligned(self, S, s_lo, m, L, flast, e_s, a, c):
        """Cost and room of starts s_lo..s_lo+m-1 (on the hour) at sites S."""
        self.ensure(s_lo + m + L + 1)
        n = m + L - 1
        w, rem = self.view(S, s_lo, n, c)
        return _aligned_costs(w, rem, self.occ[S, s_lo:s_lo + n], self.p.capacity[S], m, L,
                              flast, e_s, a)

    def commit(self, j: int, start_h: float, d: float, a: int, e_j: float) -> None:
        k, fr = job_slots(start_h, d)
        self.ensure(k + len(fr) + 1)
        self.occ[j, k:k + len(fr)] += a
        self.used[j, k:k + len(fr)] += e_j * fr


def _aligned_costs(w, rem, occ, cap_s, m, L, flast, e_s, a):
    """Cost [CNY] and room (bool) of m hour-aligned starts over a window of m + L - 1 slots."""
    n = m + L - 1
    w, rem, occ = w[:, :n], rem[:, :n], occ[:, :n]
    if L == 1:
        peak = occ
    elif L <= 4:
        peak = occ[:, :m].copy()
        for q in range(1, L):
            np.maximum(peak, occ[:, q:q + m], out=peak)
    else:
        peak = sliding_window_view(occ, L, axis=1).max(axis=2)
    room = peak + a <= cap_s[:, None]
    g = w * np.maximum(e_s[:, None] - rem, 0.0)
    if L == 1:
        full = 0.0
    else:
        G = np.zeros((len(cap_s), m + L))
        np.cumsum(g, axis=1, out=G[:, 1:])
        full = G[:, L - 1:L - 1 + m] - G[:, :m]
    last = slice(L - 1, L - 1 + m)
    cost = full + w[:, last] * np.maximum(e_s[:, None] * flast - rem[:, last], 0.0)
    return cost, room


def run_policy(p: Problem, policy: str) -> tuple[np.ndarray, np.ndarray]:
    """Place every job of ``p`` with a heuristic policy.

    Longer than 60 lines: it is the scheduler's hot loop over the jobs in submit order; the
    steps for one job share a dozen local arrays, which a split would pass around.

    Parameters
    ----------
    p : Problem
    policy : {"fifo-local", "temporal", "spatial", "greedy"}

    Returns
    -------
    site : ndarray of int
        Site index of each job.
    start_h : ndarray
        Start of each job in hours from slot 0. [h]
    """
    if policy not in _RULES:
        raise InputError("--policy", policy, "one of " + ", ".join(POLICIES + ("optimal",)))
    spread, shift = _RULES[policy]
    eng = _Engine(p)
    n = p.n_jobs
    site_out = np.empty(n, dtype=np.int64)
    start_out = np.empty(n, dtype=float)
    dc = p.delay_weight
    site_lists = _site_lists(p, spread)
    cap = p.capacity
    submit = p.submit_h.tolist()
    dur = p.duration_h.tolist()
    deadline = p.deadline_h.tolist()
    accs = p.n_acc.tolist()
    for i in range(n):
        t0, d, a = submit[i], dur[i], accs[i]
        S = site_lists[i]
        e_s = a * p.mwh_per_acc_h[S]
        cap_s = cap[S]
        k0 = int(math.floor(t0 + 1e-9))
        c = k0
        end = t0 + d
        nA = max(int(math.ceil(end - 1e-9)), k0 + 1) - k0
        L = max(int(math.ceil(d - 1e-9)), 1)
        flast = d - (L - 1)
        m = 0
        if shift:
            smax = int(math.floor(deadline[i] - d + 1e-9))
            m = max(smax - k0, 0)
            s_next = max(smax, k0) + 1
        else:
            s_next = k0 + 1
        kend = max(k0 + nA, k0 + m + L)
        eng.ensure(kend + 1)
        w, rem = eng.view(S, k0, kend - k0, c)
        occ = eng.occ[S, k0:kend]
        # immediate start: fractions of the touched slots
        frA = np.ones(nA)
        frA[0] = min(k0 + 1.0, end) - t0
        if nA > 1:
            frA[-1] = end - (k0 + nA - 1)
        roomA = occ[:, :nA].max(axis=1) + a <= cap_s
        costA = (w[:, :nA] * np.maximum(e_s[:, None] * frA - rem[:, :nA], 0.0)).sum(axis=1)
        best_cost = math.inf
        best = None
        if roomA.any():
            cA = np.where(roomA, costA, math.inf)
            jA = int(np.argmin(cA))
            best_cost, best = float(cA[jA]), (jA, t0)
        if m > 0:
            cost, room = _aligned_costs(w[:, 1:], rem[:, 1:], occ[:, 1:], cap_s, m, L, flast, e_s, a)
            cost = cost + dc * a * ((k0 + 1 + np.arange(m)) - t0)
            cost = np.where(room, cost, math.inf)
            flat = int(np.argmin(cost.T))  # earliest start wins ties
            si, jj = divmod(flat, len(S))
            if cost[jj, si] < best_cost:
                best_cost, best = float(cost[jj, si]), (jj, float(k0 + 1 + si))
        while best is None:  # no room before the deadline: wait for the first hour with room
            m = 48
            cost, room = eng.aligned(S, s_next, m, L, flast, e_s, a, c)
            ok = room.any(axis=0)
            if ok.any():
                si = int(np.argmax(ok))
                cc = np.where(room[:, si], cost[:, si], math.inf)
                jj = int(np.argmin(cc))
                best = (jj, float(s_next + si))
            s_next += m
        jj, st = best
        j = int(S[jj])
        eng.commit(j, st, d, a, float(e_s[jj]))
        site_out[i] = j
        start_out[i] = st
    return site_out, start_out


def _site_lists(p: Problem, spread: bool) -> list[np.ndarray]:
    if not spread:
        return [np.array([j]) for j in p.nearest]
    cache: dict[bytes, np.ndarray] = {}
    out = []
    for row in p.allowed:
        key = row.tobytes()
        s = cache.get(key)
        if s is None:
            s = cache[key] = np.flatnonzero(row)
        out.append(s)
    return out
