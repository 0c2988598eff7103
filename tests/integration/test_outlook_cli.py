"""``computegrid outlook`` and ``computegrid adequacy`` from the command line: JSON shape, chart files,
bad input as one line with exit code 2."""

import json
import subprocess
import sys

import pytest


def run_cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "computegrid", *args], capture_output=True, text=True,
                          timeout=300, cwd=cwd)


def test_outlook_json_and_fan_charts(tmp_path):
    proc = run_cli("outlook", "--scenario", "iea-base", "--scenario", "china-official", "--draws", "500",
                   "--seed", "1", "--out", str(tmp_path / "out"), "--json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["years"] == list(range(2024, 2036))
    assert set(doc["scenarios"]) == {"iea-base", "china-official"}
    for s in doc["scenarios"].values():
        for field in ("energy_twh", "avg_power_gw", "peak_power_gw"):
            band = s[field]
            assert all(len(band[k]) == 12 for k in ("p5", "p50", "p95"))
            assert all(a <= b <= c for a, b, c in zip(band["p5"], band["p50"], band["p95"]))
        assert s["energy_twh"]["p50"][0] == pytest.approx(s["avg_power_gw"]["p50"][0] * 8.76, rel=1e-3)
    png = tmp_path / "out" / "outlook_china.png"
    html = tmp_path / "out" / "outlook_china.html"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "plotly" in html.read_text(encoding="utf-8")[:200_000].lower()
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.startswith(".")]  # no temp files left


def test_outlook_calibrate_json():
    proc = run_cli("outlook", "--calibrate", "--draws", "2000", "--json")
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)["calibration"]
    names = {r["scenario"] for r in rows}
    assert {"iea-base", "china-official", "goldman-sachs", "high-efficiency"} <= names
    assert all(abs(r["central_error_frac"]) < 0.05 for r in rows)


@pytest.mark.parametrize("args", [
    ("outlook", "--scenario", "no-such-scenario"),
    ("outlook", "--draws", "0"),
    ("outlook", "--region", "mars"),
    ("adequacy", "--years", "2040"),
    ("adequacy", "--years", "2027", "--draws", "-3"),
    ("adequacy", "--years", "2030", "--scenario", "no-such-scenario"),
])
def test_bad_input_is_one_line_exit_2(args):
    proc = run_cli(*args)
    assert proc.returncode == 2
    assert proc.stderr.startswith("error:") and proc.stderr.strip().count("\n") == 0
    assert "Traceback" not in proc.stderr


def test_impossible_distribution_in_scenario_file_is_one_line_exit_2(tmp_path):
    from importlib import resources

    text = resources.files("computegrid.demand").joinpath("data/outlook_scenarios.yaml").read_text()
    bad = text.replace("{dist: uniform, low: 0.40, high: 0.70,", "{dist: uniform, low: 0.40, high: 1.70,", 1)
    assert bad != text
    path = tmp_path / "bad.yaml"
    path.write_text(bad)
    proc = run_cli("outlook", "--scenario-file", str(path), "--out", str(tmp_path / "o"))
    assert proc.returncode == 2
    assert "utilisation_frac" in proc.stderr and proc.stderr.strip().count("\n") == 0
    assert not (tmp_path / "o").exists()
