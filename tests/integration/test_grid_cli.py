"""``computegrid grid show`` and bad options through the real entry point."""

import json
import subprocess
import sys


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "computegrid", *args], capture_output=True, text=True,
                          timeout=300)


def test_show_json_and_map(tmp_path):
    png = tmp_path / "map.png"
    proc = run_cli("grid", "show", "--year", "2025", "--map", str(png), "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert len(out["buses"]) == 31 and len(out["corridors"]) == 56 and len(out["sites"]) == 14
    assert out["capacity_gw"]["coal"] > 1000
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_show_table(tmp_path):
    proc = run_cli("grid", "show", "--map", str(tmp_path / "m.png"))
    assert proc.returncode == 0
    assert "zhongwei" in proc.stdout and "AH-XJ" in proc.stdout


def test_bad_options_are_one_line():
    for args in (("grid", "validate", "--resolution", "7h"), ("grid", "validate", "--year", "2019"),
                 ("grid", "show", "--year", "2100")):
        proc = run_cli(*args)
        assert proc.returncode == 2, args
        lines = [ln for ln in proc.stderr.strip().splitlines() if ln.strip()]
        assert len(lines) == 1 and lines[0].startswith("error:"), proc.stderr
