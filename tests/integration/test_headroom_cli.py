"""``computegrid headroom``: JSON fields, the China default, a user's load file, and bad input (exit 2, one
line naming the row, column or value)."""

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from computegrid.cli.app import main

FIELDS = ("region", "peak_mw", "load_factor", "headroom_mw", "curtailed_hours_per_year",
          "mean_event_duration_h", "hours_retaining_50pct_frac")


def run(capsys, *args):
    with pytest.raises(SystemExit) as exc:
        main(["headroom", *args])
    out = capsys.readouterr()
    return exc.value.code, out.out, out.err


def write_load(path, hours=24 * 400, start="2023-01-01", regions=("north", "south")):
    idx = pd.date_range(start, periods=hours, freq="h")
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"timestamp": idx.strftime("%Y-%m-%dT%H:%M")})
    for i, r in enumerate(regions):
        df[r] = 1000 * (i + 1) + 200 * np.sin(np.arange(hours) * 2 * np.pi / 24) + rng.normal(0, 20, hours)
    df.to_csv(path, index=False)
    return df


def test_china_default_json_fields(capsys):
    code, out, err = run(capsys, "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["limits_pct"] == [0.25, 0.5, 1.0, 5.0] and data["year"] == 2024  # the base year
    provinces = [r for r in data["regions"] if r["kind"] == "province"]
    grids = [r["region"] for r in data["regions"] if r["kind"] == "regional-grid"]
    assert len(provinces) == 31
    assert grids == ["North", "Northeast", "East", "Central", "Northwest", "Southwest", "South"]
    for r in data["regions"]:
        assert set(FIELDS) <= set(r)
        assert all(len(r[k]) == 4 for k in FIELDS[3:])
        assert r["headroom_mw"] == sorted(r["headroom_mw"])  # more curtailment allowed, more headroom
    total = [sum(r["headroom_mw"][i] for r in provinces) for i in range(4)]
    assert data["total_headroom_mw"] == pytest.approx(total)
    east = next(r for r in data["regions"] if r["region"] == "East")
    members = [r for r in provinces if r["region"] in ("SH", "JS", "ZJ", "AH", "FJ")]
    assert east["peak_mw"] <= sum(r["peak_mw"] for r in members)  # a sum of loads peaks below the sum of peaks
    assert data["regional_grid_sum_of_provinces_mw"]["East"] == pytest.approx(
        [sum(r["headroom_mw"][i] for r in members) for i in range(4)])
    assert "2018 shape" in data["source"]


def test_load_file_and_limits_forms(tmp_path, capsys):
    path = tmp_path / "load.csv"
    write_load(path)
    code, out, err = run(capsys, "--load-file", str(path), "--limits", "0.5", "2", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["limits_pct"] == [0.5, 2.0] and [r["region"] for r in data["regions"]] == ["north", "south"]
    code2, out2, _ = run(capsys, "--load-file", str(path), "--limits", "0.5,2", "--json")
    assert code2 == 0 and json.loads(out2)["total_headroom_mw"] == data["total_headroom_mw"]


def test_table_and_report(tmp_path, capsys):
    path = tmp_path / "load.csv"
    write_load(path)
    code, out, err = run(capsys, "--load-file", str(path), "--report-dir", str(tmp_path / "rep"))
    assert code == 0, err
    assert "north" in out and "total" in out
    assert (tmp_path / "rep" / "headroom_bars.png").read_bytes()[:4] == b"\x89PNG"
    assert "Flexible-load headroom" in (tmp_path / "rep" / "headroom.html").read_text()


def test_china_report_has_the_map(tmp_path, capsys):
    code, out, err = run(capsys, "--limits", "0.5", "--report-dir", str(tmp_path), "--json")
    assert code == 0, err
    files = json.loads(out)["report_files"]
    assert [p.rsplit("/", 1)[-1] for p in files] == ["headroom_bars.png", "headroom_map.png", "headroom.html"]
    assert (tmp_path / "headroom_map.png").read_bytes()[:4] == b"\x89PNG"
    assert ">SD<" in (tmp_path / "headroom.html").read_text()


def bad_file(tmp_path, mutate):
    path = tmp_path / "bad.csv"
    df = write_load(path)
    df = mutate(df.astype(object))
    df.to_csv(path, index=False)
    return path


CASES = {
    "no timestamp": (lambda d: d.drop(columns="timestamp"), ["timestamp", "missing"]),
    "gap": (lambda d: d.drop(index=5), ["row 6", "hourly steps"]),
    "duplicate": (lambda d: d.assign(timestamp=d["timestamp"].where(d.index != 7, d["timestamp"][6])),
                  ["row 8", "once"]),
    "out of order": (lambda d: pd.concat([d.iloc[:3], d.iloc[[4, 3]], d.iloc[5:]]), ["row 5", "increasing"]),
    "negative": (lambda d: d.assign(south=d["south"].where(d.index != 10, -5.0)),
                 ["column south", "row 11", "-5", ">= 0"]),
    "non-numeric": (lambda d: d.assign(north=d["north"].where(d.index != 2, "abc")),
                    ["column north", "row 3", "abc"]),
    "missing": (lambda d: d.assign(north=d["north"].where(d.index != 4, None)),
                ["column north", "row 5", "missing"]),
    "bad time": (lambda d: d.assign(timestamp=d["timestamp"].where(d.index != 1, "yesterday")),
                 ["row 2", "yesterday"]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_load_file_is_one_line_exit_2(tmp_path, capsys, case):
    mutate, words = CASES[case]
    code, out, err = run(capsys, "--load-file", str(bad_file(tmp_path, mutate)))
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert code == 2 and len(lines) == 1 and lines[0].startswith("error:"), err
    for w in words:
        assert w in lines[0], (w, lines[0])


def test_no_summer_hours_is_rejected(tmp_path, capsys):
    path = tmp_path / "winter.csv"
    write_load(path, hours=24 * 60, start="2023-01-01")
    code, _, err = run(capsys, "--load-file", str(path))
    assert code == 2 and "June-August" in err


@pytest.mark.parametrize("limits", [["0"], ["100"], ["150"], ["0.5", "abc"], ["-1"]])
def test_bad_limits(capsys, limits):
    code, _, err = run(capsys, "--limits", *limits)
    assert code == 2 and err.count("\n") == 1 and err.startswith("error:"), err


def test_other_bad_options(tmp_path, capsys):
    for args, word in ((["--method", "best"], "--method"), (["--year", "2019"], "--year"),
                       (["--load-file", str(tmp_path / "none.csv")], "--load-file"),
                       (["--method", "grid", "--resolution", "rep12"], "--resolution")):
        code, _, err = run(capsys, *args)
        assert code == 2 and word in err and err.count("\n") == 1, (args, err)
    path = tmp_path / "load.csv"
    write_load(path)
    code, _, err = run(capsys, "--load-file", str(path), "--method", "grid")
    assert code == 2 and "--method" in err


def test_real_entry_point_json():
    proc = subprocess.run([sys.executable, "-m", "computegrid", "headroom", "--limits", "1", "--json"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert len(json.loads(proc.stdout)["total_headroom_mw"]) == 1


def test_utc_offsets(tmp_path, capsys):
    path = tmp_path / "offset.csv"
    df = write_load(path)
    df.assign(timestamp=df["timestamp"] + "+08:00").to_csv(path, index=False)
    code, out, err = run(capsys, "--load-file", str(path), "--json")
    assert code == 0, err
    mixed = df.assign(timestamp=df["timestamp"] + np.where(df.index < 100, "+08:00", "+09:00"))
    mixed.to_csv(path, index=False)
    code, _, err = run(capsys, "--load-file", str(path))
    assert code == 2 and "timestamp" in err and err.count("\n") == 1, err


@pytest.mark.slow
def test_grid_method_json_and_report(tmp_path, capsys):
    """``--method grid`` end to end on the 2024 base-year network at a coarse 730 h step (12 snapshots, so
    that it runs in seconds): the issue's JSON fields per province, the second stage's curtailment cost,
    and the report with the map."""
    from computegrid.services.outlook.headroom import curtailment_cost_cny_per_mwh

    code, out, err = run(capsys, "--method", "grid", "--resolution", "730h", "--limits", "1", "5",
                         "--report-dir", str(tmp_path), "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["method"] == "grid" and data["resolution"] == "730h" and data["limits_pct"] == [1.0, 5.0]
    assert data["curtailment_cost_cny_per_mwh"] == pytest.approx(curtailment_cost_cny_per_mwh())
    assert len(data["regions"]) == 31 and {r["kind"] for r in data["regions"]} == {"province"}
    for r in data["regions"]:
        assert set(FIELDS) <= set(r) and all(len(r[k]) == 2 for k in FIELDS[3:])
        assert 0.0 < r["headroom_mw"][0] <= r["headroom_mw"][1] * (1 + 1e-9)
        assert all(0.0 <= h <= 8760.0 for h in r["curtailed_hours_per_year"])
    assert data["total_headroom_mw"] == pytest.approx(
        [sum(r["headroom_mw"][i] for r in data["regions"]) for i in range(2)])
    assert set(data["peak_method_headroom_mw"]) == {r["region"] for r in data["regions"]}
    assert (tmp_path / "headroom_map.png").read_bytes()[:4] == b"\x89PNG"
