"""Benchmark: outlook Monte Carlo, 100,000 draws x 12 years per scenario (target: < 2 s on two cores).

Prints wall time per scenario (sampling, model and P5/P50/P95 percentiles of every region) and
the process's peak memory. Run: ``PYTHONPATH=src python benchmarks/outlook.py``.
"""

from __future__ import annotations

import resource
import sys
import time

from computegrid.demand.outlook import OUTLOOK_YEARS, percentiles, simulate
from computegrid.demand.scenarios import load_scenarios

N_DRAWS = 100_000


def main() -> int:
    scenarios = load_scenarios()
    simulate(next(iter(scenarios.values())), 100, seed=0)  # warm-up (imports, caches)
    print(f"outlook Monte Carlo: {N_DRAWS:,} draws x {len(OUTLOOK_YEARS)} years")
    worst = 0.0
    for name, scenario in scenarios.items():
        t0 = time.perf_counter()
        draws = simulate(scenario, N_DRAWS, seed=0)
        for region, values in draws.energy_twh.items():
            percentiles(values)
            percentiles(draws.peak_power_gw(region))
        wall_s = time.perf_counter() - t0
        worst = max(worst, wall_s)
        print(f"  {name:18s} {wall_s:6.3f} s")
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"slowest scenario: {worst:.3f} s (target < 2 s); peak memory: {peak_mib:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
