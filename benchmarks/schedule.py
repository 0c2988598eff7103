"""Benchmark of the scheduler on the Microsoft Philly trace.

1. The whole trace (82,247 jobs) on every default site with each heuristic policy (offline)
   and greedy online: wall time and peak memory; the comparison table of docs/scheduling.md.
2. Greedy against the MILP optimum on 2,000-job samples: the gap to the best solution found
   and to the solver's dual bound.

Signals: ``--run RUN_DIR`` or ``--signals FILE``, else the cached base-year grid dispatch
(solved once if not cached: minutes). Usage::

    PYTHONPATH=src python benchmarks/schedule.py [--run runs/<id>] [--samples 3] [--time-limit-s 120]
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from dataclasses import replace

import numpy as np


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main(argv=None) -> int:
    from computegrid.scheduling.evaluate import evaluate
    from computegrid.scheduling.optimal import run_optimal
    from computegrid.scheduling.policies import POLICIES, run_policy
    from computegrid.scheduling.problem import ScheduleParams, build_problem
    from computegrid.scheduling.traces import philly_jobs
    from computegrid.services.schedule.scheduler import resolve_sites
    from computegrid.services.signals.grid_signals import load_site_signals

    ap = argparse.ArgumentParser()
    ap.add_argument("--run", default=None)
    ap.add_argument("--signals", default=None)
    ap.add_argument("--samples", type=int, default=3)
    ap.add_argument("--sample-size", type=int, default=2000)
    ap.add_argument("--time-limit-s", type=float, default=120.0)
    ap.add_argument("--skip-optimal", action="store_true")
    ap.add_argument("--tight-frac", type=float, default=None,
                    help="samples: accelerators per site = this fraction of the default sizing "
                         "(capacity binds at the cheap sites)")
    ap.add_argument("--objective", default="cost", help="cost, co2-marginal, co2-average or curtailment")
    ap.add_argument("--json", default=None, help="write the figures to this JSON file")
    a = ap.parse_args(argv)

    t = time.perf_counter()
    jobs = philly_jobs()
    sites = resolve_sites(jobs)
    signals = load_site_signals(sites, run_dir=a.run, signals_file=a.signals)
    print(f"load: {len(jobs):,} jobs, {len(sites)} sites x {int(sites.frame.n_accelerators.iat[0])} "
          f"accelerators, {len(signals.timestamps):,} signal hours: {time.perf_counter() - t:.1f} s")
    out = {"n_jobs": len(jobs), "accelerators_per_site": int(sites.frame.n_accelerators.iat[0]),
           "full": {}, "samples": []}
    params = ScheduleParams(objective=a.objective)
    p = build_problem(jobs, sites, signals, params)
    print(f"{'policy':<16}{'wall s':>8}{'cpu s':>7}{'energy MWh':>12}{'cost CNY':>12}{'tCO2 m':>9}{'tCO2 a':>9}"
          f"{'curt MWh':>10}{'delay h':>9}{'p95 h':>8}{'miss':>6}{'cap':>5}{'lat':>5}")
    for online in (False, True):
        names = POLICIES
        for name in names:
            q = p if not online else build_problem(jobs, sites, signals,
                                                           replace(params, online=True))
            t, tc = time.perf_counter(), time.process_time()
            site, start = run_policy(q, name)
            wall, cpu = time.perf_counter() - t, time.process_time() - tc
            m = evaluate(q, name, site, start, wall)
            label = name + (" (online)" if online else "")
            out["full"][label] = {**m.__dict__, "cpu_s": cpu}
            print(f"{label:<16}{wall:>8.2f}{cpu:>7.2f}{m.energy_mwh:>12.1f}{m.cost_cny:>12,.0f}{m.emissions_marginal_tco2:>9.1f}"
                  f"{m.emissions_average_tco2:>9.1f}"
                  f"{m.curtailment_absorbed_mwh:>10.1f}{m.mean_delay_h:>9.2f}{m.p95_delay_h:>8.2f}"
                  f"{m.deadline_misses:>6}{m.capacity_violations:>5}{m.latency_violations:>5}")
    f = out["full"]
    base = f["fifo-local"]["objective_value"]
    unit = f["fifo-local"]["objective_unit"]
    s_time = base - f["temporal"]["objective_value"]
    s_space = base - f["spatial"]["objective_value"]
    s_both = base - f["greedy"]["objective_value"]
    out["savings"] = {"unit": unit, "time": s_time, "space": s_space, "both": s_both}
    if s_time + s_space > 0:
        print(f"objective saving vs fifo-local: time only {s_time:,.1f} {unit}, space only {s_space:,.1f} "
              f"{unit}, both (greedy) {s_both:,.1f} {unit}; share from time {s_time / (s_time + s_space):.1%}, "
              f"from space {s_space / (s_time + s_space):.1%}")
    print(f"peak memory after full-trace runs: {peak_rss_mb():,.0f} MB")

    if not a.skip_optimal and a.samples > 0:
        n = len(jobs)
        step = n // (a.samples + 1)
        for k in range(1, a.samples + 1):
            sub = jobs.window(k * step, a.sample_size)
            sub_sites = resolve_sites(sub)
            if a.tight_frac:
                n_acc = max(int(np.ceil(a.tight_frac * sub_sites.frame.n_accelerators.iat[0])),
                            int(sub.frame.n_accelerators.max()))
                sub_sites = resolve_sites(sub, accelerators_per_site=n_acc)
            q = build_problem(sub, sub_sites, signals.subset(sub_sites.ids), params)
            t = time.perf_counter()
            g = run_policy(q, "greedy")
            tg = time.perf_counter() - t
            mg = evaluate(q, "greedy", *g, tg)
            t = time.perf_counter()
            site, start, info = run_optimal(q, time_limit_s=a.time_limit_s, initial=g)
            to = time.perf_counter() - t
            mo = evaluate(q, "optimal", site, start, to)
            gap = (mg.objective_value - mo.objective_value) / mo.objective_value
            gap_bound = (mg.objective_value - info["dual_bound"]) / info["dual_bound"]
            row = {"offset": k * step, "greedy_deadline_misses": mg.deadline_misses, "accelerators_per_site": int(sub_sites.frame.n_accelerators.iat[0]),
                   "greedy_objective": mg.objective_value, "optimal_objective": mo.objective_value,
                   "dual_bound": info["dual_bound"], "gap_frac": gap, "gap_to_bound_frac": gap_bound,
                   "greedy_s": tg, "optimal_s": to, "status": info["status"],
                   "n_candidates": info["n_candidates"]}
            out["samples"].append(row)
            print(f"sample @{k * step:>6}: greedy {mg.objective_value:,.1f} {unit} in {tg:.2f} s, optimal "
                  f"{mo.objective_value:,.1f} {unit} in {to:.0f} s ({info['status']}, {info['n_candidates']:,} "
                  f"candidates), bound {info['dual_bound']:,.1f}: gap {gap:.3%} "
                  f"(<= {gap_bound:.3%} to the bound)")
        print(f"peak memory: {peak_rss_mb():,.0f} MB")
    if a.json:
        with open(a.json, "w", encoding="utf-8") as fh:
            json.dump(out, fh, indent=2, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main())
