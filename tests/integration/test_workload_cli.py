"""The workload commands through the real entry point (subprocess, as a user runs them)."""

import json
import subprocess
import sys

import pytest


def run_cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "computegrid", *args], capture_output=True,
                          text=True, timeout=120, cwd=cwd)


def run_json(*args):
    proc = run_cli(*args, "--json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_training_from_days_reproduces_gpt3():
    out = run_json("estimate", "training", "--accelerator", "v100", "--n-accelerators", "10000",
                   "--avg-power-w", "330", "--days", "14.8", "--pue", "1.1",
                   "--carbon-intensity-kg-per-kwh", "0.429")
    assert out["energy_mwh"] == pytest.approx(1287, rel=0.01)
    assert out["emissions_tco2"] == pytest.approx(552.1, rel=0.01)
    assert out["duration_days"] == pytest.approx(14.8)


def test_training_from_flops_and_from_parameters():
    out = run_json("estimate", "training", "--accelerator", "v100", "--n-accelerators", "10000",
                   "--avg-power-w", "330", "--flops", "3.14e23", "--mfu", "0.197", "--pue", "1.1")
    assert out["duration_days"] == pytest.approx(14.8, abs=0.11)
    out2 = run_json("estimate", "training", "--accelerator", "v100", "--n-accelerators", "10000",
                    "--avg-power-w", "330", "--parameters", "175e9", "--tokens", "300e9",
                    "--mfu", "0.197", "--pue", "1.1")
    assert out2["total_flops"] == pytest.approx(3.15e23)


def test_inference_fleet_gpu_year():
    inf = run_json("estimate", "inference", "--task", "image-generation", "--n-items", "1000")
    assert inf["energy_kwh"] == pytest.approx(2.907)
    assert inf["energy_wh_per_item"] == pytest.approx(2.907)
    assert inf["smartphone_charges"] == pytest.approx(132.1, abs=0.1)
    fleet = run_json("estimate", "fleet", "--servers", "1500000", "--server", "dgx-h100",
                     "--utilisation", "1.0")
    assert fleet["energy_twh_per_year"] == pytest.approx(134.0, abs=0.05)
    assert "Netherlands" in [c["country_name"] for c in fleet["closest_countries"]]
    gy = run_json("estimate", "gpu-year", "--accelerator", "h100-sxm", "--utilisation", "0.61")
    assert gy["energy_kwh_per_year"] == pytest.approx(3740, abs=5)
    assert gy["us_households"] == pytest.approx(0.349, abs=1e-3)
    assert gy["china_households"] == pytest.approx(1.369, abs=1e-3)


def test_hardware_file_and_codecarbon(tmp_path):
    hw = tmp_path / "hw.csv"
    hw.write_text("id,kind,power_w,peak_tflops_fp16_dense,source\nmy-npu,accelerator,500,400,vendor\n")
    out = run_json("estimate", "gpu-year", "--accelerator", "my-npu", "--utilisation", "0.5",
                   "--hardware-file", str(hw))
    assert out["energy_kwh_per_year"] == pytest.approx(0.5 * 8760 * 0.5)
    cc = tmp_path / "emissions.csv"
    cc.write_text("duration,emissions,energy_consumed\n3600,0.5,1.0\n1800,0.25,0.5\n")
    out = run_json("estimate", "--from-codecarbon", str(cc))
    assert out["energy_kwh"] == pytest.approx(1.5) and out["n_runs"] == 2


def test_claims_json_and_table():
    out = run_json("claims")
    assert [c["id"] for c in out["claims"]] == ["image-vs-smartphone", "h100-vs-household",
                                                "ai-servers-vs-countries", "compute-x10-per-six-months"]
    proc = run_cli("claims")
    assert proc.returncode == 0 and "verdict" in proc.stdout.lower()


def test_measure_with_replay(tmp_path):
    out = tmp_path / "energy.jsonl"
    proc = run_cli("measure", "--replay", "builtin", "--output", str(out), "--",
                   sys.executable, "-c", "print('hi')")
    assert proc.returncode == 0, proc.stderr
    recs = [json.loads(line) for line in out.read_text().splitlines()]
    assert {r["method"] for r in recs} == {"measured"}
    assert all(r["energy_j"] > 0 for r in recs)


def test_measure_estimates_without_counters():
    proc = run_cli("measure", "--cpu-tdp-w", "65", "--", sys.executable, "-c", "sum(range(10**6))")
    assert proc.returncode == 0, proc.stderr
    recs = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    assert recs and all(r["method"] in ("measured", "estimated") for r in recs)
    assert all(r["energy_j"] is None or r["energy_j"] > 0 for r in recs)  # never a silent 0
    assert all(r["energy_j"] is not None or r["note"] for r in recs)


BAD_INPUTS = [
    (["estimate", "gpu-year", "--accelerator", "h100", "--utilisation", "0.5"],
     "--accelerator", "did you mean h100-sxm"),
    (["estimate", "training", "--accelerator", "v100", "--n-accelerators", "0", "--days", "1"],
     "--n-accelerators", "whole number >= 1"),
    (["estimate", "training", "--accelerator", "v100", "--n-accelerators", "-5", "--days", "1"],
     "--n-accelerators", "whole number >= 1"),
    (["estimate", "gpu-year", "--accelerator", "h100-sxm", "--utilisation", "1.5"],
     "--utilisation", "(0, 1]"),
    (["estimate", "gpu-year", "--accelerator", "h100-sxm", "--utilisation", "0"],
     "--utilisation", "(0, 1]"),
    (["estimate", "training", "--accelerator", "v100", "--n-accelerators", "8", "--flops", "1e21",
      "--mfu", "1.5"], "--mfu", "(0, 1]"),
    (["estimate", "training", "--accelerator", "v100", "--n-accelerators", "8", "--days", "nan"],
     "--days", "finite"),
    (["estimate", "training", "--accelerator", "v100", "--n-accelerators", "8", "--days", "1",
      "--avg-power-w", "nan"], "--avg-power-w", "finite"),
    (["estimate", "fleet", "--servers", "0", "--server", "dgx-h100"], "--servers", ">= 1"),
    (["estimate", "fleet", "--servers", "10", "--server", "dgx-h10"], "--server", "dgx-h100"),
    (["estimate", "inference", "--task", "image-gen", "--n-items", "10"], "--task", "image-generation"),
    (["estimate", "inference", "--task", "image-generation", "--n-items", "-1"], "--n-items", ">= 1"),
    (["estimate", "training", "--accelerator", "v100", "--n-accelerators", "8"], "--days", "exactly one"),
    (["estimate", "training", "--accelerator", "v100", "--n-accelerators", "8", "--days", "1",
      "--pue", "0.8"], "--pue", ">= 1"),
    (["estimate", "--from-codecarbon", "missing.csv"], "--from-codecarbon", "CodeCarbon"),
    (["measure", "--", "no-such-executable-xyz"], "CMD", "executable"),
]


@pytest.mark.parametrize("args,field,allowed", BAD_INPUTS)
def test_bad_input_is_one_line_exit_2(args, field, allowed):
    proc = run_cli(*args)
    assert proc.returncode == 2, proc.stderr
    err = proc.stderr.strip()
    assert "\n" not in err and "Traceback" not in err
    assert err.startswith(f"error: {field}") and allowed in err


def test_malformed_hardware_file_is_one_line(tmp_path):
    hw = tmp_path / "hw.csv"
    hw.write_text("id,kind,power_w,source\nmy-npu,accelerator,-500,vendor\n")
    proc = run_cli("estimate", "gpu-year", "--accelerator", "my-npu", "--utilisation", "0.5",
                   "--hardware-file", str(hw))
    assert proc.returncode == 2
    assert proc.stderr.strip() == ("error: hw.csv: row 1, column power_w: got '-500'; "
                                   "a finite number > 0 [W]")
