"""Planning runs submitted over the HTTP API: parameters -> ``services.plan.pipeline.run_plan``.

Executed by the worker pool in a child process (``computegrid.services.runs.run_job``); the result
files land in the folder the pool gives, which it publishes atomically as ``runs/<run-id>/``.
"""

from __future__ import annotations

import json
import os
import shutil
from importlib import resources
from pathlib import Path
from typing import Any

from computegrid.errors import InputError

#: Suffix of bundled scenario files in ``computegrid/services/plan/scenarios/``.
_SCENARIO_SUFFIX = ".yaml"


def bundled_scenarios() -> list[str]:
    """Names of the scenarios shipped with the package (e.g. ``china-2030``)."""
    folder = resources.files("computegrid.services.plan") / "scenarios"
    try:
        names = [p.name for p in folder.iterdir()]
    except (FileNotFoundError, NotADirectoryError):
        return []
    return sorted(n[: -len(_SCENARIO_SUFFIX)] for n in names if n.endswith(_SCENARIO_SUFFIX))


def check_plan_params(scenario: str, overrides: dict[str, Any],
                      resolution_h: int | None = None) -> dict[str, Any]:
    """Refuse what a run would refuse, before it is queued: unknown scenario, bad override keys,
    a time resolution the grid model does not take.

    Only bundled scenario names are accepted over the API, never file paths.

    Returns
    -------
    dict
        ``resolution`` (as the run will use it), ``step_h`` (hours of the year per modelled
        time step: 8,760 / snapshots, the measure of its cost) [h] and ``expand`` (bool).
    """
    known = bundled_scenarios()
    if scenario not in known:
        raise InputError("body.scenario", scenario, "one of " + (", ".join(known) or "(none)"))
    for key in overrides:
        if not key or any(not part for part in key.split(".")) or "=" in key:
            raise InputError("body.overrides", key, "keys like costs.carbon_price_cny_per_t")
    from computegrid.services.plan.scenario import load_scenario

    config = load_scenario(scenario, _override_list(overrides))  # raises InputError naming the key
    return run_cost(config, resolution_h,
                    "body.resolution_h" if resolution_h else "body.overrides.resolution")


def run_cost(config, resolution_h: int | None, field: str) -> dict[str, Any]:
    """The resolution a run of ``config`` will use, and its size (see :func:`check_plan_params`)."""
    from computegrid.grid.network import HOURS, parse_resolution
    from computegrid.services.plan.pipeline import DEFAULT_RESOLUTION

    resolution = f"{int(resolution_h)}h" if resolution_h else (config.resolution or DEFAULT_RESOLUTION)
    try:
        kind, n = parse_resolution(resolution)
    except InputError as exc:
        raise InputError(field, resolution, exc.allowed) from None
    snapshots = HOURS // n if kind == "hours" else 24 * n
    return {"resolution": resolution, "step_h": HOURS / snapshots, "expand": bool(config.expand)}


def check_finite_summary(summary: dict[str, Any]) -> None:
    """Refuse a run whose objective is not a finite number (for example with an infinite
    carbon price): its figures would be served as if they were results."""
    import math

    for name, figures in (summary.get("scenarios") or {}).items():
        cost = (figures or {}).get("system_cost_cny_per_year")
        if not isinstance(cost, (int, float)) or not math.isfinite(cost):
            raise InputError(f"scenarios.{name}.system_cost_cny_per_year", cost,
                             "a finite objective: the solve's objective is not finite "
                             "(check the overrides for non-finite or extreme values)")


def _override_list(overrides: dict[str, Any]) -> list[str]:
    # Values travel as JSON, which YAML (the scenario loader's parser) reads back with its type.
    return [f"{key}={json.dumps(value)}" for key, value in overrides.items()]


def run_plan_job(params: dict[str, Any], out_dir: Path) -> dict[str, Any]:
    """Run one planning scenario and leave its files directly in ``out_dir``.

    Parameters
    ----------
    params : dict
        ``scenario`` (bundled name), ``overrides`` (key -> value), ``resolution_h`` (or None).
    out_dir : Path
        Folder that receives summary.json, report.html, PNGs, Parquet tables, network.nc.

    Returns
    -------
    dict
        The run's ``summary.json`` content.
    """
    from computegrid.services.plan.pipeline import run_plan

    scenario = params.get("scenario") or "china-2030"
    overrides = params.get("overrides") or {}
    check_plan_params(scenario, overrides)
    resolution = f"{int(params['resolution_h'])}h" if params.get("resolution_h") else None
    out_dir = Path(out_dir)
    result = run_plan(scenario, overrides=_override_list(overrides), resolution=resolution,
                      out_dir=out_dir, run_id="result")
    produced = out_dir / "result"
    for item in produced.iterdir():
        os.replace(item, out_dir / item.name)
    shutil.rmtree(produced, ignore_errors=True)
    summary = json.loads((out_dir / "summary.json").read_text()) \
        if (out_dir / "summary.json").exists() else dict(result.summary)
    check_finite_summary(summary)
    return summary
