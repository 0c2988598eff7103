"""Benchmark: the 2024 base-year dispatch, computegrid's path against a plain PyPSA solve of the same network.

Two cases per resolution, each in a fresh process (peak memory = the child's ``VmHWM``):

``computegrid``
    :func:`computegrid.grid.base_year.solve_base_year` as the CLI runs it (``grid validate``): the
    network of ``base_year_network``, PyPSA's limit rows turned into variable bounds, the 2024 operating
    rules, linopy's direct highspy interface, HiGHS with 2 threads.
``plain``
    The same network and the same operating rules (``extra_functionality``), solved by
    ``n.optimize(solver_name="highs", extra_functionality=rules)`` with PyPSA's and linopy's defaults
    (LP file, HiGHS' default threads).

Each run is split into five phases, timed by wrapping PyPSA's ``create_model``, linopy's ``Model.solve``
and linopy's call of ``highspy.Highs.run`` (nothing in the package is changed):

* network: building the PyPSA network (data files, profiles, components);
* model: linopy model creation (variables, constraints, objective, the operating rules);
* hand-over: from the linopy model to HiGHS (direct: highspy arrays; plain: LP file written and read);
* HiGHS: ``Highs.run`` (presolve, dual simplex, postsolve);
* write-back: the solution and duals read back into the network.

A watchdog in the parent stops a case whose memory passes ``--max-rss-gb`` (the machine is shared) and
reports the phase it had reached. The machine (CPU model, cores, memory) and the load average (start,
mean and maximum during each case, end) are printed with the table.

Usage::

    PYTHONPATH=src python benchmarks/grid_2024.py --resolutions 3h
    PYTHONPATH=src python benchmarks/grid_2024.py --resolutions 3h,1h --max-rss-gb 8
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import threading
import time

CASES = ("computegrid", "plain")
PHASES = ("network", "model", "hand-over", "HiGHS", "write-back")


def _instrument(marks: dict) -> None:
    """Record the start of model creation, of linopy's solve and of HiGHS' run, and HiGHS' end, in
    ``marks`` (wall-clock seconds); print each phase to stderr so the parent knows where a run stands."""
    import linopy.model
    import linopy.solvers
    from pypsa.optimization.optimize import OptimizationAccessor

    def stamp(key: str) -> None:
        marks[key] = time.perf_counter()
        print(f"phase {key}", file=sys.stderr, flush=True)

    create, solve, run = (OptimizationAccessor.create_model, linopy.model.Model.solve,
                          linopy.solvers._run_highs_with_keyboard_interrupt)

    def create_model(self, *a, **k):
        stamp("model")
        return create(self, *a, **k)

    def model_solve(self, *a, **k):
        stamp("hand-over")
        return solve(self, *a, **k)

    def highs_run(h):
        stamp("HiGHS")
        try:
            return run(h)
        finally:
            stamp("write-back")

    OptimizationAccessor.create_model = create_model
    linopy.model.Model.solve = model_solve
    linopy.solvers._run_highs_with_keyboard_interrupt = highs_run


def _peak_rss_mb() -> float:
    """Peak resident memory of this process (VmHWM). [MB]"""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def one(case: str, resolution: str) -> dict:
    """Build and solve one case in this process; the phase times, objective and peak memory."""
    t_start = time.perf_counter()
    from computegrid.grid import results as R
    from computegrid.grid.base_year import base_year_network, solve_base_year

    marks: dict = {}
    _instrument(marks)
    t0 = time.perf_counter()
    if case == "computegrid":
        n, res = solve_base_year(2024, resolution)
        objective, status = res.objective_cny, res.termination_condition
    else:
        n, rules, _ = base_year_network(2024, resolution)
        status, condition = n.optimize(solver_name="highs", extra_functionality=rules)
        objective, status = float(n.objective), str(condition)
    t_end = time.perf_counter()
    edges = [t0, marks["model"], marks["hand-over"], marks["HiGHS"], marks["write-back"], t_end]
    phases = {p: edges[i + 1] - edges[i] for i, p in enumerate(PHASES)}
    shed = R.generation_by_carrier_twh(n).get("load-shedding", 0.0)
    return {"case": case, "resolution": resolution, "n_snapshots": len(n.snapshots),
            "import_s": t0 - t_start, "phases_s": phases, "total_s": t_end - t0,
            "objective_cny": objective, "condition": status, "load_shedding_twh": float(shed),
            "n_rows": int(n.model.constraints.ncons), "n_columns": int(n.model.variables.nvars),
            "peak_rss_mb": _peak_rss_mb()}


def machine() -> str:
    """CPU model, logical cores, memory and Python of this machine, in one line."""
    cpu = platform.processor() or platform.machine()
    mem_gb = float("nan")
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next((ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name")), cpu)
        with open("/proc/meminfo") as fh:
            mem_gb = next(int(ln.split()[1]) for ln in fh if ln.startswith("MemTotal")) / 1024**2
    except (OSError, StopIteration):
        pass
    return (f"{cpu}, {os.cpu_count()} logical cores, {mem_gb:.1f} GB memory, {platform.system()}, "
            f"python {platform.python_version()}")


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as fh:
            return next(int(ln.split()[1]) for ln in fh if ln.startswith("VmRSS:")) / 1024.0
    except (OSError, StopIteration):
        return 0.0


def run_case(case: str, resolution: str, max_rss_mb: float) -> dict:
    """Run :func:`one` in a child process under the memory watchdog; its result, or why it stopped."""
    cmd = [sys.executable, __file__, "--one", case, resolution]
    start = time.perf_counter()
    loads, peak, stopped, phase_log, tail = [], 0.0, None, [], []
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as proc:

        def read_stderr() -> None:
            for line in proc.stderr:
                if line.startswith("phase "):
                    phase_log.append(line.split()[1])
                tail[:] = (tail + [line.rstrip()])[-3:]

        reader = threading.Thread(target=read_stderr, daemon=True)
        reader.start()
        while proc.poll() is None:
            time.sleep(1.0)
            loads.append(os.getloadavg()[0])
            peak = max(peak, _rss_mb(proc.pid))
            if peak > max_rss_mb and stopped is None:
                stopped = f"stopped at {peak:,.0f} MB memory after {time.perf_counter() - start:.0f} s"
                proc.kill()
        out = proc.stdout.read()
        reader.join(timeout=5)
    load = {"mean": sum(loads) / len(loads) if loads else float("nan"), "max": max(loads, default=float("nan"))}
    if stopped or proc.returncode != 0:
        why = stopped or f"exit code {proc.returncode}: {' | '.join(tail)}"
        return {"case": case, "resolution": resolution, "failed": why,
                "phase_reached": phase_log[-1] if phase_log else "network", "wall_s": time.perf_counter() - start,
                "peak_rss_mb": peak, "load": load}
    d = json.loads(out.strip().splitlines()[-1])
    d["load"] = load
    return d


def print_row(d: dict) -> None:
    """One line of the table."""
    name = f"{d['case']} {d['resolution']}"
    if "failed" in d:
        print(f"{name:>16} {d['failed']} (in phase {d['phase_reached']}); load mean {d['load']['mean']:.1f}",
              flush=True)
        return
    ph = " ".join(f"{d['phases_s'][p]:>12.1f}" for p in PHASES)
    print(f"{name:>16} {ph} {d['total_s']:>8.1f} {d['peak_rss_mb']:>8,.0f} {d['objective_cny']:>11.5e} "
          f"{d['load']['mean']:>5.1f}/{d['load']['max']:<5.1f}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--resolutions", default="3h", help="comma-separated, e.g. 3h,1h")
    ap.add_argument("--cases", default=",".join(CASES))
    ap.add_argument("--max-rss-gb", type=float, default=8.0, help="stop a case above this memory [GB]")
    ap.add_argument("--json", help="also write the results to this file")
    ap.add_argument("--one", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(one(*args.one)))
        return
    print(f"machine: {machine()}")
    print(f"load average at the start {os.getloadavg()[0]:.1f} (1 min) - other processes share the cores")
    head = " ".join(f"{p + ' s':>12}" for p in PHASES)
    print(f"{'case':>16} {head} {'total s':>8} {'peak MB':>8} {'objective':>11} {'load':>11}")
    results = []
    for r in [x.strip() for x in args.resolutions.split(",") if x.strip()]:
        for case in [c.strip() for c in args.cases.split(",") if c.strip()]:
            d = run_case(case, r, args.max_rss_gb * 1024.0)
            print_row(d)
            results.append(d)
    print(f"load average at the end {os.getloadavg()[0]:.1f}; 'load' column: mean/max of the 1-min load average "
          "during the case")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"machine": machine(), "results": results}, fh, indent=1)


if __name__ == "__main__":
    main()
