"""`computegrid schedule` end to end on a small user trace, and its one-line errors."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args, cwd):
    env = {"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin", "HOME": str(cwd),
           "COMPUTEGRID_CACHE_DIR": str(cwd / "cache")}
    return subprocess.run([sys.executable, "-m", "computegrid", "schedule", *args],
                          capture_output=True, text=True, timeout=300, cwd=cwd, env=env)


def write_inputs(tmp_path, n_jobs=30):
    rng = np.random.default_rng(0)
    t0 = pd.Timestamp("2021-06-01T00:00:00Z")
    jobs = pd.DataFrame({
        "job_id": [f"j{i:03d}" for i in range(n_jobs)],
        "submit_time": (t0 + pd.to_timedelta(np.sort(rng.uniform(0, 24, n_jobs)), unit="h"))
        .strftime("%Y-%m-%dT%H:%M:%SZ"),
        "n_accelerators": rng.integers(1, 5, n_jobs),
        "duration_h": rng.choice([0.5, 1.0, 3.0], n_jobs),
        "job_class": rng.choice(["batch", "training"], n_jobs),
        "origin_province": "Beijing",
    })
    jobs.to_csv(tmp_path / "jobs.csv", index=False)
    pd.DataFrame({"site": ["bj", "zw"], "province": ["BJ", "NX"], "latitude_deg": [39.9, 37.5],
                  "longitude_deg": [116.4, 105.2], "pue": [1.3, 1.2],
                  "n_accelerators": [16, 16]}).to_csv(tmp_path / "sites.csv", index=False)
    ts = pd.date_range(t0 - pd.Timedelta(days=1), periods=24 * 4, freq="h")
    sun = np.clip(np.sin((ts.hour - 6) / 12 * np.pi), 0, None)
    pd.concat([pd.DataFrame({"timestamp": ts.strftime("%Y-%m-%dT%H:%M:%SZ"), "site": s,
                             "curtailed_mw": k * 0.01 * sun, "price_cny_per_mwh": 450 - 200 * k * sun,
                             "co2_avg_kg_per_mwh": 600.0, "co2_marginal_kg_per_mwh": 850 - 800 * k * sun})
               for s, k in (("bj", 0.0), ("zw", 1.0))]).to_csv(tmp_path / "signals.csv", index=False)


def test_schedule_json_compares_policies(tmp_path):
    write_inputs(tmp_path)
    out = tmp_path / "schedule.csv"
    proc = run_cli("--trace", "jobs.csv", "--sites", "sites.csv", "--signals", "signals.csv",
                   "--policy", "fifo-local", "--policy", "greedy", "--policy", "optimal",
                   "--out", str(out), "--json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    res = json.loads(proc.stdout)
    pol = res["policies"]
    keys = {"energy_mwh", "cost_cny", "emissions_marginal_tco2", "emissions_average_tco2",
            "curtailment_absorbed_mwh", "mean_delay_h", "p95_delay_h", "deadline_misses",
            "capacity_violations", "latency_violations", "runtime_s", "objective", "objective_value",
            "objective_unit"}
    assert res["schema_version"] == 2
    assert res["signal_source"] == "file signals.csv"
    for name in ("fifo-local", "greedy", "optimal"):
        assert keys <= set(pol[name])
        assert "emissions_tco2" not in pol[name] and "emissions_avg_tco2" not in pol[name]
        assert pol[name]["capacity_violations"] == 0 and pol[name]["deadline_misses"] == 0
        assert (pol[name]["objective"], pol[name]["objective_unit"]) == ("cost", "CNY")
    assert pol["greedy"]["emissions_marginal_tco2"] < pol["fifo-local"]["emissions_marginal_tco2"]
    assert pol["optimal"]["objective_value"] <= pol["greedy"]["objective_value"] * (1 + 1e-9)
    sched = pd.read_csv(out)
    assert len(sched) == 3 * 30 and set(sched["policy"]) == {"fifo-local", "greedy", "optimal"}


def test_each_objective_is_what_the_policies_minimise(tmp_path):
    write_inputs(tmp_path)
    field = {"co2-marginal": "emissions_marginal_tco2", "co2-average": "emissions_average_tco2",
             "curtailment": "energy_mwh"}
    for objective, unit in (("co2-marginal", "tCO2"), ("co2-average", "tCO2"), ("curtailment", "MWh")):
        proc = run_cli("--trace", "jobs.csv", "--sites", "sites.csv", "--signals", "signals.csv",
                       "--policy", "fifo-local", "--policy", "greedy", "--policy", "optimal",
                       "--objective", objective, "--out", "s.csv", "--json", cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        res = json.loads(proc.stdout)
        assert res["instance"]["objective"] == objective
        pol = res["policies"]
        assert pol["greedy"]["objective_unit"] == unit
        assert pol["optimal"]["objective_value"] <= pol["greedy"]["objective_value"] * (1 + 1e-9) + 1e-9
        assert pol["greedy"]["objective_value"] <= pol["fifo-local"]["objective_value"] + 1e-9
        # the objective value is the figure it names plus the cost of waiting, 1e-5 per
        # accelerator-hour of delay
        grid = pol["greedy"]["energy_mwh"] - pol["greedy"]["curtailment_absorbed_mwh"]
        named = grid if objective == "curtailment" else pol["greedy"][field[objective]]
        sched = pd.read_csv(tmp_path / "s.csv").query("policy == 'greedy'")
        acc = pd.read_csv(tmp_path / "jobs.csv").set_index("job_id")["n_accelerators"]
        waiting = float((sched["delay_h"].to_numpy() * acc[sched["job_id"]].to_numpy()).sum())
        assert pol["greedy"]["objective_value"] == pytest.approx(named + 1e-5 * waiting, rel=1e-6)
    proc = run_cli("--trace", "jobs.csv", "--sites", "sites.csv", "--signals", "signals.csv",
                   "--objective", "co2", cwd=tmp_path)
    assert proc.returncode == 2 and "--objective" in proc.stderr and "co2-average" in proc.stderr


def test_bad_trace_is_one_line_and_writes_nothing(tmp_path):
    write_inputs(tmp_path)
    jobs = pd.read_csv(tmp_path / "jobs.csv")
    jobs.loc[4, "duration_h"] = -1.0
    jobs.to_csv(tmp_path / "bad.csv", index=False)
    out = tmp_path / "schedule.csv"
    proc = run_cli("--trace", "bad.csv", "--sites", "sites.csv", "--signals", "signals.csv",
                   "--out", str(out), cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.startswith("error:") and proc.stderr.strip().count("\n") == 0
    assert "row 5" in proc.stderr and "duration_h" in proc.stderr
    assert not out.exists()
    assert list(tmp_path.glob(".schedule.csv*")) == []


def test_job_larger_than_every_site_is_rejected(tmp_path):
    write_inputs(tmp_path)
    jobs = pd.read_csv(tmp_path / "jobs.csv")
    jobs.loc[2, "n_accelerators"] = 64
    jobs.to_csv(tmp_path / "big.csv", index=False)
    proc = run_cli("--trace", "big.csv", "--sites", "sites.csv", "--signals", "signals.csv",
                   cwd=tmp_path)
    assert proc.returncode == 2 and "row 3" in proc.stderr and "largest site" in proc.stderr


def test_no_signals_and_no_cache_is_a_clear_error_for_the_service(tmp_path):
    from computegrid.errors import InputError
    from computegrid.services.signals.grid_signals import province_grid_signals
    import os

    old = os.environ.get("COMPUTEGRID_CACHE_DIR")
    os.environ["COMPUTEGRID_CACHE_DIR"] = str(tmp_path / "empty")
    try:
        try:
            province_grid_signals(compute_if_missing=False)
        except InputError as exc:
            assert "--signals" in str(exc)
        else:
            raise AssertionError("expected InputError")
    finally:
        if old is None:
            os.environ.pop("COMPUTEGRID_CACHE_DIR")
        else:
            os.environ["COMPUTEGRID_CACHE_DIR"] = old


def test_services_schedule_batch_and_best_placement(tmp_path):
    from computegrid.io.signals import read_signals_csv
    from computegrid.io.scheduling_files import read_sites_csv
    from computegrid.services.schedule.scheduler import best_placement, schedule_jobs

    write_inputs(tmp_path)
    sites = read_sites_csv(tmp_path / "sites.csv")
    sig = read_signals_csv(tmp_path / "signals.csv", sites=sites)
    jobs = pd.read_csv(tmp_path / "jobs.csv").to_dict(orient="records")
    res = schedule_jobs(jobs, "greedy", sites=sites, signals=sig)
    assert len(res["schedule"]) == 30 and res["metrics"]["capacity_violations"] == 0
    one = best_placement({"job_id": "x", "submit_time": "2021-06-01T03:00:00Z", "n_accelerators": 2,
                          "duration_h": 2.0, "job_class": "training", "slack_h": 12.0,
                          "origin_province": "Beijing"}, sites=sites, signals=sig)
    # the cheap, curtailing hours are at Zhongwei around midday Beijing time
    assert one["site"] == "zw" and one["delay_h"] >= 0 and one["deadline_met"]
