"""Measurement: counters with wraparound, replay source, estimate fallback, never a silent 0."""

import json
import sys

import pytest

from computegrid.errors import InputError
from computegrid.workload import measure


def test_builtin_replay_trace_with_rapl_wraparound():
    meters = measure.load_replay_meters(measure.builtin_replay_trace())
    for m in meters:
        m.start(0.0)
    readings = {m.device: m.stop(1.0) for m in meters}
    gpu, cpu = readings["gpu:0 (replay)"], readings["cpu:package-0 (replay)"]
    assert gpu.method == "measured" and gpu.energy_j == pytest.approx(600.0)
    # 40e6 uJ + (20e6 + 262143328850 - 262140000000) uJ + 40e6 + 40e6 = 143.33 J
    assert cpu.energy_j == pytest.approx(143.32885)
    assert "wrapped 1" in cpu.note


def test_counter_that_does_not_advance_reports_none_not_zero():
    m = measure.CounterMeter("gpu:0", lambda: 5000.0, 1e-3)
    m.start(0.0)
    m.sample(0.5)
    r = m.stop(1.0)
    assert r.energy_j is None and "did not advance" in r.note


def test_counter_backwards_without_range_raises():
    values = iter([10.0, 5.0])
    m = measure.CounterMeter("gpu:0", lambda: next(values), 1e-3)
    m.start(0.0)
    with pytest.raises(RuntimeError):
        m.stop(1.0)


def test_cpu_estimate_integrates_tdp_times_utilisation():
    samples = iter([(0.0, 0.0), (1.0, 2.0), (3.0, 4.0)])  # 50 % then 100 % busy
    m = measure.CpuUtilisationEstimator(100.0, lambda: next(samples))
    m.start(0.0)
    m.sample(10.0)
    r = m.stop(20.0)
    assert r.method == "estimated"
    assert r.energy_j == pytest.approx(100 * 0.5 * 10 + 100 * 1.0 * 10)


def test_rapl_meters_from_fake_powercap(tmp_path):
    zone = tmp_path / "intel-rapl:0"
    zone.mkdir()
    (zone / "name").write_text("package-0\n")
    (zone / "max_energy_range_uj").write_text("1000000\n")
    (zone / "energy_uj").write_text("999000\n")
    sub = tmp_path / "intel-rapl:0:0"
    sub.mkdir()
    meters, notes = measure.rapl_meters(str(tmp_path / "intel-rapl:[0-9]*"))
    assert [m.device for m in meters] == ["cpu:package-0"]
    m = meters[0]
    m.start(0.0)
    (zone / "energy_uj").write_text("1000\n")  # wrapped
    r = m.stop(1.0)
    assert r.energy_j == pytest.approx((1000 + 1_000_000 - 999_000) * 1e-6)


def test_measure_command_runs_and_records(tmp_path):
    meters = measure.load_replay_meters(measure.builtin_replay_trace())
    res = measure.measure_command([sys.executable, "-c", "import sys; sys.exit(4)"], meters,
                                  interval_s=0.05)
    assert res.exit_code == 4
    assert len(res.records) == 2
    for line in measure.iter_json_lines(res.records):
        rec = json.loads(line)
        assert rec["method"] in ("measured", "estimated")
        assert rec["energy_j"] and rec["energy_j"] > 0
        assert rec["exit_code"] == 4


def test_measure_command_rejects_unknown_executable():
    with pytest.raises(InputError, match="CMD"):
        measure.measure_command(["no-such-executable-xyz"], [])


@pytest.mark.hardware
def test_real_meters_report_something(request):
    """Opt-in (-m hardware): on a machine with NVML or RAPL, the measured energy is positive."""
    if "hardware" not in (request.config.getoption("markexpr") or ""):
        pytest.skip("real hardware: opt in with -m hardware")
    meters, _ = measure.discover_meters()
    res = measure.measure_command([sys.executable, "-c", "sum(range(10**7))"], meters)
    assert any(r.method == "measured" and r.energy_j for r in res.records)
