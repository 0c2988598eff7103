"""The cached default plan of `plan move` is re-planned when the model changes."""

import json
from types import SimpleNamespace

from computegrid.services.plan import move
from computegrid.services.plan.scenario import load_scenario, scenario_dict


def _fake_run(d, fingerprint=None):
    d.mkdir(parents=True, exist_ok=True)
    (d / "summary.json").write_text(json.dumps({"scenario": scenario_dict(load_scenario(None))}))
    (d / "network.nc").write_bytes(b"")
    if fingerprint is not None:
        (d / move.FINGERPRINT_FILE).write_text(fingerprint + "\n")


def test_fingerprint_is_stable_and_hex():
    a, b = move.model_fingerprint.__wrapped__(), move.model_fingerprint.__wrapped__()  # two real hashings
    assert a == b and len(a) == 16 and int(a, 16) >= 0


def test_cached_plan_reused_only_with_the_current_fingerprint(tmp_path, monkeypatch):
    planned = []

    def fake_run_plan(out_dir, run_id, figures):
        planned.append(run_id)
        _fake_run(out_dir / run_id)
        return SimpleNamespace(run_dir=out_dir / run_id)

    import computegrid.services.plan.pipeline as pipeline

    monkeypatch.setattr(pipeline, "run_plan", fake_run_plan)
    d = tmp_path / move.CACHE_RUN_ID
    _fake_run(d, move.plan_fingerprint())
    assert move._run_dir(tmp_path, None) == d and planned == []
    _fake_run(d, "0123456789abcdef")  # planned by an older model
    assert move._run_dir(tmp_path, None) == d and planned == [move.CACHE_RUN_ID]
    assert (d / move.FINGERPRINT_FILE).read_text().strip() == move.plan_fingerprint()
    (d / move.FINGERPRINT_FILE).unlink()  # a cache from before the fingerprint existed
    move._run_dir(tmp_path, None)
    assert planned == [move.CACHE_RUN_ID] * 2


def test_fingerprint_changes_with_a_data_file(tmp_path, monkeypatch):
    """The hash covers file names and contents (a recalibrated data file gives a new fingerprint)."""
    import computegrid
    from computegrid.io import fingerprint

    pkg = tmp_path / "computegrid"
    (pkg / "datasets" / "data").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    data = pkg / "datasets" / "data" / "capacity.csv"
    data.write_text("a,1\n")
    monkeypatch.setattr(computegrid, "__file__", str(pkg / "__init__.py"))
    parts = (("datasets/data", "*"),)
    first = fingerprint.model_fingerprint.__wrapped__(parts)
    data.write_text("a,2\n")
    assert fingerprint.model_fingerprint.__wrapped__(parts) != first


def test_grid_fingerprint_ignores_the_planning_lp_but_the_plan_fingerprint_does_not(tmp_path, monkeypatch):
    """A change of grid/coplan*.py keeps the cached grid (expansion, signals) and renews the cached plan."""
    import computegrid
    from computegrid.io import fingerprint

    pkg = tmp_path / "computegrid"
    (pkg / "grid").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "grid" / "network.py").write_text("x = 1\n")
    lp = pkg / "grid" / "coplan_ranges.py"
    lp.write_text("y = 1\n")
    monkeypatch.setattr(computegrid, "__file__", str(pkg / "__init__.py"))
    grid_parts = (("grid", "*.py"),)
    g0, p0 = fingerprint.model_fingerprint.__wrapped__(grid_parts), fingerprint.model_fingerprint.__wrapped__(
        grid_parts, exclude=())
    lp.write_text("y = 2\n")
    assert fingerprint.model_fingerprint.__wrapped__(grid_parts) == g0
    assert fingerprint.model_fingerprint.__wrapped__(grid_parts, exclude=()) != p0
    (pkg / "grid" / "network.py").write_text("x = 2\n")
    assert fingerprint.model_fingerprint.__wrapped__(grid_parts) != g0


def test_the_real_parts_cover_what_each_cache_depends_on():
    """The grid's hash has the profile calibration, the corridor lengths, the expansion service and the
    hourly data files; the planning LP is out of it and in the plan's; the signal code in the signals'."""
    from computegrid.io import fingerprint as fp

    for part in (("supply", "*.py"), ("facility", "*.py"), ("services/grid_model", "*.py"),
                 ("datasets/data", "*.parquet")):
        assert part in fp.GRID_PARTS
    assert ("scheduling", "*.py") in fp.SIGNALS_PARTS and ("services/signals", "*.py") in fp.SIGNALS_PARTS
    # the files of each key, as the caches call it: the plan's covers every grid/coplan*.py, the grid's
    # (expansion) and the signals' none; the plan's holds all of the grid's
    grid, signals = set(fp.fingerprint_files()), set(fp.fingerprint_files(fp.SIGNALS_PARTS))
    plan = fp.fingerprint_files(fp.PLAN_PARTS, exclude=())
    coplan = {f for f in plan if f.startswith("grid/coplan")}
    assert {"grid/coplan.py", "grid/coplan_solve.py", "grid/coplan_ranges.py"} <= coplan
    assert not coplan & grid and not coplan & signals
    assert grid <= set(plan) and "services/plan/move.py" in plan and "grid/network.py" in grid
    assert len(plan) == len(set(plan))  # each file hashed once
