"""Adequacy solves on the two-bus test system, against figures worked out by hand (see tiny_network)."""

import pytest

from computegrid.grid.adequacy import prepared_network, solve_adequacy_case
from computegrid.grid.fleet import scale_fleet

TWH_PER_GW_YEAR = 8.76


def solve(ai_load_mw, ratio=1.0):
    return solve_adequacy_case(2030, ai_load_mw, ratio, source="tiny")


@pytest.fixture(scope="module")
def baseline():
    return solve({})


def test_baseline_serves_all_and_curtails_5_gw_of_wind(baseline):
    assert baseline["status"] == "optimal"
    assert baseline["unserved_energy_twh"] == pytest.approx(0.0, abs=1e-6)
    assert baseline["provinces_short"] == []
    assert baseline["curtailment_twh"] == pytest.approx(5 * TWH_PER_GW_YEAR, rel=1e-6)
    # available 40 + 10 + 10 + 20 GW against 60 GW of load
    assert baseline["reserve_margin_min_frac"] == pytest.approx(20 / 60)


def test_east_ai_load_beyond_import_limit_is_unserved():
    r = solve({"GD": 10_000.0}, ratio=1.2)
    # east serves at most 55 GW: 5 GW short all year
    assert r["unserved_energy_twh"] == pytest.approx(5 * TWH_PER_GW_YEAR, rel=1e-6)
    assert r["provinces_short"] == ["GD"]
    assert r["hours_short_h"] == pytest.approx(8760.0)
    assert r["ai_energy_twh"] == pytest.approx(10 * TWH_PER_GW_YEAR)
    # reserve margin with the AI peak (12 GW): (80 - 72) / 72
    assert r["reserve_margin_min_frac"] == pytest.approx(8 / 72)


def test_west_ai_load_absorbs_curtailed_wind(baseline):
    r = solve({"NM": 3_000.0})
    assert r["unserved_energy_twh"] == pytest.approx(0.0, abs=1e-6)
    assert baseline["curtailment_twh"] - r["curtailment_twh"] == pytest.approx(3 * TWH_PER_GW_YEAR, rel=1e-6)


def test_more_ai_load_never_reduces_unserved_energy():
    unserved = [solve({"GD": mw})["unserved_energy_twh"] for mw in (4_000.0, 6_000.0, 9_000.0)]
    assert unserved[0] == pytest.approx(0.0, abs=1e-6)
    assert unserved[0] <= unserved[1] <= unserved[2]
    assert unserved[2] == pytest.approx(4 * TWH_PER_GW_YEAR, rel=1e-6)


def test_scale_fleet_hits_national_targets():
    n = prepared_network("tiny", 2030, "24h", "planned")
    factors = scale_fleet(n, {"coal": 100.0, "onwind": 60.0})
    assert n.generators.loc[n.generators.carrier == "coal", "p_nom"].sum() == pytest.approx(100_000.0)
    assert n.generators.loc[["GD coal", "NM coal"], "p_nom"].tolist() == pytest.approx([80_000.0, 20_000.0])
    assert factors["onwind"] == pytest.approx(1.5)


def test_unknown_bus_is_an_error():
    with pytest.raises(ValueError):
        solve({"XX": 1_000.0})


def test_demand_floor_scales_base_loads_only_when_projection_is_below():
    import pandas as pd

    from computegrid.datasets.grid import annual_demand_mwh
    from computegrid.grid.adequacy import apply_demand_floor

    n = prepared_network("tiny", 2030, "24h", "planned")
    n.loads_t.p_set = pd.DataFrame({"GD": [50_000.0], "NM": [10_000.0]}, index=n.snapshots)
    expected = annual_demand_mwh(2025).sum() * 1.04 ** 5 / annual_demand_mwh(2030).sum()
    assert expected > 1.0  # the projection has 2030 below 2025
    assert apply_demand_floor(n, 2030, 0.04) == pytest.approx(expected)
    assert n.loads_t.p_set["GD"].iloc[0] == pytest.approx(50_000.0 * expected)
    assert apply_demand_floor(n, 2030, 0.0) == 1.0
    assert apply_demand_floor(n, 2025, 0.04) == 1.0
