"""Scheduling use cases shared by the CLI and the HTTP API.

- :func:`compare_policies`: run several policies on the same jobs, sites and signals and
  score them the same way (``computegrid schedule``).
- :func:`schedule_jobs`: place a batch of jobs given as records with one policy
  (``POST /v1/schedule``).
- :func:`best_placement`: best site and start for one job.

Nothing is written here: callers that save results write them whole (temp file, rename).
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pandas as pd

from computegrid.errors import InputError
from computegrid.scheduling.evaluate import ScheduleMetrics, evaluate, schedule_frame
from computegrid.io.scheduling_files import read_jobs_csv, read_sites_csv
from computegrid.scheduling.jobs import JobTable, make_jobs
from computegrid.scheduling.optimal import run_optimal
from computegrid.scheduling.policies import POLICIES, run_policy
from computegrid.scheduling.problem import ScheduleParams, build_problem
from computegrid.scheduling.sites import SiteTable, default_sites, origin_latency_ms

ALL_POLICIES = POLICIES + ("optimal",)
DEFAULT_POLICIES = POLICIES

#: assumption: each default site holds 1.25x the peak that today's practice (every job at
#: once at the site nearest its origin) puts on the busiest site: sites are sized like the
#: largest local cluster of the trace, with a quarter of headroom.
DEFAULT_HEADROOM_FRAC = 0.25

TRACES = ("philly", "azure-llm")

#: Version of the JSON that ``computegrid schedule`` prints (``schema_version``). 2: the two
#: emission figures are named ``emissions_marginal_tco2`` and ``emissions_average_tco2``
#: (``emissions_tco2`` and ``emissions_avg_tco2`` are gone), the objective is named with its
#: unit (``objective``, ``objective_value``, ``objective_unit``) and ``signal_source`` is top
#: level. 1: the fields before (no version field).
SCHEDULE_SCHEMA_VERSION = 2


def load_trace(trace: str | Path) -> JobTable:
    """A bundled trace by name (``philly``, ``azure-llm``) or a user CSV by path."""
    from computegrid.scheduling.traces import azure_llm_jobs, philly_jobs

    if str(trace) == "philly":
        return philly_jobs()
    if str(trace) == "azure-llm":
        return azure_llm_jobs()
    path = Path(trace)
    if not path.is_file():
        raise InputError("--trace", str(trace), "philly, azure-llm or an existing CSV file")
    return read_jobs_csv(path)


def default_accelerators_per_site(jobs: JobTable, sites: SiteTable,
                                  headroom_frac: float = DEFAULT_HEADROOM_FRAC) -> int:
    """Accelerators per site under the default sizing rule (see :data:`DEFAULT_HEADROOM_FRAC`).

    Returns
    -------
    int
        ``ceil((1 + headroom) x peak)``, at least the largest job. [-]
    """
    from computegrid.scheduling.evaluate import _slot_arrays

    f = jobs.frame
    org, lat = origin_latency_ms(f["origin_province"].to_numpy(), sites)
    nearest = np.argmin(lat, axis=1)[org]
    start = f["submit_time"].iat[0].floor("h")
    sub = (f["submit_time"] - start).dt.total_seconds().to_numpy() / 3600.0
    job, slot, _ = _slot_arrays(sub, f["duration_h"].to_numpy(dtype=float))
    occ = np.zeros((len(sites), int(slot.max()) + 1), dtype=np.int64)
    np.add.at(occ, (nearest[job], slot), f["n_accelerators"].to_numpy()[job])
    peak = int(occ.max())
    return max(int(math.ceil((1.0 + headroom_frac) * peak)), int(f["n_accelerators"].max()))


def resolve_sites(jobs: JobTable, sites_file=None, accelerators_per_site: int | None = None) -> SiteTable:
    """Sites from a user file, else the grid model's sites sized for the trace."""
    if sites_file is not None:
        return read_sites_csv(sites_file)
    if accelerators_per_site is None:
        accelerators_per_site = default_accelerators_per_site(jobs, default_sites(1))
    elif accelerators_per_site < 1:
        raise InputError("--accelerators-per-site", accelerators_per_site, "a whole number >= 1")
    return default_sites(accelerators_per_site)


