"""Benchmark of `computegrid plan` (default scenario china-2030): time, peak memory, and the error of
coarse resolutions against the finest one run.

Each resolution runs in its own process; it solves the no-AI reference and the three scenarios without
writing a run folder (from 1,000 snapshots on, in two worker processes: `services/plan/pipeline.py`). Peak
memory is the largest sum of the resident memory of that process and all its descendants, sampled
every 0.2 s from /proc (so two workers running at once count together). Prints one line per
resolution and, at the end, the relative error of each run's headline figures against the finest
resolution given.

    python benchmarks/plan.py                      # 3h and 1h (the issue's benchmark; long)
    python benchmarks/plan.py rep8 rep16 6h 3h     # any list, finest last
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time

CHILD = r"""
import json, logging, resource, sys, time, warnings
warnings.filterwarnings("ignore")
logging.disable(logging.WARNING)
t0 = time.perf_counter()
from computegrid.services.plan.pipeline import run_plan
r = run_plan(resolution=sys.argv[1], out_dir=None, figures=False)
s = r.summary
co, sq, ws = (s["scenarios"][k] for k in ("co-optimised", "status-quo", "west-static"))
out = {"resolution": sys.argv[1], "n_snapshots": s["n_snapshots"], "wall_s": time.perf_counter() - t0,
       "cpu_s": sum(getattr(resource.getrusage(who), f) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
                    for f in ("ru_utime", "ru_stime")),  # the worker processes included
       "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
       "co_cost_cny_per_year": co["system_cost_cny_per_year"],
       "savings_vs_status_quo_cny_per_year": s["savings_vs_status_quo_cny_per_year"],
       "savings_vs_west_static_cny_per_year": s["savings_vs_west_static_cny_per_year"],
       "curtailment_no_ai_twh_per_year": co["curtailment_no_ai_twh_per_year"],
       "co_curtailment_twh_per_year": co["curtailment_twh_per_year"],
       "co_emissions_mt_co2_per_year": co["emissions_mt_co2_per_year"],
       "co_ai_from_curtailment_frac": co["ai_energy_from_curtailment_frac"],
       "co_ai_west_frac": co["ai_energy_west_frac"],
       "co_capacity_total_mw": co["dc_capacity_total_mw"],
       "sq_cost_cny_per_year": sq["system_cost_cny_per_year"], "ws_cost_cny_per_year": ws["system_cost_cny_per_year"],
       "reference_cost_cny_per_year": s["reference_no_ai"]["system_cost_cny_per_year"],
       "max_solver_rel_gap": max((v.get("solver_rel_gap") or 0.0) for v in s["scenarios"].values())}
print("RESULT " + json.dumps(out))
"""

KEYS = ("reference_cost_cny_per_year", "co_cost_cny_per_year", "savings_vs_status_quo_cny_per_year",
        "savings_vs_west_static_cny_per_year", "curtailment_no_ai_twh_per_year",
        "co_curtailment_twh_per_year", "co_emissions_mt_co2_per_year", "co_ai_from_curtailment_frac",
        "co_ai_west_frac", "co_capacity_total_mw")


def _tree_rss_mb(root: int) -> float:
    """Resident memory of process ``root`` and all its descendants, from /proc (Linux). [MB]"""
    parent, rss = {}, {}
    page_kb = os.sysconf("SC_PAGE_SIZE") / 1024
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{entry}/statm") as f:
                rss[int(entry)] = int(f.read().split()[1]) * page_kb / 1024
            parent[int(entry)] = int(fields[1])
        except (OSError, IndexError, ValueError):
            continue
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0.0)
        todo += [c for c, p in parent.items() if p == pid]
    return total


def run(resolution: str) -> dict:
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", CHILD, resolution], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    peak = [0.0]

    def sample() -> None:
        while proc.poll() is None:
            peak[0] = max(peak[0], _tree_rss_mb(proc.pid))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = proc.communicate()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"{resolution} failed:\n{stderr[-2000:]}")
    line = next(x for x in stdout.splitlines() if x.startswith("RESULT "))
    out = json.loads(line[len("RESULT "):])
    out["process_wall_s"] = time.perf_counter() - t0
    # the 0.2 s samples can miss a short peak of the main process, whose own maximum is exact
    out["peak_tree_rss_mb"] = max(peak[0], out["peak_rss_mb"])
    return out


def main(resolutions: list[str]) -> None:
    results = []
    for res in resolutions:
        r = run(res)
        results.append(r)
        print(f"{res:>6}: {r['n_snapshots']:5d} snapshots, wall {r['process_wall_s']:7.1f} s (cpu {r['cpu_s']:7.1f} s), "
              f"peak memory {r['peak_tree_rss_mb']:7.0f} MB (all processes; main process alone {r['peak_rss_mb']:.0f} MB); co-optimised cost {r['co_cost_cny_per_year'] / 1e9:,.1f} bn CNY/yr, "
              f"saves {r['savings_vs_status_quo_cny_per_year'] / 1e9:,.2f} bn vs status-quo; "
              f"largest solver gap {r['max_solver_rel_gap']:.1e}", flush=True)
    ref = results[-1]
    print(f"\nerror against {ref['resolution']}:")
    for r in results[:-1]:
        errs = {k: (r[k] - ref[k]) / abs(ref[k]) if ref[k] else float("nan") for k in KEYS}
        print(f"{r['resolution']:>6}: " + ", ".join(f"{k} {v:+.1%}" for k, v in errs.items()))
    print("\nJSON " + json.dumps(results))


if __name__ == "__main__":
    main(sys.argv[1:] or ["3h", "1h"])
