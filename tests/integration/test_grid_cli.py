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


def test_resolutions_reports_errors_against_reference():
    proc = run_cli("grid", "resolutions", "--reference", "24h", "--compare", "rep4", "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["reference"]["n_snapshots"] == 365
    red = out["reduced"][0]
    assert red["resolution"] == "rep4" and red["n_snapshots"] == 96
    # four representative days keep the national aggregates within a few percent of the daily model
    assert abs(red["objective_error_frac"]) < 0.05
    assert abs(red["generation_error_frac"]["coal"]) < 0.05


def test_bad_base_year_and_fleet_file_are_one_line(tmp_path):
    bad = tmp_path / "fleet.csv"
    cases = [(("grid", "validate", "--year", "2031"), "available base years: 2020, 2024")]
    for i, row in enumerate(("XX,coal,5", "AH,fusion,5", "AH,coal,-1")):
        path = tmp_path / f"fleet{i}.csv"
        path.write_text("province,carrier,capacity_mw\n" + row + "\n")
        cases.append((("grid", "validate", "--year", "2024", "--fleet", str(path)), "row 1, column"))
    cases.append((("grid", "validate", "--year", "2024", "--fleet", str(bad)), "--fleet"))
    for args, text in cases:
        proc = run_cli(*args)
        assert proc.returncode == 2, args
        lines = [ln for ln in proc.stderr.strip().splitlines() if ln.strip()]
        assert len(lines) == 1 and lines[0].startswith("error:") and text in lines[0], proc.stderr
