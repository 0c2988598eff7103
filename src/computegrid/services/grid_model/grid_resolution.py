"""Use case: error of reduced time resolutions against a reference (normally the full hourly year)."""

from __future__ import annotations

import time
from dataclasses import dataclass


@dataclass(frozen=True)
class ResolutionRun:
    """One solved resolution: objective [CNY], generation by carrier [TWh], wall times [s]."""

    resolution: str
    n_snapshots: int
    objective_cny: float
    generation_twh: dict
    build_s: float
    solve_s: float


def run_resolution(year: int, resolution: str, inputs=None) -> ResolutionRun:
    """Build and solve the base-year dispatch at one resolution."""
    from computegrid.grid import results as R
    from computegrid.grid.network import build_network
    from computegrid.grid.solve import solve_network

    t0 = time.perf_counter()
    n = build_network(year, resolution, inputs=inputs)
    t1 = time.perf_counter()
    res = solve_network(n)
    t2 = time.perf_counter()
    gen = R.generation_by_carrier_twh(n)
    return ResolutionRun(resolution=resolution, n_snapshots=len(n.snapshots), objective_cny=res.objective_cny,
                         generation_twh={k: float(v) for k, v in gen.items()}, build_s=t1 - t0, solve_s=t2 - t1)


def resolution_errors(reference: ResolutionRun, reduced: list[ResolutionRun]) -> list[dict]:
    """Relative error of objective and of generation by carrier of each reduced run vs the reference.

    Returns
    -------
    list of dict
        Per reduced run: ``resolution``, ``n_snapshots``, ``objective_error_frac`` [-],
        ``generation_error_twh`` (carrier -> reduced minus reference) [TWh], ``generation_error_frac``
        (carrier -> relative, carriers above 1 TWh in the reference) [-], ``max_generation_error_frac`` [-],
        ``solve_s`` [s].
    """
    out = []
    for run in reduced:
        carriers = sorted(set(reference.generation_twh) | set(run.generation_twh))
        abs_err = {c: run.generation_twh.get(c, 0.0) - reference.generation_twh.get(c, 0.0) for c in carriers}
        rel = {c: abs_err[c] / reference.generation_twh[c] for c in carriers
               if reference.generation_twh.get(c, 0.0) > 1.0}
        out.append({"resolution": run.resolution, "n_snapshots": run.n_snapshots,
                    "objective_error_frac": run.objective_cny / reference.objective_cny - 1,
                    "generation_error_twh": abs_err, "generation_error_frac": rel,
                    "max_generation_error_frac": max((abs(v) for v in rel.values()), default=0.0),
                    "solve_s": run.solve_s})
    return out


def compare_resolutions(year: int = 2020, reference: str = "1h",
                        reduced: tuple[str, ...] = ("3h", "24h", "rep12")) -> dict:
    """Solve the reference and each reduced resolution; report the reduced models' errors.

    Returns
    -------
    dict
        ``reference`` (resolution, objective_cny, generation_twh, solve_s) and ``reduced`` (list of errors).
    """
    from computegrid.grid.network import hourly_inputs

    inputs = hourly_inputs(year)
    ref = run_resolution(year, reference, inputs)
    runs = [run_resolution(year, r, inputs) for r in reduced]
    return {"year": year,
            "reference": {"resolution": ref.resolution, "n_snapshots": ref.n_snapshots,
                          "objective_cny": ref.objective_cny, "generation_twh": ref.generation_twh,
                          "solve_s": ref.solve_s},
            "reduced": resolution_errors(ref, runs)}
