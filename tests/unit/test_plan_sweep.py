"""``plan sweep``: parameter parsing, the derived keys' overrides, bad input, a two-point run."""

import json
import subprocess
import sys

import pytest

from computegrid.errors import InputError
from computegrid.services.plan.sweep import MAX_POINTS, parse_param, point_overrides, run_plan_sweep, slopes
from computegrid.services.plan.scenario import load_scenario, scenario_dict


def test_parse_range_includes_stop_and_lists():
    assert parse_param("ai.flexible_share_pct=0:100:10").values == tuple(float(v) for v in range(0, 101, 10))
    assert parse_param("ai.online_profile=flat,measured").values == ("flat", "measured")
    assert parse_param("costs.carbon_price_cny_per_t=0:300:100").values == (0.0, 100.0, 200.0, 300.0)


@pytest.mark.parametrize("spec", ["x=3:1:1", "x=0:1:0", "x=0:1:-1", "x=", "x=a:b:c", "novalue", "x=0:inf:1",
                                  f"x=0:{MAX_POINTS}:1"])
def test_bad_ranges_are_refused(spec):
    with pytest.raises(InputError):
        parse_param(spec)


def test_flexible_share_keeps_shares_summing_to_one_in_file_proportions():
    base = scenario_dict(load_scenario())
    sites = [{"site": "guian", "capacity_max_mw": 2000.0}]
    over = point_overrides(base, sites, {"ai.flexible_share_pct": 30.0})
    shares = {o.split("=")[0].split(".")[2]: float(o.split("=")[1]) for o in over}
    assert sum(shares.values()) == pytest.approx(1.0)
    assert shares["online"] == pytest.approx(0.7)
    assert shares["training"] / shares["batch"] == pytest.approx(2.0)  # 0.4 : 0.2 in the file
    over = point_overrides(base, sites, {"sites.capacity_max_scale": 0.5, "sites.pue": 1.2})
    assert "sites.overrides.guian.capacity_max_mw=1000.0" in over and "sites.overrides.guian.pue=1.2" in over
    load_scenario(None, over)  # the overrides are valid scenario keys


def test_slopes_are_least_squares_and_segments():
    out = slopes([0.0, 1.0, 2.0], [10.0, 8.0, 7.0])
    assert out["slope"] == pytest.approx(-1.5)
    assert out["segments"] == [-2.0, -1.0]


def test_unknown_key_and_too_many_points_exit_2_with_one_line():
    for spec in (["nope.key=1:2:1"], ["costs.carbon_price_cny_per_t=0:300:1"],
                 ["ai.flexible_share_pct=0:150:50"]):
        args = [sys.executable, "-m", "computegrid", "plan", "sweep"]
        for s in spec:
            args += ["--param", s]
        proc = subprocess.run(args, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 2, proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1 and "--param" in proc.stderr


@pytest.mark.slow
def test_two_point_sweep_in_process_writes_table_and_chart(tmp_path):
    out = run_plan_sweep(["costs.carbon_price_cny_per_t=0:300:300"], resolution="rep1", workers=0,
                         out_dir=tmp_path, progress=False)
    assert out["n_points"] == 2 and all(r["ok"] for r in out["points"])
    co2 = [r["scenarios"]["co-optimised"]["emissions_mt_co2_per_year"] for r in out["points"]]
    assert co2[1] <= co2[0] + 1e-6  # a carbon price cannot raise the least-cost plan's CO2
    folder = tmp_path / "sweeps"
    written = next(folder.iterdir())
    assert (written / "sweep.png").stat().st_size > 0
    assert json.loads((written / "sweep.json").read_text())["n_points"] == 2


def test_a_sweep_point_skips_the_degeneracy_ranges_unless_swept(monkeypatch):
    """A point keeps only the headline figures, so its plan computes no ranges (up to 15 s a point)."""
    from computegrid.services.plan import pipeline, sweep

    seen = []

    class _Result:
        summary = {"scenarios": {"co-optimised": {k: 1.0 for k in sweep.FIGURES}},
                   "savings_vs_status_quo_cny_per_year": 0.0, "resolution": "rep1"}

    def fake_run_plan(**kw):
        seen.append(kw["overrides"])
        return _Result()

    monkeypatch.setattr(pipeline, "run_plan", fake_run_plan)
    point = sweep.sweep_point(None, ["costs.carbon_price_cny_per_t=0"], "rep1")
    assert seen[-1] == ["degeneracy_time_budget_s=0", "costs.carbon_price_cny_per_t=0"]
    assert set(point["scenarios"]["co-optimised"]) == set(sweep.FIGURES)
    sweep.sweep_point(None, ["degeneracy_time_budget_s=5"], "rep1")
    assert seen[-1] == ["degeneracy_time_budget_s=5"]
