"""Build the default grid signals (timed) and validate the marginal emission factors by re-solves.

1. The default signals: the validated base-year dispatch at ``--resolution`` (3h), as
   ``computegrid.grid.signals.province_signals`` does it; wall and CPU time, peak memory; the
   frame is written to the user cache (``services.signals.grid_cache_path``) unless
   ``--no-cache``.
2. Validation: ``--samples`` bus-snapshots, a third drawn uniformly, the rest among those
   whose factor is 0 or not the most common one (the informative cases: storage,
   congestion, curtailment at the margin). At each, ``delta`` ~ U(1, 10) MW of load is added and the
   dispatch re-solved to optimality (strata: uniform over all bus-snapshots, factor 0, and
   factor neither 0 nor the most common one) (``grid.marginal_emissions.perturbation_factors``); the
   error of the basis factor against the re-solved one is summarised.

Usage::

    PYTHONPATH=src python benchmarks/marginal_emissions.py [--resolution 3h] [--samples 60] [--out FILE.json]
"""

from __future__ import annotations

import argparse
import json
import resource
import time

import numpy as np


def build_signals(year: int, resolution: str, cache: bool):
    """Build and solve the base-year network, read the signals out; print and return timings."""
    from computegrid.datasets.grid import TIME_ZONE
    from computegrid.grid.marginal_emissions import marginal_emission_factors
    from computegrid.grid.base_year import solve_base_year
    from computegrid.grid.signals import signals_from_network
    from computegrid.io.atomic import atomic_write
    from computegrid.services.signals.grid_signals import grid_cache_path

    t0, c0 = time.perf_counter(), time.process_time()
    n, _ = solve_base_year(year, resolution, threads=2)
    t_solve = time.perf_counter() - t0
    frame = signals_from_network(n, TIME_ZONE)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    t1 = time.perf_counter()
    marginal_emission_factors(n)
    t_mef = time.perf_counter() - t1
    print(f"signal build {year} {resolution}: wall {wall:.1f} s (build+solve {t_solve:.1f} s), "
          f"CPU {cpu:.1f} s, marginal factors alone {t_mef:.2f} s, "
          f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    if cache:
        path = grid_cache_path(year, resolution)
        atomic_write(path, lambda tmp: frame.to_parquet(tmp, index=False))
        print(f"cached at {path}")
    return n, {"signal_build_wall_s": wall, "signal_build_cpu_s": cpu, "marginal_factors_s": t_mef}


def draw_samples(mef, n_samples: int, rng):
    """Bus-snapshots in three strata: uniform, factor 0, factor neither 0 nor the modal one."""
    vals = mef.to_numpy()
    mode = float(np.bincount(np.round(vals * 1000).astype(int).ravel().clip(0)).argmax()) / 1000
    strata = {"uniform": np.argwhere(np.isfinite(vals)),
              "zero": np.argwhere(np.abs(vals) <= 0.005),
              "other": np.argwhere((np.abs(vals - mode) > 0.005) & (np.abs(vals) > 0.005))}
    want = {"uniform": n_samples // 3, "zero": n_samples // 6}
    want["other"] = n_samples - sum(want.values())
    pick, labels = [], []
    for name, cells in strata.items():
        k = min(want[name], len(cells))
        pick += [tuple(x) for x in cells[rng.choice(len(cells), k, replace=False)]]
        labels += [name] * k
    return [(int(t), str(mef.columns[b])) for t, b in pick], labels, mode


def summarise(pf, vals, mode):
    """Error distribution of the basis factors against the re-solves."""
    err = pf["mef_basis_t_per_mwh"] - pf["mef_resolve_t_per_mwh"]
    pf["abs_error_t_per_mwh"] = err.abs()
    pf["rel_error_frac"] = err.abs() / pf["mef_resolve_t_per_mwh"].abs().clip(lower=1e-3)
    q = pf["abs_error_t_per_mwh"].quantile([0.5, 0.9, 0.95, 1.0])
    common = {f"{v:.3f}": int(c) for v, c in zip(*np.unique(np.round(vals, 3), return_counts=True))
              if c >= 0.01 * vals.size}
    return {
        "n_samples": len(pf), "modal_factor_t_per_mwh": mode,
        "factors_over_1pct_of_bus_snapshots": common,
        "negative_factors": int((vals < -1e-9).sum()),
        "abs_error_quantiles_t_per_mwh": {str(k): float(v) for k, v in q.items()},
        "within_5pct": int((pf["rel_error_frac"] <= 0.05).sum()),
        "basis_changed": int(pf["basis_changed"].sum()),
        "by_stratum": {s: {"n": int(len(g)), "within_5pct": int((g["rel_error_frac"] <= 0.05).sum()),
                           "max_abs_error_t_per_mwh": float(g["abs_error_t_per_mwh"].max())}
                       for s, g in pf.groupby("stratum")},
    }


def main(argv=None) -> int:
    from computegrid.grid.marginal_emissions import marginal_emission_factors, perturbation_factors
    from computegrid.services.signals.grid_signals import DEFAULT_GRID_YEAR

    ap = argparse.ArgumentParser()
    ap.add_argument("--year", type=int, default=DEFAULT_GRID_YEAR)
    ap.add_argument("--resolution", default="3h")
    ap.add_argument("--samples", type=int, default=60)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-cache", action="store_true")
    ap.add_argument("--out", default=None)
    a = ap.parse_args(argv)

    n, timing = build_signals(a.year, a.resolution, not a.no_cache)
    mef = marginal_emission_factors(n)
    rng = np.random.default_rng(a.seed)
    samples, labels, mode = draw_samples(mef, a.samples, rng)
    deltas = rng.uniform(1.0, 10.0, len(samples))
    t2 = time.perf_counter()
    pf = perturbation_factors(n, samples, deltas)
    pf["stratum"] = labels
    summary = {"year": a.year, "resolution": a.resolution, **timing,
               "resolve_wall_s": time.perf_counter() - t2, **summarise(pf, mef.to_numpy(), mode)}
    print(json.dumps(summary, indent=1))
    print(pf.drop(columns=["snapshot"]).round(4).to_string())
    if a.out:
        with open(a.out, "w") as fh:
            json.dump({"summary": summary, "samples": json.loads(pf.to_json(orient="records",
                                                                            date_format="iso"))}, fh,
                      indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
