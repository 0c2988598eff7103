"""Benchmark: the 2024 base-year dispatch, computegrid's solve against a plain PyPSA solve of the same network.

Each case runs in a fresh process (peak memory = ru_maxrss). ``computegrid``: ``build_network`` +
``solve_network`` (direct highspy interface, dual simplex, the project's HiGHS options). ``plain``: the same
network and the same daily-schedule constraints, ``n.optimize(solver_name="highs")`` with PyPSA's
defaults, timed in two parts (linopy model creation, then HiGHS) to show where the time goes.

Usage::

    PYTHONPATH=src python benchmarks/grid_2024.py --resolution 3h
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time


def one(case: str, resolution: str) -> dict:
    t0 = time.perf_counter()
    from computegrid.grid.network import build_network
    from computegrid.grid.operations import daily_flat_schedules
    from computegrid.grid.parameters import base_year_parameters
    from computegrid.grid.solve import solve_network

    params = base_year_parameters(2024)
    extra = daily_flat_schedules(params.daily_scheduled_corridors)
    t1 = time.perf_counter()
    n = build_network(2024, resolution, base_year=2024, params=params)
    t2 = time.perf_counter()
    out = {"case": case, "resolution": resolution, "n_snapshots": len(n.snapshots), "import_s": t1 - t0,
           "build_s": t2 - t1}
    if case == "computegrid":
        res = solve_network(n, extra_functionality=extra)
        out.update(solve_s=time.perf_counter() - t2, objective_cny=res.objective_cny)
    else:
        n.optimize.create_model()
        extra(n, n.snapshots)
        t3 = time.perf_counter()
        n.optimize.solve_model(solver_name="highs")
        out.update(model_s=t3 - t2, highs_s=time.perf_counter() - t3, solve_s=time.perf_counter() - t2,
                   objective_cny=float(n.objective))
    out["total_s"] = time.perf_counter() - t0
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--resolution", default="3h")
    ap.add_argument("--one", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(one(*args.one)))
        return
    print(f"machine: {platform.node()} {platform.machine()} {platform.processor() or ''}, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}, python {platform.python_version()}")
    print(f"{'case':>12} {'snapshots':>9} {'build s':>8} {'model s':>8} {'HiGHS s':>8} {'solve s':>8} "
          f"{'total s':>8} {'peak MB':>8} {'objective':>12}")
    for case in ("computegrid", "plain"):
        proc = subprocess.run([sys.executable, __file__, "--one", case, args.resolution], capture_output=True,
                              text=True)
        if proc.returncode != 0:
            print(f"{case:>12} failed: {proc.stderr.strip().splitlines()[-1] if proc.stderr else proc.returncode}")
            continue
        d = json.loads(proc.stdout.strip().splitlines()[-1])
        print(f"{case:>12} {d['n_snapshots']:>9} {d['build_s']:>8.1f} {d.get('model_s', float('nan')):>8.1f} "
              f"{d.get('highs_s', float('nan')):>8.1f} {d['solve_s']:>8.1f} {d['total_s']:>8.1f} "
              f"{d['peak_rss_mb']:>8.0f} {d['objective_cny']:>12.4e}", flush=True)
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
