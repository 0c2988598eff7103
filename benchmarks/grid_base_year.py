"""Benchmark: build and solve the 2020 base-year dispatch at several time resolutions.

Prints build time, solve time and peak memory (ru_maxrss of a fresh process per resolution).
Targets (issue 3, two cores): 3-hourly under 60 s; full hourly year under 10 minutes and 8 GB.

Usage::

    PYTHONPATH=src python benchmarks/grid_base_year.py                 # 3h then 1h
    PYTHONPATH=src python benchmarks/grid_base_year.py --resolutions 3h,24h,rep12
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time


def one(resolution: str) -> dict:
    t0 = time.perf_counter()
    from computegrid.grid import results as R
    from computegrid.grid.network import build_network
    from computegrid.grid.solve import solve_network

    t_import = time.perf_counter() - t0
    t1 = time.perf_counter()
    n = build_network(2020, resolution)
    t2 = time.perf_counter()
    res = solve_network(n)
    t3 = time.perf_counter()
    gen = R.generation_by_carrier_twh(n)
    return {"resolution": resolution, "n_snapshots": len(n.snapshots), "import_s": t_import,
            "build_s": t2 - t1, "solve_s": t3 - t2, "total_s": t3 - t0, "objective_cny": res.objective_cny,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
            "generation_twh": {k: round(float(v), 1) for k, v in gen.items()}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--resolutions", default="3h,1h")
    ap.add_argument("--one", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(one(args.one)))
        return
    print(f"cpu count {os.cpu_count()}, load average {os.getloadavg()[0]:.1f} (shared machines inflate times)")
    print(f"{'resolution':>10} {'snapshots':>9} {'build s':>8} {'solve s':>8} {'total s':>8} {'peak MB':>8}")
    runs = {}
    for r in [x.strip() for x in args.resolutions.split(",") if x.strip()]:
        proc = subprocess.run([sys.executable, __file__, "--one", r], capture_output=True, text=True)
        if proc.returncode != 0:
            print(f"{r:>10} failed: {proc.stderr.strip().splitlines()[-1] if proc.stderr else proc.returncode}")
            continue
        d = json.loads(proc.stdout.strip().splitlines()[-1])
        print(f"{r:>10} {d['n_snapshots']:>9} {d['build_s']:>8.1f} {d['solve_s']:>8.1f} {d['total_s']:>8.1f} "
              f"{d['peak_rss_mb']:>8.0f}", flush=True)
        runs[r] = d
    if "1h" in runs and len(runs) > 1:
        from computegrid.services.grid_model.grid_resolution import ResolutionRun, resolution_errors

        def as_run(d):
            return ResolutionRun(d["resolution"], d["n_snapshots"], d["objective_cny"], d["generation_twh"],
                                 d["build_s"], d["solve_s"])

        errors = resolution_errors(as_run(runs["1h"]), [as_run(d) for k, d in runs.items() if k != "1h"])
        print("\nerror against the hourly model (objective; generation by carrier, carriers > 1 TWh)")
        for e in errors:
            gen = ", ".join(f"{c} {v:+.2%}" for c, v in sorted(e["generation_error_frac"].items()))
            print(f"{e['resolution']:>10} objective {e['objective_error_frac']:+.3%}; {gen}")
        print(json.dumps({"reference": runs["1h"], "reduced": errors}, default=float))


if __name__ == "__main__":
    main()
