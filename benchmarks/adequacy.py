"""Benchmark: 16 adequacy solves of the 31-province model, serial vs a 2-worker Dask LocalCluster.

Each solve is the year-2030 grid (planned fleet, representative days ``rep4`` by default) with a
different AI load; both runs include building the base network once per process. Prints wall times,
the speed-up, whether the results are identical, and peak memory (this process and its children).
Run: ``PYTHONPATH=src python benchmarks/adequacy.py [resolution]``.
"""

from __future__ import annotations

import os
import resource
import sys
import time
import warnings

from computegrid.grid.adequacy import solve_adequacy_case
from computegrid.services.outlook.sweep import Task, run_sweep

N_SOLVES = 16


def main() -> int:
    warnings.simplefilter("ignore", FutureWarning)
    resolution = sys.argv[1] if len(sys.argv) > 1 else "rep4"
    tasks = [Task(f"solve{i}", {"year": 2030, "resolution": resolution, "supply": "planned",
                                "ai_load_mw": {"NM": 5_000.0 * i, "GD": 5_000.0 * i},
                                "peak_to_average_ratio": 1.15}) for i in range(N_SOLVES)]
    print(f"adequacy: {N_SOLVES} solves, 31-province grid 2030 at {resolution}")
    t0 = time.perf_counter()
    serial = run_sweep(solve_adequacy_case, tasks, workers=0, progress=False)
    t_serial = time.perf_counter() - t0
    t0 = time.perf_counter()
    dask = run_sweep(solve_adequacy_case, tasks, workers=2, progress=False)
    t_dask = time.perf_counter() - t0
    same = all(a.ok and b.ok and {k: v for k, v in a.result.items() if k != "solve_s"}
               == {k: v for k, v in b.result.items() if k != "solve_s"} for a, b in zip(serial, dask))
    solve_s = [o.result["solve_s"] for o in serial if o.ok]
    print(f"  serial (1 process):       {t_serial:7.1f} s  (mean per solve {sum(solve_s) / len(solve_s):.2f} s)")
    print(f"  Dask LocalCluster, 2 workers: {t_dask:7.1f} s  (cluster start included)")
    print(f"  speed-up: {t_serial / t_dask:.2f}x; results identical: {same}")
    self_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"  load average during the run (1/5/15 min): {os.getloadavg()} on {os.cpu_count()} cores")
    print(f"  peak memory: {self_mib:.0f} MiB (this process), {child_mib:.0f} MiB (largest worker)")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
