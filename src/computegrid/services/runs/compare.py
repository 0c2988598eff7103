"""Read the run folders that ``computegrid plan`` writes: list them and compare two."""

from __future__ import annotations

import json
from pathlib import Path

from computegrid.errors import InputError

from computegrid.services.plan.summary import HEADLINE_FIGURES

#: Scalar figures compared by ``runs compare`` (per scenario): the plan's headline figures.
COMPARED = tuple(fig.key for fig in HEADLINE_FIGURES if fig.compared)


def load_run(runs_dir: str | Path, run_id: str) -> dict:
    """The ``summary.json`` of one run."""
    path = Path(runs_dir) / run_id / "summary.json"
    if not path.is_file():
        known = [r["run_id"] for r in list_runs(runs_dir)]
        raise InputError("run", run_id, "allowed: " + (", ".join(known) if known else f"no runs in {runs_dir}"))
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        raise InputError(str(path), "unreadable JSON", "a summary.json written by computegrid plan") from None


def list_runs(runs_dir: str | Path) -> list[dict]:
    """One record per finished run (folders with a summary.json), oldest first."""
    root = Path(runs_dir)
    if not root.is_dir():
        return []
    rows = []
    for d in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        f = d / "summary.json"
        if not f.is_file():
            continue
        try:
            s = json.loads(f.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            continue
        co = s.get("scenarios", {}).get("co-optimised", {})
        rows.append({"run_id": d.name, "scenario_name": s.get("scenario_name"), "year": s.get("year"),
                     "resolution": s.get("resolution"), "expand": s.get("expand"),
                     "runtime_s": s.get("runtime_s"),
                     "co_optimised_cost_cny_per_year": co.get("system_cost_cny_per_year"),
                     "savings_vs_status_quo_cny_per_year": s.get("savings_vs_status_quo_cny_per_year")})
    return rows


def compare_runs(runs_dir: str | Path, a: str, b: str) -> dict:
    """Figures of two runs side by side per scenario, with the difference b - a."""
    sa, sb = load_run(runs_dir, a), load_run(runs_dir, b)
    out = {"run_a": a, "run_b": b, "scenarios": {}}
    for name in sorted(set(sa.get("scenarios", {})) | set(sb.get("scenarios", {}))):
        ma, mb = sa["scenarios"].get(name, {}), sb["scenarios"].get(name, {})
        rows = {}
        for key in COMPARED:
            va, vb = ma.get(key), mb.get(key)
            diff = (vb - va) if isinstance(va, (int, float)) and isinstance(vb, (int, float)) else None
            rows[key] = {"a": va, "b": vb, "b_minus_a": diff}
        out["scenarios"][name] = rows
    return out
