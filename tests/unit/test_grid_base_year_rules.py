"""The validated 2020 base year takes over three 2024 operating rules; 2024 and ``build_network(2020)``
are left as they were (issue 14, 2020 solar curtailment)."""

import pytest

from computegrid.datasets.grid_base_year import load_fleet_mw
from computegrid.grid.base_year import RULES_FROM_2024, validated_parameters
from computegrid.grid.inputs import hourly_inputs
from computegrid.grid.parameters import DEFAULT_PARAMETERS, base_year_parameters


def test_2024_is_unchanged():
    assert validated_parameters(2024) == base_year_parameters(2024)


def test_2020_takes_the_2024_values():
    p20, p24 = validated_parameters(2020), base_year_parameters(2024)
    for name in RULES_FROM_2024:
        assert getattr(p20, name) == getattr(p24, name)
        assert getattr(p20, name) != getattr(DEFAULT_PARAMETERS, name)  # each one is a change
    # everything else stays 2020's (e.g. the CHP minimum before the flexibility retrofits)
    assert p20.chp_winter_min_pu == DEFAULT_PARAMETERS.chp_winter_min_pu != p24.chp_winter_min_pu
    assert base_year_parameters(2020) == DEFAULT_PARAMETERS  # build_network(2020) keeps its parameters


def test_2020_captive_coal_is_part_of_the_coal_stock():
    fleet = load_fleet_mw(2020)
    coal = fleet["coal_mw"] + fleet["coal_chp_mw"]
    assert (fleet["coal_captive_mw"] >= 0).all() and (fleet["coal_captive_mw"] <= coal + 1e-6).all()
    share = fleet["coal_captive_mw"].sum() / coal.sum()
    assert 0.05 < share < 0.2  # GEM: 118 GW captive of 1,041 GW in operation at end-2020 (11 %)
    assert fleet.at["XJ", "coal_captive_mw"] / coal["XJ"] == pytest.approx(0.376, abs=0.01)


def test_captive_coal_raises_2020_must_run_only_when_switched_on():
    plain = hourly_inputs(2020, DEFAULT_PARAMETERS)
    rules = hourly_inputs(2020, validated_parameters(2020))
    xj = "XJ coal"
    assert plain.p_min_pu[xj].mean() == pytest.approx(DEFAULT_PARAMETERS.coal_min_pu, abs=0.05)
    assert rules.p_min_pu[xj].mean() > plain.p_min_pu[xj].mean() + 0.05  # 38 % of XJ's coal at 0.6
