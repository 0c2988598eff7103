"""Benchmark: the 2030 brownfield capacity expansion (build, solve) at reduced time resolutions.

One fresh process per resolution; prints base-network build, expansion build, solve time, peak memory
(ru_maxrss), the solve's CPU time (process_time: user + system of all threads, a figure a shared machine
inflates less than wall time) and the machine (CPU count, load average). Target (issue 14): rep12 under 2 minutes. The hourly
expansion is not run by default (it needs a dedicated machine).

Usage::

    PYTHONPATH=src python benchmarks/grid_expansion.py                    # rep12
    PYTHONPATH=src python benchmarks/grid_expansion.py --resolutions rep4,rep12
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


def one(resolution: str, year: int) -> dict:
    t0 = time.perf_counter()
    from computegrid.grid.capacity_expansion import expand_network, fix_capacities, solve_expansion
    from computegrid.services.grid_model.grid_expansion import BASE_YEAR, base_network

    t1 = time.perf_counter()
    base = base_network(resolution, year)
    t2 = time.perf_counter()
    from computegrid.grid.parameters import base_year_parameters

    n = expand_network(base, year, base_year=BASE_YEAR, grid=base_year_parameters(BASE_YEAR))
    t3 = time.perf_counter()
    cpu0 = time.process_time()
    res = solve_expansion(n)
    t4 = time.perf_counter()
    solve_cpu = time.process_time() - cpu0
    fix_capacities(n)
    new = n.generators[n.generators.index.str.endswith(" new")]
    return {"resolution": resolution, "n_snapshots": len(n.snapshots), "import_s": t1 - t0,
            "base_build_s": t2 - t1, "expand_s": t3 - t2, "solve_s": t4 - t3, "solve_cpu_s": solve_cpu, "total_s": t4 - t0,
            "objective_cny": res.objective_cny,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
            "new_gw": {k: round(float(v) / 1e3, 1) for k, v in new.groupby("carrier").p_nom.sum().items()}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--resolutions", default="rep12")
    ap.add_argument("--year", type=int, default=2030)
    ap.add_argument("--one", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.year)))
        return
    print(f"machine: {platform.processor() or platform.machine()}, cpu count {os.cpu_count()}, load average "
          f"{os.getloadavg()[0]:.1f} at start (a shared machine inflates times)")
    print(f"{'resolution':>10} {'snapshots':>9} {'base s':>7} {'expand s':>8} {'solve s':>8} {'total s':>8} "
          f"{'solve CPU s':>11} {'peak MB':>8}")
    for r in args.resolutions.split(","):
        proc = subprocess.run([sys.executable, __file__, "--one", r, "--year", str(args.year)],
                              capture_output=True, text=True, check=True)
        d = json.loads(proc.stdout.strip().splitlines()[-1])
        print(f"{r:>10} {d['n_snapshots']:>9} {d['base_build_s']:>7.1f} {d['expand_s']:>8.1f} "
              f"{d['solve_s']:>8.1f} {d['total_s']:>8.1f} {d['solve_cpu_s']:>11.1f} {d['peak_rss_mb']:>8.0f}   new GW {d['new_gw']}")
    print(f"load average at end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
