"""Benchmark: estimate 1,000,000 training runs, vectorised (target: under 1 s on two cores).

Each run draws its accelerator count, power, compute, MFU, PUE and grid intensity; the estimators
compute duration (from compute), energy and emissions in a few numpy passes. Prints wall time
and peak memory (tracemalloc: numpy allocations) plus the process's maximum resident set size.
"""

from __future__ import annotations

import resource
import time
import tracemalloc

import numpy as np

from computegrid.workload.energy import emissions_tco2, training_duration_h, training_energy_mwh

N_RUNS = 1_000_000


def main() -> None:
    rng = np.random.default_rng(2021)
    n_acc = rng.integers(8, 16_384, N_RUNS)
    peak_tflops = rng.choice([125.0, 312.0, 989.5, 2250.0], N_RUNS)
    power_w = rng.uniform(250.0, 1000.0, N_RUNS)
    flops = 10.0 ** rng.uniform(20, 25, N_RUNS)
    mfu = rng.uniform(0.2, 0.6, N_RUNS)
    pue = rng.uniform(1.05, 1.6, N_RUNS)
    intensity = rng.uniform(0.02, 0.9, N_RUNS)

    tracemalloc.start()
    t0 = time.perf_counter()
    duration_h = training_duration_h(flops, n_acc, peak_tflops, mfu)
    energy_mwh = training_energy_mwh(n_acc, power_w, duration_h, pue)
    co2_t = emissions_tco2(energy_mwh, intensity)
    elapsed = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"estimate: {N_RUNS:,} training runs (duration, energy, emissions) in {elapsed:.3f} s "
          f"({N_RUNS / elapsed / 1e6:.1f} M runs/s)")
    print(f"estimate: peak traced memory {peak / 2**20:.1f} MiB; max RSS {rss_mib:.0f} MiB")
    print(f"estimate: check sums: energy {energy_mwh.sum():.4g} MWh, emissions {co2_t.sum():.4g} t")


if __name__ == "__main__":
    main()
