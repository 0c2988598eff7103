"""Score a schedule against the true signals, the same way for every policy."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from computegrid.scheduling.problem import HISTORY_H, OBJECTIVE_UNITS, Problem

_EPS_H = 1e-6  # tolerance on times [h] (float rounding of hour arithmetic)


@dataclass(frozen=True)
class ScheduleMetrics:
    """Outcome of one policy on one instance (all fields carry their unit).

    Two emission figures, always both: ``emissions_marginal_tco2`` counts grid energy at the
    marginal factor (the change in system emissions the load causes: consequential);
    ``emissions_average_tco2`` at the average factor (the load's share of the emissions of the
    power it draws: attributional). Energy taken from power that would otherwise be curtailed
    costs nothing and emits nothing in both (assumption). ``objective_value`` is what the
    policies minimised (``objective``), in ``objective_unit``.
    """

    policy: str
    n_jobs: int
    energy_mwh: float
    cost_cny: float
    emissions_marginal_tco2: float
    emissions_average_tco2: float
    curtailment_absorbed_mwh: float
    objective: str
    objective_value: float
    objective_unit: str
    mean_delay_h: float
    p95_delay_h: float
    deadline_misses: int
    capacity_violations: int
    latency_violations: int
    early_starts: int
    runtime_s: float


def _slot_arrays(start_h: np.ndarray, duration_h: np.ndarray):
    """Flatten each job's touched slots: (job index, slot, hours run in the slot)."""
    end = start_h + duration_h
    k0 = np.floor(start_h + 1e-9).astype(np.int64)
    k1 = np.maximum(np.ceil(end - 1e-9).astype(np.int64), k0 + 1)
    n = k1 - k0
    job = np.repeat(np.arange(len(start_h)), n)
    offs = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
    slot = k0[job] + offs
    frac = np.minimum(slot + 1.0, end[job]) - np.maximum(slot.astype(float), start_h[job])
    return job, slot, np.maximum(frac, 0.0)


def slot_loads(p: Problem, site: np.ndarray, start_h: np.ndarray):
    """Accelerators in use and facility energy per site and slot of a schedule.

    Returns
    -------
    occupancy : ndarray of int
        ``sites x slots`` accelerators held (a job counts in every slot it touches). [-]
    energy_mwh : ndarray
        ``sites x slots`` facility energy. [MWh]
    """
    job, slot, frac = _slot_arrays(start_h, p.duration_h)
    n = int(slot.max()) + 1
    p.extend(n)
    n = max(n, p.n_slots)
    occ = np.zeros((p.n_sites, n), dtype=np.int64)
    energy = np.zeros((p.n_sites, n))
    s = site[job]
    np.add.at(occ, (s, slot), p.n_acc[job])
    np.add.at(energy, (s, slot), p.n_acc[job] * p.mwh_per_acc_h[s] * frac)
    return occ, energy


def evaluate(p: Problem, policy: str, site: np.ndarray, start_h: np.ndarray,
             runtime_s: float) -> ScheduleMetrics:
    """Score a schedule with the true signals.

    Parameters
    ----------
    p : Problem
    policy : str
    site : ndarray of int
        Site index per job.
    start_h : ndarray
        Start per job, hours from slot 0. [h]
    runtime_s : float
        Wall time the policy took. [s]
    """
    occ, energy = slot_loads(p, site, start_h)
    n = energy.shape[1]
    sl = slice(HISTORY_H, HISTORY_H + n)
    curt = p.curt_mwh[:, sl]
    absorbed = np.minimum(energy, curt)
    grid = energy - absorbed
    cost = float((grid * p.price[:, sl]).sum())
    em = float((grid * p.co2_marg[:, sl]).sum()) / 1000.0
    em_avg = float((grid * p.co2_avg[:, sl]).sum()) / 1000.0
    delay = start_h - p.submit_h
    dc = p.delay_weight
    objective = float((grid * p.weight[:, sl]).sum()) + dc * float((p.n_acc * np.maximum(delay, 0)).sum())
    end = start_h + p.duration_h
    lat = p.latency_ms[np.arange(p.n_jobs), site]
    return ScheduleMetrics(
        policy=policy,
        n_jobs=int(p.n_jobs),
        energy_mwh=float(energy.sum()),
        cost_cny=cost,
        emissions_marginal_tco2=em,
        emissions_average_tco2=em_avg,
        curtailment_absorbed_mwh=float(absorbed.sum()),
        objective=p.params.objective,
        objective_value=objective,
        objective_unit=OBJECTIVE_UNITS[p.params.objective],
        mean_delay_h=float(np.mean(delay)),
        p95_delay_h=float(delay[0] if len(delay) == 1 else np.percentile(delay, 95)),
        deadline_misses=int((end > p.deadline_h + _EPS_H).sum()),
        capacity_violations=int((occ > p.capacity[:, None]).sum()),
        latency_violations=int((lat > p.limit_ms + 1e-9).sum()),
        early_starts=int((start_h < p.submit_h - _EPS_H).sum()),
        runtime_s=float(runtime_s),
    )


def schedule_frame(p: Problem, site: np.ndarray, start_h: np.ndarray) -> pd.DataFrame:
    """One row per job: where and when it runs, its delay and whether it met its promises."""
    f = p.jobs.frame
    start = p.start + pd.to_timedelta(start_h * 3600.0, unit="s").round("s")
    end_h = start_h + p.duration_h
    lat = p.latency_ms[np.arange(p.n_jobs), site]
    return pd.DataFrame({
        "job_id": f["job_id"].to_numpy(),
        "site": np.asarray(p.sites.ids, dtype=object)[site],
        "start_time": start,
        "end_time": start + pd.to_timedelta(p.duration_h * 3600.0, unit="s").round("s"),
        "delay_h": start_h - p.submit_h,
        "rtt_ms": lat,
        "deadline_met": end_h <= p.deadline_h + _EPS_H,
        "latency_met": lat <= p.limit_ms + 1e-9,
    })