def compare_policies(jobs: JobTable, sites: SiteTable, signals, policies=DEFAULT_POLICIES,
                     params: ScheduleParams | None = None, optimal_time_limit_s: float = 300.0,
                     return_schedules: bool = False) -> dict:
    """Run policies on the same instance and score them with the true signals.

    Parameters
    ----------
    jobs, sites, signals
        The instance.
    policies : sequence of str
        Any of ``fifo-local``, ``temporal``, ``spatial``, ``greedy``, ``optimal``.
    params : ScheduleParams
        Objective weights and online mode (``optimal`` is always offline: it is the bound).
    optimal_time_limit_s : float
        HiGHS time limit of ``optimal``. [s]

    Returns
    -------
    dict
        ``policies``: policy -> metrics dict (fields of :class:`ScheduleMetrics`, plus
        ``mip_gap_frac`` and ``dual_bound`` for ``optimal``); ``instance``: jobs,
        sites, accelerators per site, horizon; and ``schedules`` (policy -> frame) if asked.
    """
    params = params or ScheduleParams()
    bad = [p for p in policies if p not in ALL_POLICIES]
    if bad:
        raise InputError("--policy", bad[0], "one of " + ", ".join(ALL_POLICIES))
    if not policies:
        raise InputError("--policy", "none", "at least one of " + ", ".join(ALL_POLICIES))
    problem = build_problem(jobs, sites, signals, params)
    results, schedules = {}, {}
    greedy_solution = None
    order = [p for p in policies if p != "optimal"] + (["optimal"] if "optimal" in policies else [])
    for name in order:
        t = time.perf_counter()
        extra = {}
        if name == "optimal":
            if greedy_solution is None:
                greedy_solution = _offline_greedy(jobs, sites, signals, params)
            site, start, info = run_optimal(problem, time_limit_s=optimal_time_limit_s,
                                            initial=greedy_solution)
            extra = {"mip_gap_frac": info["mip_gap_frac"], "dual_bound": info["dual_bound"],
                     "solver_status": info["status"]}
        else:
            site, start = run_policy(problem, name)
            if name == "greedy" and not params.online:
                greedy_solution = (site, start)
        runtime = time.perf_counter() - t
        m = evaluate(problem, name, site, start, runtime)
        results[name] = {**asdict(m), **extra}
        if return_schedules:
            schedules[name] = schedule_frame(problem, site, start)
    out = {
        "instance": {
            "n_jobs": int(problem.n_jobs),
            "n_sites": int(problem.n_sites),
            "sites": list(sites.ids),
            "accelerators_by_site": {s: int(c) for s, c in zip(sites.ids, problem.capacity)},
            "first_submit_time": str(jobs.frame["submit_time"].iat[0]),
            "horizon_h": int(problem.n_slots),
            "online": bool(params.online),
            "forecast_error_frac": float(params.forecast_error_frac) if params.online else None,
            "objective": params.objective,
            "carbon_price_cny_per_tco2": float(params.carbon_price_cny_per_tco2),
            "power_per_accelerator_kw": float(params.power_per_accelerator_kw),
        },
        "policies": {p: results[p] for p in policies},
    }
    if return_schedules:
        out["schedules"] = schedules
    return out


def _offline_greedy(jobs, sites, signals, params):
    from dataclasses import replace

    p = build_problem(jobs, sites, signals, replace(params, online=False))
    return run_policy(p, "greedy")


