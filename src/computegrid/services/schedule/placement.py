"""Best site and start time for one job, with the runner-up options (``POST /v1/best``).

The same answer as :func:`computegrid.services.schedule.scheduler.best_placement` (the greedy policy
on an empty fleet) for the best option over every site within the job's latency limit; then
the best over the remaining sites, and so on, so that each alternative is the best placement
at a *different* site, with its own start time and cost (scored by
``computegrid.scheduling.evaluate``).
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np

from computegrid.errors import InputError
from computegrid.scheduling.jobs import DEFAULT_CLASSES
from computegrid.scheduling.problem import POWER_PER_ACCELERATOR_KW
from computegrid.scheduling.signals import SiteSignals
from computegrid.scheduling.sites import SiteTable, default_sites, make_sites, origin_latency_ms


@dataclass(frozen=True)
class JobRequest:
    """One job to place.

    Parameters
    ----------
    job_class : str
        ``online``, ``batch`` or ``training`` (latency limit and default slack of the class).
    duration_h : float
        Run time. [h]
    origin_province : str
        Province (name or code) where the job's users or data are.
    earliest_start : datetime
        Submit time; the job does not start before. (UTC)
    n_accelerators : int, optional
        Accelerators the job needs. [-]
    energy_mwh : float, optional
        Instead of ``n_accelerators``: the job's IT energy; accelerators =
        ceil(energy / (duration x power per accelerator)). [MWh]
    latency_limit_ms : float, optional
        Round-trip limit from the origin, tighter than the class's. [ms]
    deadline : datetime, optional
        Latest end (default: the class's slack after running at once).
    """

    job_class: str
    duration_h: float
    origin_province: str
    earliest_start: datetime
    n_accelerators: int | None = None
    energy_mwh: float | None = None
    latency_limit_ms: float | None = None
    deadline: datetime | None = None


def accelerators_for(job: JobRequest) -> int:
    """Accelerators of a job given by count or by energy. [-]"""
    if (job.n_accelerators is None) == (job.energy_mwh is None):
        raise InputError("body.n_accelerators / body.energy_mwh",
                         "both" if job.n_accelerators is not None else "missing",
                         "exactly one of n_accelerators or energy_mwh")
    if job.n_accelerators is not None:
        return int(job.n_accelerators)
    power_mw = POWER_PER_ACCELERATOR_KW / 1e3  # [kW] -> [MW]
    return max(1, math.ceil(job.energy_mwh / (job.duration_h * power_mw) - 1e-9))


class PlacementService:
    """Answers best-placement requests; keeps what does not depend on the job (read-only).

    Kept between requests: the site tables (by capacity), the signals of their sites (by signals
    table, the tables of the last few feeds) and the round-trip times from each origin, so
    that one request builds only its job's arrays (no table of one job, no pandas work per
    request: it cost ten times the placement itself).
    """

    #: Signals tables and origins remembered; beyond, the oldest are forgotten. [-]
    MAX_SIGNALS, MAX_ORIGINS = 4, 256

    def __init__(self) -> None:
        self._tables: dict[tuple, SiteTable] = {}
        self._signals: list[tuple[SiteSignals, tuple, SiteSignals]] = []
        self._latency: dict[tuple, np.ndarray] = {}
        self._lock = threading.Lock()

    def _sites(self, capacity: int, ids: tuple[str, ...] | None = None) -> SiteTable:
        # For one job on an empty fleet any capacity >= the job gives the same answer, so
        # capacities are rounded up to a power of two and the tables reused.
        cap = 1 << max(0, int(capacity - 1).bit_length())
        key = (cap, ids)
        with self._lock:
            table = self._tables.get(key)
        if table is None:
            full = self._tables.get((cap, None)) or default_sites(cap)
            table = full if ids is None else make_sites(full.frame.loc[list(ids)], source="sites")
            with self._lock:
                if len(self._tables) > 512:
                    self._tables.clear()
                self._tables[(cap, None)] = full
                self._tables[key] = table
        return table

    def _site_signals(self, signals: SiteSignals, ids: tuple[str, ...]) -> SiteSignals:
        """``signals.subset(ids)``, made once per signals table (the served feed changes only
        when a run is published)."""
        with self._lock:
            for table, key, subset in self._signals:
                if table is signals and key == ids:
                    return subset
        subset = signals.subset(list(ids))
        with self._lock:
            self._signals = [(signals, ids, subset), *self._signals[:self.MAX_SIGNALS - 1]]
        return subset

    def _origin_latency(self, origin: str, ids: tuple[str, ...], sites: SiteTable) -> np.ndarray:
        """Round-trip times from ``origin`` to each site (``ids``: the sites' ids) [ms]
        (``body.origin_province`` named in the error of an unknown province)."""
        key = (origin, ids)
        with self._lock:
            row = self._latency.get(key)
        if row is None:
            try:
                _, lat = origin_latency_ms([origin], sites)
            except InputError as exc:
                raise InputError("body.origin_province", origin, exc.allowed) from None
            row = lat[0]
            row.setflags(write=False)
            with self._lock:
                if len(self._latency) >= self.MAX_ORIGINS:
                    self._latency.clear()
                self._latency[key] = row
        return row

    def _problem(self, job: JobRequest, n_acc: int, limit: float, signals: SiteSignals):
        """The candidate sites' ids and the scheduling problem of one job over them (what
        ``build_problem(make_jobs(...))`` builds for a one-row table, from arrays)."""
        import pandas as pd

        from computegrid.scheduling.problem import ScheduleParams, problem_from_arrays

        full = self._sites(n_acc)
        submit = pd.Timestamp(job.earliest_start)
        submit = submit.tz_localize("UTC") if submit.tz is None else submit.tz_convert("UTC")
        duration_h = float(job.duration_h)
        if not (math.isfinite(duration_h) and duration_h > 0):
            raise InputError("body.duration_h", job.duration_h, "a duration > 0 h")
        start = submit.floor("h")
        submit_h = (submit - start).total_seconds() / 3600.0
        if job.deadline is None:
            deadline_h = submit_h + duration_h + DEFAULT_CLASSES[job.job_class].default_slack_h
        else:
            deadline = pd.Timestamp(job.deadline)
            deadline = (deadline.tz_localize("UTC") if deadline.tz is None
                        else deadline.tz_convert("UTC"))
            deadline_h = (deadline - start).total_seconds() / 3600.0
            if deadline_h < submit_h + duration_h - 1e-9:
                raise InputError("body.deadline", job.deadline.isoformat(),
                                 "a time no earlier than earliest_start + duration_h")
        ids = tuple(full.ids)
        latency = self._origin_latency(job.origin_province, ids, full)
        return ids, problem_from_arrays(
            None, full, self._site_signals(signals, ids), ScheduleParams(), start,
            np.array([submit_h]), np.array([duration_h]), np.array([deadline_h]),
            np.array([n_acc], dtype=np.int64), latency[None, :].copy(), np.array([limit]))

    def best(self, job: JobRequest, signals: SiteSignals, n_alternatives: int = 2) -> dict[str, Any]:
        """The best placement and up to ``n_alternatives`` runner-ups at other sites.

        Returns
        -------
        dict
            ``best`` and ``alternatives``: records with ``site``, ``start_time``,
            ``end_time``, ``delay_h``, ``rtt_ms``, ``deadline_met``, ``latency_met``,
            ``energy_mwh``, ``cost_cny``, ``emissions_marginal_tco2``, ``emissions_average_tco2``,
            ``curtailment_absorbed_mwh``;
            ``n_accelerators`` and ``latency_limit_ms`` used; ``candidate_sites``.
        """
        import pandas as pd

        from computegrid.scheduling.evaluate import evaluate
        from computegrid.scheduling.policies import run_policy

        if job.job_class not in DEFAULT_CLASSES:
            raise InputError("body.job_class", job.job_class, "one of " + ", ".join(DEFAULT_CLASSES))
        n_acc = accelerators_for(job)
        limit = DEFAULT_CLASSES[job.job_class].latency_limit_ms
        if job.latency_limit_ms is not None:
            limit = min(limit, float(job.latency_limit_ms))
        if job.deadline is not None and job.deadline <= job.earliest_start:
            raise InputError("body.deadline", job.deadline.isoformat(), "a time after earliest_start")
        ids, problem = self._problem(job, n_acc, limit, signals)
        rtt = problem.latency_ms[0]
        allowed = rtt <= limit + 1e-9
        if not allowed.any():
            raise InputError("body.latency_limit_ms", limit,
                             f"a limit that some site meets from {job.origin_province} "
                             f"(nearest: {float(np.min(rtt)):.1f} ms)")
        within = [s for s, ok in zip(ids, allowed) if ok]
        # One problem over every candidate site; each further option re-runs the greedy policy
        # with the sites already chosen masked out of ``allowed`` (the policies' own input).
        options = []
        while allowed.any() and len(options) < 1 + n_alternatives:
            problem.allowed = allowed[None, :].copy()
            site, start_h = run_policy(problem, "greedy")
            metrics = evaluate(problem, "greedy", site, start_h, 0.0)
            k, t0 = int(site[0]), float(start_h[0])
            start = problem.start + pd.Timedelta(seconds=round(t0 * 3600.0))
            options.append({
                "site": ids[k], "start_time": start.isoformat(),
                "end_time": (start + pd.Timedelta(seconds=round(job.duration_h * 3600.0))).isoformat(),
                "delay_h": t0 - float(problem.submit_h[0]), "rtt_ms": float(rtt[k]),
                "deadline_met": bool(t0 + job.duration_h <= problem.deadline_h[0] + 1e-6),
                "latency_met": bool(rtt[k] <= limit + 1e-9),
                **{name: float(getattr(metrics, name)) for name in (
                    "energy_mwh", "cost_cny", "emissions_marginal_tco2", "emissions_average_tco2",
                    "curtailment_absorbed_mwh")}})
            allowed[k] = False
        return {"best": options[0], "alternatives": options[1:], "n_accelerators": n_acc,
                "latency_limit_ms": None if math.isinf(limit) else limit,
                "candidate_sites": within}
