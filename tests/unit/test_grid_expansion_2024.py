"""The 2030 expansion from the end-2024 fleet (one representative day, so that it solves in seconds).

Checks that can fail: the optimiser never removes 2024 capacity (only committed coal retirements do), the
policy floors and the wind build-rate limit hold in the solution, China's battery cost reproduces the two
tender prices it is built from, and the planning base gets its CO2 price back out.
"""

from __future__ import annotations

import warnings

import pytest

from computegrid.datasets import expansion as xds
from computegrid.grid.capacity_expansion import (
    DEFAULT_EXPANSION,
    expand_network,
    fix_capacities,
    solve_expansion,
    strip_co2_price,
)

YEAR = 2030


@pytest.fixture(scope="module")
def networks():
    from computegrid.services.grid_model.grid_expansion import base_network

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        base = base_network("rep1", YEAR)
        n = expand_network(base, YEAR, base_year=2024)
        problem = n.copy()
        solve_expansion(n)
        fix_capacities(n)
    return base, problem, n


def _components(n):
    return (("generators", n.generators), ("storage_units", n.storage_units), ("links", n.links))


def test_no_existing_component_is_extendable(networks):
    base, problem, _ = networks
    for name, df in _components(problem):
        existing = df.index.intersection(getattr(base, name).index)
        assert len(existing) > 0
        assert not df.loc[existing, "p_nom_extendable"].any(), name


def test_expansion_never_removes_2024_capacity(networks):
    base, _, n = networks
    com = n.meta["committed_mw"]
    for name, df in _components(n):
        before = getattr(base, name).p_nom
        after = df.p_nom.reindex(before.index)
        assert after.notna().all(), f"{name}: a 2024 component was dropped"
        not_coal = ~getattr(base, name).carrier.eq("coal")
        assert (after[not_coal] >= before[not_coal] - 1e-6).all(), name
    coal = base.generators.carrier == "coal"
    change = n.generators.p_nom[coal.index[coal]].sum() - base.generators.p_nom[coal].sum()
    # only the committed (GEM) commissioning and retirements change the 2024 coal units
    assert change == pytest.approx(com["coal_commissioned_mw"] - com["coal_retired_mw"], rel=1e-6, abs=1.0)
    assert com["coal_retired_mw"] > 0


def test_policy_floors_and_wind_limit_hold(networks):
    _, _, n = networks
    g, su = n.generators, n.storage_units
    vre = g.p_nom[g.carrier.isin(("onwind", "offwind", "solar"))].sum()
    assert vre >= xds.wind_solar_floor_mw(YEAR) * (1 - 1e-4)
    assert su.p_nom[su.carrier == "battery"].sum() >= xds.battery_floor_mw(YEAR) * (1 - 1e-4)
    new_wind = g.p_nom[g.carrier.isin(("onwind", "offwind")) & g.index.str.endswith(" new")].sum()
    assert new_wind <= DEFAULT_EXPANSION.wind_max_growth_mw_per_yr * (YEAR - 2024) * (1 + 1e-4)


def test_trajectories_pass_through_their_cited_points():
    assert xds.wind_solar_floor_mw(2024) == pytest.approx(1_407_340.0)
    assert xds.wind_solar_floor_mw(2035) == pytest.approx(3_600_000.0)
    assert xds.battery_floor_mw(2024) == pytest.approx(73_760.0)
    assert xds.battery_floor_mw(2027) == xds.battery_floor_mw(2030) == pytest.approx(180_000.0)


def test_battery_cost_reproduces_both_tender_prices():
    c = xds.battery_cost_china()
    for hours, price_cny_per_wh in xds.BATTERY_SYSTEM_CNY_PER_WH.items():
        turnkey_cny_per_mw = price_cny_per_wh * xds.BATTERY_EPC_OVER_SYSTEM * hours * 1e6
        assert c.power_cny_per_mw + hours * c.energy_cny_per_mwh == pytest.approx(turnkey_cny_per_mw)
    assert c.power_cny_per_mw > 0 and c.energy_cny_per_mwh > 0


def test_strip_co2_price_restores_the_fuel_costs(networks):
    base, problem, _ = networks
    n = problem.copy()
    largest = strip_co2_price(n)
    # 100 CNY/t on coal: tens of CNY/MWh
    assert 50.0 < largest < 150.0
    old = base.generators.index
    assert (n.generators.marginal_cost[old] - base.generators.marginal_cost[old]).abs().max() < 1e-6
    assert "co2_adder_cny_per_mwh" not in n.meta


def test_fixed_network_can_be_copied(networks):
    """The planning base copies the solved network once per case: the solver model must be gone."""
    _, _, n = networks
    m = n.copy()
    assert not m.generators.p_nom_extendable.any() and len(m.generators) == len(n.generators)