def run_schedule(trace: str | Path = "philly", policies=DEFAULT_POLICIES, *, sites_file=None,
                 signals_file=None, run_dir=None, sample: int | None = None, sample_offset: int = 0,
                 accelerators_per_site: int | None = None, params: ScheduleParams | None = None,
                 optimal_time_limit_s: float = 300.0, return_schedules: bool = False,
                 compute_signals: bool = True) -> dict:
    """The ``computegrid schedule`` use case: load, build, compare.

    Parameters
    ----------
    trace : str or Path
        ``philly``, ``azure-llm`` or a CSV file.
    sample : int, optional
        Keep ``sample`` consecutive jobs from position ``sample_offset`` (by submit time).
    Other parameters: see :func:`compare_policies` and
    :func:`computegrid.services.signals.grid_signals.load_site_signals`.
    """
    from computegrid.services.signals.grid_signals import load_site_signals, signal_source

    jobs = load_trace(trace)
    if sample is not None:
        if sample < 1:
            raise InputError("--sample", sample, "a number of jobs >= 1")
        if not 0 <= sample_offset < len(jobs):
            raise InputError("--sample-offset", sample_offset, f"0 .. {len(jobs) - 1}")
        jobs = jobs.window(sample_offset, sample)
    sites = resolve_sites(jobs, sites_file, accelerators_per_site)
    signals = load_site_signals(sites, run_dir=run_dir, signals_file=signals_file,
                                compute_if_missing=compute_signals)
    out = compare_policies(jobs, sites, signals, policies, params, optimal_time_limit_s,
                           return_schedules)
    out["instance"]["trace"] = str(trace)
    return {"schema_version": SCHEDULE_SCHEMA_VERSION,
            "signal_source": signal_source(run_dir, signals_file), **out}


def schedule_jobs(records: list[dict] | pd.DataFrame, policy: str = "greedy", *, sites: SiteTable | None = None,
                  signals=None, params: ScheduleParams | None = None,
                  accelerators_per_site: int | None = None, compute_signals: bool = False) -> dict:
    """Place a batch of jobs (``POST /v1/schedule``).

    Parameters
    ----------
    records : list of dict or DataFrame
        Jobs with the columns of :func:`computegrid.scheduling.jobs.make_jobs`
        (``job_id``, ``submit_time``, ``n_accelerators``, ``duration_h``,
        ``origin_province``; optional ``job_class``, ``deadline_time`` or ``slack_h``,
        ``interruptible``), sorted by submit time.
    policy : str
        One of :data:`ALL_POLICIES`.
    sites, signals : optional
        Default: the grid model's sites sized for the batch, and the cached grid signals.

    Returns
    -------
    dict
        ``metrics`` (as in :func:`compare_policies`) and ``schedule``: one record per job
        with ``job_id``, ``site``, ``start_time``, ``end_time``, ``delay_h``, ``rtt_ms``,
        ``deadline_met``, ``latency_met``.
    """
    from computegrid.services.signals.grid_signals import load_site_signals

    frame = pd.DataFrame(records)
    jobs = make_jobs(frame, source="jobs")
    if sites is None:
        sites = resolve_sites(jobs, None, accelerators_per_site)
    if signals is None:
        signals = load_site_signals(sites, compute_if_missing=compute_signals)
    res = compare_policies(jobs, sites, signals, [policy], params, return_schedules=True)
    sched = res["schedules"][policy].copy()
    for c in ("start_time", "end_time"):
        sched[c] = sched[c].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"policy": policy, "metrics": res["policies"][policy],
            "schedule": sched.to_dict(orient="records")}


def best_placement(job: dict, *, sites: SiteTable | None = None, signals=None,
                   params: ScheduleParams | None = None, compute_signals: bool = False) -> dict:
    """Best site and start time for one job (greedy on an empty fleet).

    Returns
    -------
    dict
        The job's schedule record (``site``, ``start_time``, ``end_time``, ``delay_h``,
        ``rtt_ms``...) plus ``energy_mwh``, ``cost_cny``, ``emissions_marginal_tco2``,
        ``emissions_average_tco2`` of that run.
    """
    out = schedule_jobs([job], "greedy", sites=sites, signals=signals, params=params,
                        accelerators_per_site=None, compute_signals=compute_signals)
    rec = dict(out["schedule"][0])
    m = out["metrics"]
    rec.update({k: m[k] for k in ("energy_mwh", "cost_cny", "emissions_marginal_tco2",
                                   "emissions_average_tco2", "curtailment_absorbed_mwh")})
    return rec


def metrics_fields() -> tuple[str, ...]:
    """Names of the per-policy metrics (JSON keys)."""
    return tuple(ScheduleMetrics.__dataclass_fields__)
