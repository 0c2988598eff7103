"""Estimators: formulas, vectorisation over arrays and Series, input checks."""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from computegrid.errors import InputError
from computegrid.workload import comparisons, energy


def test_training_energy_vectorised_matches_scalar():
    n = np.array([512, 1024, 10_000])
    p = np.array([310.0, 289.0, 330.0])
    h = np.array([480.0, 720.0, 355.2])
    pue = np.array([1.12, 1.09, 1.10])
    vec = energy.training_energy_mwh(n, p, h, pue)
    assert vec.shape == (3,)
    for i in range(3):
        assert vec[i] == pytest.approx(energy.training_energy_mwh(int(n[i]), p[i], h[i], pue[i]))


def test_series_keeps_index():
    s = pd.Series([1.0, 2.0], index=["a", "b"])
    out = energy.accelerator_energy_kwh(700.0, 0.5, s)
    assert isinstance(out, pd.Series)
    assert list(out.index) == ["a", "b"]
    assert out["b"] == pytest.approx(0.7)


def test_duration_and_flops():
    assert energy.training_flops_from_parameters(175e9, 300e9) == pytest.approx(3.15e23)
    # doubling MFU halves the duration
    h1 = energy.training_duration_h(1e21, 8, 312.0, 0.25)
    h2 = energy.training_duration_h(1e21, 8, 312.0, 0.5)
    assert h1 == pytest.approx(2 * h2)


def test_fleet_and_emissions_units():
    # 1 server of 1 kW for 8,760 h = 8,760 kWh = 8.76e-6 TWh
    assert energy.fleet_energy_twh_per_year(1, 1000.0, 1.0) == pytest.approx(8.76e-6)
    # 1 MWh at 0.5 kg/kWh = 500 kg = 0.5 t
    assert energy.emissions_tco2(1.0, 0.5) == pytest.approx(0.5)


@pytest.mark.parametrize("kwargs,field", [
    (dict(n_accelerators=0, avg_power_w=300, duration_h=1), "n_accelerators"),
    (dict(n_accelerators=-4, avg_power_w=300, duration_h=1), "n_accelerators"),
    (dict(n_accelerators=8, avg_power_w=math.nan, duration_h=1), "avg_power_w"),
    (dict(n_accelerators=8, avg_power_w=300, duration_h=1, pue=0.9), "pue"),
])
def test_training_energy_rejects(kwargs, field):
    with pytest.raises(InputError) as exc:
        energy.training_energy_mwh(**kwargs)
    assert exc.value.field == field


@pytest.mark.parametrize("mfu", [0.0, 1.2, -0.1, math.nan])
def test_mfu_outside_unit_interval(mfu):
    with pytest.raises(InputError, match=r"\(0, 1\]"):
        energy.training_duration_h(1e21, 8, 312.0, mfu)


def test_array_check_names_first_bad_value():
    with pytest.raises(InputError) as exc:
        energy.fleet_energy_twh_per_year(np.array([10, 20]), 6500.0, np.array([0.5, 1.5]))
    assert exc.value.field == "utilisation_frac" and exc.value.value == 1.5


@given(st.floats(0.01, 1.0), st.floats(1.0, 2.0))
def test_energy_monotone_in_utilisation_and_pue(u, pue):
    base = energy.accelerator_energy_kwh(700.0, u, 8760.0, pue)
    assert energy.accelerator_energy_kwh(700.0, min(1.0, u * 1.1), 8760.0, pue) >= base
    assert energy.accelerator_energy_kwh(700.0, u, 8760.0, pue * 1.1) > base


def test_closest_countries_log_distance():
    countries = pd.DataFrame({
        "iso_code": ["A", "B", "C"], "country_name": ["a", "b", "c"], "year": [2023] * 3,
        "electricity_generation_twh": [50.0, 100.0, 400.0]})
    near = comparisons.closest_countries(110.0, countries, n=2)
    assert list(near["iso_code"]) == ["B", "A"]
    assert near.loc[0, "ratio"] == pytest.approx(1.1)
