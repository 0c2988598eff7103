"""CodeCarbon emissions.csv import."""

import pytest

from computegrid.errors import DataFileError
from computegrid.io.codecarbon import read_codecarbon_emissions
from computegrid.services.workload.estimate import summarise_codecarbon

HEADER = ("timestamp,project_name,run_id,duration,emissions,emissions_rate,cpu_power,gpu_power,"
          "ram_power,cpu_energy,gpu_energy,ram_energy,energy_consumed,country_name,country_iso_code\n")


def test_import_and_sum(tmp_path):
    f = tmp_path / "emissions.csv"
    f.write_text(HEADER
                 + "2024-01-01T00:00:00,p,r1,3600,0.5,0.0001,42.5,250,10,0.0425,0.25,0.01,0.3025,China,CHN\n"
                 + "2024-01-01T02:00:00,p,r2,1800,0.25,0.0001,42.5,250,10,0.02,0.12,0.005,0.145,China,CHN\n")
    runs = read_codecarbon_emissions(f)
    assert {"duration_s", "energy_kwh", "emissions_kgco2", "gpu_power_w"} <= set(runs.columns)
    s = summarise_codecarbon(runs)
    assert s.n_runs == 2
    assert s.duration_h == pytest.approx(1.5)
    assert s.energy_kwh == pytest.approx(0.4475)
    assert s.implied_carbon_intensity_kg_per_kwh == pytest.approx(0.75 / 0.4475)


@pytest.mark.parametrize("row,where", [
    ("2024,p,r1,-1,0.5,0,0,0,0,0,0,0,0.3,China,CHN\n", "row 1, column duration"),
    ("2024,p,r1,10,abc,0,0,0,0,0,0,0,0.3,China,CHN\n", "row 1, column emissions"),
])
def test_bad_values(tmp_path, row, where):
    f = tmp_path / "emissions.csv"
    f.write_text(HEADER + row)
    with pytest.raises(DataFileError, match=where):
        read_codecarbon_emissions(f)


def test_missing_column(tmp_path):
    f = tmp_path / "emissions.csv"
    f.write_text("duration,emissions\n1,2\n")
    with pytest.raises(DataFileError, match="column energy_consumed"):
        read_codecarbon_emissions(f)
