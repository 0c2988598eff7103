"""Base-year 2024 dispatch against official statistics (see the bundled official_2024.csv for each figure's
source; several are marked secondary). Run at 3-hourly resolution: daily means hide solar curtailment.

Targets (issue 14): generation by carrier within 10 % of the official figures; national wind and solar
curtailment each within 1.5 points; the five provinces with the highest official 2024 curtailment among
the model's ten highest; CO2 per MWh generated within 5 %.
"""

import json
import subprocess
import sys

import pytest

from computegrid.datasets.grid_base_year import load_curtailment_rank_2024

GENERATION_TOLERANCE_FRAC = 0.10
CURTAILMENT_TOLERANCE = 0.015  # 1.5 percentage points
EMISSION_TOLERANCE_FRAC = 0.05


@pytest.fixture(scope="module")
def report():
    proc = subprocess.run([sys.executable, "-m", "computegrid", "grid", "validate", "--year", "2024",
                           "--resolution", "3h", "--json"], capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_json_fields(report):
    keys = {"coal", "gas", "hydro", "nuclear", "wind", "solar", "thermal"}
    assert set(report["generation_twh"]) == keys == set(report["official"]["generation_twh"])
    assert set(report["curtailment_frac"]) == {"wind", "solar"}
    assert {"wind", "solar"} <= set(report["curtailment_frac_by_province"])
    assert len(report["curtailment_frac_by_province"]["solar"]) == 31
    assert report["capacity_gw"]["nuclear"] == pytest.approx(60.83)
    assert report["capacity_gw"]["battery_energy_gwh"] == pytest.approx(168.0)
    assert report["official_sources"]["generation_twh"]["coal"]
    assert report["unserved_energy_twh"] < 1.0


@pytest.mark.parametrize("carrier", ["coal", "thermal", "gas", "hydro", "nuclear", "wind", "solar"])
def test_generation_within_tolerance(report, carrier):
    assert report["generation_twh"][carrier] == pytest.approx(
        report["official"]["generation_twh"][carrier], rel=GENERATION_TOLERANCE_FRAC)


@pytest.mark.parametrize("carrier", ["wind", "solar"])
def test_national_curtailment_within_points(report, carrier):
    assert report["curtailment_frac"][carrier] == pytest.approx(
        report["official"]["curtailment_frac"][carrier], abs=CURTAILMENT_TOLERANCE)


@pytest.mark.xfail(strict=True, reason="documented miss (docs/grid-model.md, base year 2024): Qinghai, Gansu, "
                   "Inner Mongolia and Xinjiang are among the model's ten highest; Tibet curtails nothing")
def test_highest_curtailment_provinces(report):
    ranked = list(report["curtailment_frac_by_province"]["wind_and_solar"])  # highest first
    official = set(load_curtailment_rank_2024()["province"])
    assert official <= set(ranked[:10]), (ranked[:10], official)


def test_emission_factor(report):
    assert report["emission_factor_tco2_per_mwh"] == pytest.approx(
        report["official"]["emission_factor_tco2_per_mwh"], rel=EMISSION_TOLERANCE_FRAC)
