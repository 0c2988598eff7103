"""The cost breakdown of a plan: every term computed from the solved network, adding up to the
objective, on the hand-built two-bus system of ``test_plan_coplan_hand`` (worked out by hand).

Carbon price 100 CNY/t: gas emits 0.2 t/MWh of fuel at efficiency 0.5, i.e. 0.4 t per MWh of output,
so its marginal cost 50 CNY/MWh becomes 90 (40 of it carbon).
"""

import logging

import pandas as pd
import pytest

from computegrid.demand.ai_load import LoadClass
from computegrid.grid.coplan import apply_carbon_price
from computegrid.grid.coplan_results import COST_KEYS, grid_cost_breakdown_cny
from computegrid.grid.coplan_solve import solve_coplan, solve_plain
from computegrid.grid.results import annual_factor
from computegrid.services.plan.inputs import PlanInputs, dc_capex_parts_cny_per_mw_per_year
from computegrid.services.plan.scenario import load_scenario
from computegrid.services.plan.summary import cost_breakdown_cny_per_year
from test_plan_coplan_hand import RTT, SITES, spec_for, two_bus

logging.getLogger("pypsa").setLevel(logging.ERROR)
logging.getLogger("linopy").setLevel(logging.ERROR)


def test_reference_breakdown_by_hand():
    """No AI: gas covers A's 10 MW in hours 1 and 3 -> 20 MWh x 50 fuel + 20 MWh x 40 carbon."""
    n = two_bus()
    apply_carbon_price(n, 100.0)
    assert solve_plain(n, 10_000)[0] == "ok"
    b = grid_cost_breakdown_cny(n, 100.0)
    assert b["fuel"] == pytest.approx(1000.0, rel=1e-9)
    assert b["carbon"] == pytest.approx(800.0, rel=1e-9)
    assert b["unserved"] == pytest.approx(0.0, abs=1e-9)
    assert b["generation_capex"] == b["storage_capex"] == b["transmission_capex"] == 0.0
    assert sum(v for k, v in b.items() if k != "dc_capex") == pytest.approx(float(n.objective), rel=1e-9)


def test_co_optimised_breakdown_adds_up_to_the_objective():
    """10 MW of flexible training over 4 h: it runs at B in the wind hours (20 MW there in hours 0
    and 2, capacity 20 MW, capex 20 x 4 = 80 CNY over the horizon), no extra gas."""
    n = two_bus()
    apply_carbon_price(n, 100.0)
    cls = LoadClass("training", 1.0, None, "horizon", 0.0, "flat")
    spec = spec_for(cls)
    res = solve_coplan(n, spec)
    assert res.ok
    config = load_scenario(None)
    inputs = PlanInputs(config=config, classes=(cls,), sites=SITES, rtt_ms=RTT, demand_mw=spec.demand_mw)
    b = cost_breakdown_cny_per_year(inputs, n, res)
    f = annual_factor(n)
    assert list(b) == list(COST_KEYS)
    assert sum(b.values()) == pytest.approx(res.objective_cny * f, rel=1e-6)
    assert b["it_capex"] + b["facility_capex"] == pytest.approx(80.0 * f, rel=1e-6)
    assert b["fuel"] == pytest.approx(1000.0 * f, rel=1e-6)
    assert b["carbon"] == pytest.approx(800.0 * f, rel=1e-6)


def test_extendable_grid_components_fill_their_keys():
    """With an extendable corridor (as with --expand) its capex appears under transmission_capex."""
    n = two_bus()
    n.links.loc["A-B", "p_nom_extendable"] = True
    n.links.loc["A-B", "capital_cost"] = 1.0  # CNY/MW over the horizon, cheaper than gas
    assert solve_plain(n, 10_000)[0] == "ok"
    b = grid_cost_breakdown_cny(n, 0.0)
    assert b["transmission_capex"] == pytest.approx(float(n.links.p_nom_opt["A-B"]) * 1.0, rel=1e-9)
    assert b["transmission_capex"] == pytest.approx(10.0, rel=1e-6)  # 10 MW carries A's load in the wind hours
    assert sum(v for k, v in b.items() if k != "dc_capex") == pytest.approx(float(n.objective), rel=1e-9)


def test_dc_capex_parts_add_up_and_follow_the_sites_table():
    from computegrid.datasets.grid import load_sites

    sites = load_sites()
    sites["capex_cny_per_mw_per_year"] = sites.capex_annualised_cny_per_kw_it_yr * 1000.0
    parts = dc_capex_parts_cny_per_mw_per_year(sites)
    assert (parts.sum(axis=1) - sites.capex_cny_per_mw_per_year).abs().max() < 1e-6
    # 250,000 CNY/kW over 5 years at 7 %: 60,973 CNY/kW/yr of IT
    assert parts["it"].iloc[0] == pytest.approx(250_000 * 0.07 / (1 - 1.07 ** -5) * 1000.0, rel=1e-9)
    assert pd.api.types.is_float_dtype(parts["facility"])
