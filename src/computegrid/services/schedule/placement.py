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
from computegrid.scheduling.sites import SiteTable, default_sites, make_sites


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
    """Answers best-placement requests; keeps the site tables it builds (read-only)."""

    def __init__(self) -> None:
        self._tables: dict[tuple, SiteTable] = {}
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
        from computegrid.scheduling.jobs import make_jobs
        from computegrid.scheduling.policies import run_policy
        from computegrid.scheduling.problem import build_problem

        if job.job_class not in DEFAULT_CLASSES:
            raise InputError("body.job_class", job.job_class, "one of " + ", ".join(DEFAULT_CLASSES))
        n_acc = accelerators_for(job)
        limit = DEFAULT_CLASSES[job.job_class].latency_limit_ms
        if job.latency_limit_ms is not None:
            limit = min(limit, float(job.latency_limit_ms))
        if job.deadline is not None and job.deadline <= job.earliest_start:
            raise InputError("body.deadline", job.deadline.isoformat(), "a time after earliest_start")
        full = self._sites(n_acc)
        record = {"job_id": "job", "submit_time": job.earliest_start, "n_accelerators": n_acc,
                  "duration_h": float(job.duration_h), "origin_province": job.origin_province,
                  "job_class": job.job_class}
        if job.deadline is not None:
            record["deadline_time"] = job.deadline
        jobs = make_jobs(pd.DataFrame([record]), source="job")
        try:
            problem = build_problem(jobs, full, signals)
        except InputError as exc:
            if "origin_province" in str(exc.field):
                raise InputError("body.origin_province", job.origin_province, exc.allowed) from None
            raise
        rtt = problem.latency_ms[0]
        allowed = rtt <= limit + 1e-9
        if not allowed.any():
            raise InputError("body.latency_limit_ms", limit,
                             f"a limit that some site meets from {job.origin_province} "
                             f"(nearest: {float(np.min(rtt)):.1f} ms)")
        within = [s for s, ok in zip(full.ids, allowed) if ok]
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
                "site": full.ids[k], "start_time": start.isoformat(),
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
