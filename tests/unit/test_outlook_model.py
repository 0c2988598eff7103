"""Outlook model: reproducible draws, consistent regions and units, the fleet vintage model by hand."""

import dataclasses

import numpy as np
import pytest

from computegrid.demand.fleet import installed_fleet
from computegrid.demand.outlook import (OUTLOOK_YEARS, central_path, energy_twh_to_avg_power_gw,
                                        median_parameters, percentiles, simulate, simulate_chunked,
                                        simulate_parameters)
from computegrid.demand.scenarios import load_scenario_file, load_scenarios
from computegrid.errors import InputError


@pytest.fixture(scope="module")
def scenarios():
    return load_scenarios()


def test_every_packaged_parameter_has_a_source(scenarios):
    for s in scenarios.values():
        for region in s.regions.values():
            for name, dist in region.items():
                assert dist.source.strip(), f"{s.name}.{name} has no source"
        for name, dist in s.scenario_params.items():
            assert dist.source.strip(), f"{s.name}.{name} has no source"


def test_same_seed_same_draws_and_independent_of_other_scenarios(scenarios):
    s = scenarios["iea-base"]
    a = simulate(s, 500, seed=7)
    b = simulate(s, 500, seed=7)
    c = simulate(s, 500, seed=8)
    np.testing.assert_array_equal(a.energy_twh["china"], b.energy_twh["china"])
    assert not np.array_equal(a.energy_twh["china"], c.energy_twh["china"])
    # chunked draws: the first chunk equals a single run of that chunk
    d = simulate_chunked(s, 1_000, seed=7, chunk_draws=500)
    np.testing.assert_array_equal(d.energy_twh["world"][:500], a.energy_twh["world"])


def test_regions_units_and_bands_are_consistent(scenarios):
    d = simulate(scenarios["china-official"], 2_000, seed=0)
    assert list(d.years) == list(OUTLOOK_YEARS)
    np.testing.assert_allclose(d.energy_twh["china_east"] + d.energy_twh["china_west"], d.energy_twh["china"])
    assert np.all(d.ai_energy_twh["china"] <= d.energy_twh["china"])
    # 1 TWh/yr = 1e6 MWh / 8,760 h = 114.16 MW
    assert energy_twh_to_avg_power_gw(8.76) == pytest.approx(1.0)
    assert np.all(d.peak_power_gw("china") >= d.avg_power_gw("china"))
    pc = percentiles(d.energy_twh["china"])
    assert np.all(pc["p5"] <= pc["p50"]) and np.all(pc["p50"] <= pc["p95"])
    assert np.all(pc["p95"] > pc["p5"])  # real uncertainty


def test_east_west_split_stock_vs_targets(scenarios):
    s = scenarios["china-official"]
    p = median_parameters(s)
    stock = simulate_parameters(dataclasses.replace(s, china_split="stock"), p)
    targets = simulate_parameters(dataclasses.replace(s, china_split="targets"), p)
    share_stock = stock.energy_twh["china_west"][0] / stock.energy_twh["china"][0]
    share_targets = targets.energy_twh["china_west"][0] / targets.energy_twh["china"][0]
    np.testing.assert_allclose(share_stock, share_stock[0])
    assert share_targets[0] == pytest.approx(share_stock[0])          # 2024: today's stock
    i2030 = OUTLOOK_YEARS.index(2030)
    assert share_targets[i2030] == pytest.approx(p["china_west_share_target_frac"][0])
    assert share_targets[-1] == pytest.approx(share_targets[i2030])    # constant after the target year


def test_stress_case_grows_compute_hundredfold_a_year(scenarios):
    s = scenarios["compute-x10-6mo"]
    c = central_path(s)
    ai = c.ai_energy_twh["world"][0]
    eta = s.regions["world"]["efficiency_gain_factor_per_year"].median()
    i = OUTLOOK_YEARS.index(2030)  # after the bottom-up horizon: top-down only
    assert ai[i + 1] / ai[i] == pytest.approx(100.0 / eta, rel=1e-9)


def test_vintage_fleet_by_hand():
    # 1,000 units a year, growing 10%/yr, lifetime 2.5 years, 500 W base, power growing 0%
    n_units, power_w = installed_fleet([2024], 2024, [1000.0], [0.1], [2.5], [500.0], [0.0])
    expected = 1000 + 1000 / 1.1 + 0.5 * 1000 / 1.1 ** 2
    assert n_units[0, 0] == pytest.approx(expected)
    assert power_w[0, 0] == pytest.approx(500.0)
    _, power_w = installed_fleet([2024], 2024, [1000.0], [0.0], [2.0], [500.0], [0.25])
    assert power_w[0, 0] == pytest.approx((500 + 400) / 2)


def test_bad_draws_and_bad_scenario_files():
    s = load_scenarios()["iea-base"]
    for bad in (0, -5, 2.5, True):
        with pytest.raises(InputError):
            simulate(s, bad)
    with pytest.raises(InputError):
        load_scenario_file("defaults: {}\nscenarios: {x: {regions: {}}}\n")
    with pytest.raises(InputError):
        load_scenario_file("defaults: {}\nscenarios: {x: {unknown_key: 1}}\n")
