"""Benchmark: the 2030 brownfield capacity expansion (build, solve) at reduced time resolutions.

One fresh process per resolution; prints base-network build, expansion build, solve time, peak memory
(ru_maxrss), the solve's CPU time (process_time: user + system of all threads, a figure a shared machine
inflates less than wall time) and the machine (CPU count, load average). Target (issue 14): rep12 under 2 minutes. The hourly
expansion is not run by default (it needs a dedicated machine).

With ``--hipo-stats K`` each resolution instead stops HiPO after K interior-point iterations and prints
what decides the solve time and memory before it is spent: the presolved LP's size, HiPO's analyse time and
factorisation statistics (non-zeros of the Cholesky factor, its memory, floating-point operations per
factorisation) and the seconds per iteration (one factorisation and several solves with the factor each).
This is how the hourly figures of docs/grid-model.md ("Performance") were measured without the full solve.

Usage::

    PYTHONPATH=src python benchmarks/grid_expansion.py                    # rep12
    PYTHONPATH=src python benchmarks/grid_expansion.py --resolutions rep4,rep12
    PYTHONPATH=src python benchmarks/grid_expansion.py --resolutions 6h,1h --hipo-stats 3
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time

#: Lines of the HiGHS log read by ``--hipo-stats`` (HiGHS 1.15 HiPO log).
HIPO_STATS = {"rows": r"^Rows:\s+(\S+)", "cols": r"^Cols:\s+(\S+)", "nnz_a": r"^Nnz A:\s+(\S+)",
              "analyse_s": r"^Analyse time:\s+(\S+)", "factor_nnz": r"^Nnz:\s+(\S+)",
              "factor_gb": r"^Serial memory:\s+(\S+ \S+)", "flops": r"^Flops:\s+(\S+)"}
#: One iteration line of HiPO's log: iter, primal obj, dual obj, pinf, dinf, gap, time (seven columns).
ITERATION = re.compile(r"^\s*(\d+)\s+\S+\s+\S+\s+\S+\s+\S+\s+\S+\s+([0-9.]+)\s*$")


def hipo_stats(resolution: str, year: int, iterations: int, options: dict | None = None) -> dict:
    """Build the expansion LP, run HiPO for ``iterations`` iterations (with extra HiGHS ``options``) and read
    its log (see the module docstring). Seconds per iteration: the time between the first and the last
    iteration logged."""
    from computegrid.grid.capacity_expansion import solve_expansion
    from computegrid.grid.solve import SolveError
    from computegrid.services.grid_model.grid_expansion import expansion_problem

    n = expansion_problem(year, resolution)
    with tempfile.TemporaryDirectory() as tmp:
        log = os.path.join(tmp, "highs.log")
        t0 = time.perf_counter()
        # HiPO writes its statistics to the console only (not to HiGHS' log_file): the process's stdout
        # goes to the log file during the solve
        sys.stdout.flush()
        saved = os.dup(1)
        fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        os.dup2(fd, 1)
        try:
            solve_expansion(n, solver_options={**(options or {}), "ipm_iteration_limit": iterations,
                                               "output_flag": True, "log_to_console": True})
        except SolveError:
            pass  # the iteration limit ends the solve by design
        finally:
            sys.stdout.flush()
            os.dup2(saved, 1)
            os.close(fd)
            os.close(saved)
        wall = time.perf_counter() - t0
        with open(log, encoding="utf-8") as f:
            text = f.read().splitlines()
    out: dict = {"resolution": resolution, "n_snapshots": len(n.snapshots), "wall_s": wall,
                 "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0}
    for key, pattern in HIPO_STATS.items():
        hit = [m.group(1) for m in map(re.compile(pattern).match, text) if m]
        out[key] = hit[-1] if hit else None
    its = [(int(m.group(1)), float(m.group(2))) for m in map(ITERATION.match, text) if m]
    out["s_per_iteration"] = ((its[-1][1] - its[0][1]) / (its[-1][0] - its[0][0])
                              if len(its) > 1 and its[-1][0] > its[0][0] else None)
    return out


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
    ap.add_argument("--hipo-stats", type=int, default=0, metavar="K",
                    help="stop HiPO after K iterations and print its factorisation statistics")
    ap.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                    help="an extra HiGHS option for --hipo-stats (repeatable, value passed as text), e.g. hipo_system=augmented")
    ap.add_argument("--one", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        options = dict(o.split("=", 1) for o in args.option)
        print(json.dumps(hipo_stats(args.one, args.year, args.hipo_stats, options) if args.hipo_stats
                         else one(args.one, args.year)))
        return
    if args.hipo_stats:
        print_stats(args)
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


def print_stats(args) -> None:
    """``--hipo-stats``: one line per resolution (each in a fresh process)."""
    print(f"machine: {platform.processor() or platform.machine()}, cpu count {os.cpu_count()}, load average "
          f"{os.getloadavg()[0]:.1f} at start; options {args.option or 'none'}")
    for r in args.resolutions.split(","):
        extra = [a for o in args.option for a in ("--option", o)]
        proc = subprocess.run([sys.executable, __file__, "--one", r, "--year", str(args.year), "--hipo-stats",
                               str(args.hipo_stats), *extra], capture_output=True, text=True, check=True)
        d = json.loads(proc.stdout.strip().splitlines()[-1])
        spi = "n/a" if d["s_per_iteration"] is None else f"{d['s_per_iteration']:.1f}"
        print(f"{r:>6} snapshots {d['n_snapshots']}: LP {d['rows']} rows x {d['cols']} cols ({d['nnz_a']} nnz); "
              f"analyse {d['analyse_s']} s; factor {d['factor_nnz']} nnz, {d['factor_gb']}, {d['flops']} flops; "
              f"{spi} s per iteration; wall {d['wall_s']:.0f} s; peak {d['peak_rss_mb']:.0f} MB")
    print(f"load average at end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
