"""Time and peak memory of ``computegrid headroom``.

Peak method: 31 provinces + 7 regional grids x 4 limits from the embedded data (target: under 5 s,
loading the data included). Grid method (``--grid``): the 124 LPs (31 provinces x 4 limits) at the
chosen resolution; prints build and solve time.

    python benchmarks/headroom.py [--grid] [--resolution 24h] [--repeat 3]
"""

from __future__ import annotations

import argparse
import resource
import time
import tracemalloc


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grid", action="store_true", help="also run the grid method")
    parser.add_argument("--resolution", default="24h", help="grid method resolution")
    parser.add_argument("--repeat", type=int, default=3, help="runs of the peak method")
    args = parser.parse_args()

    from computegrid.services.outlook.headroom import compute_headroom

    rows = []
    for i in range(args.repeat):
        tracemalloc.start()
        start = time.perf_counter()
        res = compute_headroom(method="peak")
        wall = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        rows.append(("peak", f"run {i + 1}", len(res.regions), len(res.limits_pct), wall, peak / 2**20))
    if args.grid:
        start = time.perf_counter()
        res = compute_headroom(method="grid", resolution=args.resolution)
        wall = time.perf_counter() - start
        rows.append((f"grid {args.resolution}", f"build {res.extra['build_s']:.1f} s, solves "
                     f"{res.extra['solve_s']:.1f} s", len(res.regions), len(res.limits_pct), wall, float("nan")))
    print(f"{'method':<10} {'run':<32} {'regions':>7} {'limits':>6} {'wall [s]':>9} {'py peak [MiB]':>13}")
    for method, run, n_reg, n_lim, wall, mem in rows:
        print(f"{method:<10} {run:<32} {n_reg:>7} {n_lim:>6} {wall:>9.2f} {mem:>13.1f}")
    print(f"process max RSS {_rss_mb():.0f} MiB (includes imports and, with --grid, the LP)")


if __name__ == "__main__":
    main()
