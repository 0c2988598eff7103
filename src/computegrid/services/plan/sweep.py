"""Sensitivities of the plan as sweeps: ``computegrid plan sweep --param KEY=START:STOP:STEP``.

Each point is one full plan (the three scenarios and the no-AI reference) with the point's values
as ``--set`` overrides; the points run as independent tasks on Dask (:func:`run_sweep`, the
machinery of the adequacy sweeps), each plan solving its four cases in its worker.

Besides any numeric or text key of the scenario file (``costs.carbon_price_cny_per_t``,
``ai.reference_pue``, ``ai.classes.online.profile``, ...), four derived keys translate one number
into the overrides it stands for:

- ``ai.flexible_share_pct``: the share of the AI IT energy that may move in time [%]. The classes
  whose window is ``hour`` get ``100 - x`` percent between them, the others ``x`` percent, each group
  split in the proportions of the scenario file (default: batch 1/3, training 2/3 of the flexible
  part).
- ``sites.capacity_max_scale``: every site's IT capacity cap times this factor [-].
- ``sites.pue``: the PUE of every site [-].
- ``ai.online_profile``: the online class's profile (``flat``, ``measured``, ``diurnal``).

The slope of the co-optimised cost and CO2 per unit of a single swept numeric key is the
least-squares line through the points; the slopes between neighbouring points show whether the
returns diminish.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from computegrid.errors import InputError
from computegrid.services.plan.scenario import load_scenario
from computegrid.services.outlook.sweep import Task, run_sweep

MAX_POINTS = 200
DERIVED_KEYS = ("ai.flexible_share_pct", "sites.capacity_max_scale", "sites.pue", "ai.online_profile")
#: Headline figures kept per scenario and point (keys of summary.json's scenarios).
FIGURES = ("system_cost_cny_per_year", "emissions_mt_co2_per_year", "curtailment_twh_per_year",
           "ai_energy_west_frac", "ai_energy_from_curtailment_frac", "dc_capacity_total_mw",
           "grid_value_vs_status_quo_cny_per_year", "dc_capex_saving_vs_status_quo_cny_per_year",
           "grid_value_pue_cny_per_year", "grid_value_unserved_cny_per_year",
           "grid_value_siting_timing_cny_per_year")
#: Scenario key of the degeneracy ranges' time budget: a sweep point keeps only the figures above, so its
#: plan skips the ranges (up to 15 s a point) unless the sweep sets the key itself.
RANGES_KEY = "degeneracy_time_budget_s"


@dataclass(frozen=True)
class SweepParam:
    """One swept key and its values."""

    key: str
    values: tuple


def _number(text: str, item: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InputError("--param", item, "allowed: KEY=START:STOP:STEP with numbers, or KEY=a,b,c") from None
    if not math.isfinite(value):
        raise InputError("--param", item, "allowed: finite numbers")
    return value


def parse_param(item: str) -> SweepParam:
    """Parse ``KEY=START:STOP:STEP`` (STOP included) or ``KEY=a,b,c``."""
    if "=" not in item:
        raise InputError("--param", item, "allowed: KEY=START:STOP:STEP or KEY=a,b,c")
    key, spec = (s.strip() for s in item.split("=", 1))
    if spec.count(":") == 2:
        start, stop, step = (_number(s, item) for s in spec.split(":"))
        if step <= 0 or stop < start:
            raise InputError("--param", item, "allowed: STEP > 0 and STOP >= START (a non-empty range)")
        count = int(math.floor((stop - start) / step + 1e-9)) + 1
        if count > MAX_POINTS:
            raise InputError("--param", item, f"allowed: at most {MAX_POINTS} points")
        values = tuple(round(start + i * step, 12) for i in range(count))
    else:
        values = tuple(v.strip() for v in spec.split(",") if v.strip())
        if not values:
            raise InputError("--param", item, "allowed: at least one value")
        values = tuple(_maybe_number(v) for v in values)
    return SweepParam(key, values)


def _maybe_number(text: str):
    try:
        return float(text)
    except ValueError:
        return text


def _get(mapping: dict, key: str):
    node = mapping
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return None, False
        node = node[part]
    return node, True


def point_overrides(base: dict, sites: list[dict], values: dict) -> list[str]:
    """The ``--set`` overrides of one point of the sweep.

    Parameters
    ----------
    base : dict
        The scenario as a mapping (``scenario_dict``).
    sites : list of dict
        The candidate sites (``site``, ``capacity_max_mw``) the scenario plans with.
    values : dict
        Swept key -> value at this point.
    """
    out: list[str] = []
    classes = base["ai"]["classes"]
    for key, value in values.items():
        if key == "ai.flexible_share_pct":
            flex = float(value) / 100.0
            groups = {True: [n for n, c in classes.items() if c["window"] == "hour"],
                      False: [n for n, c in classes.items() if c["window"] != "hour"]}
            for fixed, names in groups.items():
                total = sum(classes[n]["share_frac"] for n in names)
                target = (1.0 - flex) if fixed else flex
                for n in names:
                    share = target * (classes[n]["share_frac"] / total if total > 0 else 1.0 / len(names))
                    out.append(f"ai.classes.{n}.share_frac={share!r}")
        elif key == "sites.capacity_max_scale":
            out += [f"sites.overrides.{s['site']}.capacity_max_mw={s['capacity_max_mw'] * float(value)!r}"
                    for s in sites]
        elif key == "sites.pue":
            out += [f"sites.overrides.{s['site']}.pue={float(value)!r}" for s in sites]
        elif key == "ai.online_profile":
            out.append(f"ai.classes.online.profile={value}")
        else:
            out.append(f"{key}={value}")
    return out


def check_params(params: list[SweepParam], base: dict, scenario) -> None:
    """Reject unknown keys, derived keys that the scenario cannot take, and too many points."""
    if not params:
        raise InputError("--param", None, "allowed: one or more KEY=START:STOP:STEP")
    for p in params:
        _, exists = _get(base, p.key)
        if p.key not in DERIVED_KEYS and (not exists or isinstance(_get(base, p.key)[0], dict)):
            raise InputError("--param", p.key, f"allowed: a key of the scenario file or one of {', '.join(DERIVED_KEYS)}")
        if p.key == "ai.flexible_share_pct" and not all(isinstance(v, float) and 0 <= v <= 100 for v in p.values):
            raise InputError("--param", p.key, "allowed: numbers from 0 to 100")
    total = math.prod(len(p.values) for p in params)
    if total > MAX_POINTS:
        raise InputError("--param", total, f"allowed: at most {MAX_POINTS} points in all")
    keys = [p.key for p in params]
    if len(set(keys)) != len(keys):
        raise InputError("--param", keys, "allowed: each key once")
    for combo in itertools.product(*(p.values for p in params)):  # validate every point before solving
        load_scenario(scenario, point_overrides(base, _sites(base), dict(zip(keys, combo))))


def _sites(base: dict) -> list[dict]:
    from computegrid.datasets.grid import load_sites

    table = load_sites()
    include = base["sites"]["include"]
    if include != "all":
        table = table[table.index.isin(include)]
    caps = {s: (o or {}).get("capacity_max_mw") for s, o in base["sites"].get("overrides", {}).items()}
    return [{"site": site, "capacity_max_mw": caps.get(site) or float(cap)}
            for site, cap in table["capacity_max_mw"].items()]


def sweep_point(scenario, overrides: list[str], resolution: str | None) -> dict:
    """Plan one point (module level, so Dask workers can import it); keep the headline figures."""
    import logging

    from computegrid.services.plan.pipeline import run_plan

    for name in ("pypsa", "linopy", "highspy"):  # the worker's own loggers: only errors
        logging.getLogger(name).setLevel(logging.ERROR)
    if not any(o.split("=", 1)[0].strip() == RANGES_KEY for o in overrides):
        overrides = [f"{RANGES_KEY}=0", *overrides]
    result = run_plan(scenario=scenario, overrides=overrides, resolution=resolution, out_dir=None,
                      figures=False, workers=1)
    summary = result.summary
    return {"scenarios": {name: {k: s[k] for k in FIGURES} for name, s in summary["scenarios"].items()},
            "savings_vs_status_quo_cny_per_year": summary["savings_vs_status_quo_cny_per_year"],
            "resolution": summary["resolution"]}


def slopes(xs: list[float], ys: list[float]) -> dict:
    """Least-squares slope and the slopes between neighbouring points (per unit of x)."""
    x, y = np.asarray(xs, float), np.asarray(ys, float)
    ok = np.isfinite(y)
    if ok.sum() < 2:
        return {"slope": None, "segments": []}
    return {"slope": float(np.polyfit(x[ok], y[ok], 1)[0]),
            "segments": [float(v) for v in np.diff(y[ok]) / np.diff(x[ok])]}


def run_plan_sweep(param_specs: list[str], scenario=None, resolution: str | None = "rep12",
                   workers: int = 2, out_dir: str | Path | None = "runs", progress: bool = True) -> dict:
    """Run a sweep and return its table, slopes and the chart's path.

    Parameters
    ----------
    param_specs : list of str
        ``KEY=START:STOP:STEP`` or ``KEY=a,b,c`` (the Cartesian product is swept).
    scenario : path, dict or None
        Base scenario (default: the packaged ``china-2030``).
    resolution : str, optional
        Time resolution of every plan (default ``rep12``).
    workers : int, default 2
        Dask worker processes (0: in this process).
    out_dir : path or None
        Folder under which ``sweeps/<id>/`` (``sweep.json``, ``sweep.csv``, ``sweep.png``) is written.
    """
    import time

    from computegrid.services.plan.scenario import scenario_dict

    t0 = time.perf_counter()
    params = [parse_param(s) for s in param_specs]
    base = scenario_dict(load_scenario(scenario))
    check_params(params, base, scenario)
    keys = [p.key for p in params]
    sites = _sites(base)
    points = [dict(zip(keys, combo)) for combo in itertools.product(*(p.values for p in params))]
    tasks = [Task(f"point-{i}", {"scenario": scenario, "overrides": point_overrides(base, sites, pt),
                                 "resolution": resolution}) for i, pt in enumerate(points)]
    outcomes = run_sweep(sweep_point, tasks, workers=workers, progress=progress, description="plans")
    rows = []
    for pt, outcome in zip(points, outcomes):
        row = {"point": pt, "ok": outcome.ok, "error": outcome.error}
        if outcome.ok:
            row.update(outcome.result)
        rows.append(row)
    out = {"params": {p.key: list(p.values) for p in params}, "resolution": resolution,
           "n_points": len(points), "points": rows}
    if len(params) == 1 and all(isinstance(v, float) for v in params[0].values):
        xs = list(params[0].values)
        co = [r["scenarios"]["co-optimised"] if r["ok"] else {} for r in rows]
        out["slopes_per_unit"] = {
            "key": params[0].key,
            "co_optimised_cost_cny_per_year": slopes(xs, [c.get("system_cost_cny_per_year", np.nan) for c in co]),
            "co_optimised_co2_mt_per_year": slopes(xs, [c.get("emissions_mt_co2_per_year", np.nan) for c in co]),
        }
    out["runtime_s"] = round(time.perf_counter() - t0, 2)
    if out_dir is not None:
        out["path"] = str(write_sweep(out, Path(out_dir)))
    return out


def write_sweep(out: dict, out_dir: Path) -> Path:
    """Write ``sweep.json``, ``sweep.csv`` and ``sweep.png`` under ``out_dir/sweeps/<stamp>/``."""
    import json
    from datetime import datetime, timezone

    import pandas as pd

    from computegrid.io.atomic import atomic_write
    from computegrid.report.sweep import sweep_chart

    folder = out_dir / "sweeps" / datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    folder.mkdir(parents=True, exist_ok=True)
    flat = [{**r["point"], "scenario": name, **figs} for r in out["points"] if r["ok"]
            for name, figs in r["scenarios"].items()]
    table = pd.DataFrame(flat)
    atomic_write(folder / "sweep.csv", lambda tmp: table.to_csv(tmp, index=False))
    text = json.dumps({**out, "path": str(folder)}, indent=2, default=str)
    atomic_write(folder / "sweep.json", lambda tmp: tmp.write_text(text, encoding="utf-8"))
    if not table.empty:
        sweep_chart(table, list(out["params"]), folder / "sweep.png")
    return folder
