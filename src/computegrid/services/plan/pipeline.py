"""The main job: co-plan AI data-centre siting and hourly scheduling with China's power system.

``run_plan`` solves, on the same network and data, the no-AI reference, the two baselines
(``status-quo``, ``west-static``) and the ``co-optimised`` plan, compares them, and writes
``runs/<run-id>/`` atomically. The CLI (``computegrid plan``) and the HTTP API call it. The steps
live in their own modules: :mod:`.inputs` (scenario -> validated inputs), :mod:`.solving` (solver
choice, workers), :mod:`.summary` (the typed figures), :mod:`.explain` (plain words) and
:mod:`.run_folder` (the files).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from computegrid.errors import InputError
from computegrid.io.jsonable import to_jsonable
from computegrid.services.plan.explain import _headline, binding, degeneracy, explain
from computegrid.services.plan.inputs import SCENARIOS, PlanInputs, prepare
from computegrid.services.plan.run_folder import signals_frame, write_run
from computegrid.services.plan.scenario import ScenarioConfig, load_scenario, scenario_dict
from computegrid.services.plan.solving import PARALLEL_MIN_SNAPSHOTS, _default_builder, solve_all
from computegrid.services.plan.summary import add_status_quo_differences, reference_summary, scenario_summary

#: Default time resolution of `computegrid plan`, chosen so that the four solves finish in under
#: 2 minutes on two cores; its error against the hourly model is stated in docs/planning.md.
DEFAULT_RESOLUTION = "rep12"


@dataclass
class PlanResult:
    """Outcome of :func:`run_plan`."""

    run_id: str
    run_dir: Path | None
    summary: dict
    networks: dict = field(default_factory=dict, repr=False)
    results: dict = field(default_factory=dict, repr=False)
    signals: pd.DataFrame | None = field(default=None, repr=False)


def _run_id(config: ScenarioConfig) -> str:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    return f"{stamp}-{config.name}-{os.getpid() % 10000:04d}"


def plan_summary(inputs: PlanInputs, networks: dict, results: dict, run_id: str, resolution: str) -> dict:
    """``summary.json`` of a solved plan (without ``runtime_s``): the typed figures of the reference
    and of each case (:mod:`computegrid.services.plan.summary`), savings and the explanation."""
    config = inputs.config
    ref = networks["no-ai"]
    summary = {
        "status": "ok", "run_id": run_id, "scenario_name": config.name, "year": config.year,
        "resolution": resolution, "n_snapshots": int(len(ref.snapshots)), "expand": config.expand,
        "reference_no_ai": reference_summary(ref, config.costs.carbon_price_cny_per_t).to_dict(),
        "scenarios": {name: scenario_summary(inputs, networks[name], results[name], ref).to_dict()
                      for name in SCENARIOS},
    }
    scen = summary["scenarios"]
    add_status_quo_differences(scen)
    co = scen["co-optimised"]["system_cost_cny_per_year"]
    summary["savings_vs_status_quo_cny_per_year"] = scen["status-quo"]["system_cost_cny_per_year"] - co
    summary["savings_vs_west_static_cny_per_year"] = scen["west-static"]["system_cost_cny_per_year"] - co
    summary["explain"] = explain(inputs, networks["co-optimised"], results["co-optimised"])
    summary["explain"]["text"] = _headline(summary) + summary["explain"]["text"]
    co_res = results["co-optimised"]
    summary["degeneracy"] = degeneracy(co_res, scen["co-optimised"]["system_cost_cny_per_year"],
                                       scen["co-optimised"]["solver_rel_gap"])
    summary["binding"] = binding(inputs, results)
    summary["scenario"] = scenario_dict(config)
    return summary


def run_plan(scenario: str | Path | dict | None = None, overrides: list[str] | None = None,
             resolution: str | None = None, out_dir: str | Path | None = "runs", expand: bool | None = None,
             run_id: str | None = None, network_builder: Callable | None = None,
             sites: pd.DataFrame | None = None, provinces: pd.DataFrame | None = None,
             solver_options: dict | None = None, figures: bool = True, workers: int | None = None) -> PlanResult:
    """Co-plan AI compute with the grid: three scenarios and the no-AI reference.

    Parameters
    ----------
    scenario : path, dict or None
        A scenario file, a mapping, or None for the packaged default ``china-2030``.
    overrides : list of str, optional
        ``key=value`` overrides (``--set``).
    resolution : str, optional
        Time resolution passed to the grid model (default: the scenario's, else
        ``DEFAULT_RESOLUTION``).
    out_dir : path or None
        Where ``<run-id>/`` is written; None writes nothing.
    expand : bool, optional
        Solve the grid's capacity expansion (extendable wind, solar, gas, coal, batteries, HVDC
        corridors, with the expansion's policy constraints) in every case, with that case's AI load
        (overrides the scenario; needs ``grid: expansion``).
    run_id : str, optional
        Name of the run folder (default: UTC time stamp, scenario name, process id).
    network_builder : callable, optional
        ``(config, resolution) -> pypsa.Network``; default: the grid model's ``build_network``.
    sites, provinces : pandas.DataFrame, optional
        Replace the packaged candidate sites and provinces (tests).
    solver_options : dict, optional
        HiGHS options for every solve (default: :func:`solver_options_for`).
    figures : bool, default True
        Write the report's figures.
    workers : int, optional
        Processes for the solves (default with the packaged grid model: 2 from
        :data:`PARALLEL_MIN_SNAPSHOTS` snapshots on or with ``expand``, else 1; with a custom
        ``network_builder``: 1). Each gets a copy of the network built here.

    Returns
    -------
    PlanResult
    """
    t0 = time.perf_counter()
    config = load_scenario(scenario, overrides)
    if expand is not None:
        config = config.model_copy(update={"expand": bool(expand)})
    resolution = resolution or config.resolution or DEFAULT_RESOLUTION
    inputs = prepare(config, sites=sites, provinces=provinces)
    builder = network_builder or _default_builder
    base = builder(config, resolution)
    missing = [b for b in inputs.sites.bus.unique() if b not in base.buses.index]
    if missing:
        raise InputError("sites", missing[0], "allowed: sites attached to a bus of the network")
    if workers is None:
        # the expansion solves (``expand``) take about 110 s of CPU each at rep12: two processes
        workers = 2 if (network_builder is None and (len(base.snapshots) >= PARALLEL_MIN_SNAPSHOTS
                                                     or config.expand)) else 1
    networks, results = solve_all(inputs, base, solver_options=solver_options, workers=workers)
    summary = plan_summary(inputs, networks, results, run_id or _run_id(config), resolution)
    signals = signals_frame(inputs, networks["co-optimised"])
    summary["runtime_s"] = round(time.perf_counter() - t0, 2)
    result = PlanResult(summary["run_id"], None, summary, networks, results, signals)
    if out_dir is not None:
        result.run_dir = write_run(result, inputs, Path(out_dir), figures=figures)
        summary["runtime_s"] = round(time.perf_counter() - t0, 2)
        (result.run_dir / "summary.json").write_text(json.dumps(to_jsonable(summary), indent=2), encoding="utf-8")
    return result
