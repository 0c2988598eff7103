"""Co-planning with the grid's expansion as a decision (``plan --expand``), on a two-bus system whose
optimum is worked out by hand.

Bus A: 120 MW of cheap supply at 10 CNY/MWh and the data centre (PUE 1). Bus B: a load of 100 MW in
hour 0 and 0 in hour 1, and no capacity: a gas peaker may be built there at 1,000 CNY per MW over the
horizon, running at 100 CNY/MWh. Corridor A-B 200 MW. Two hours of one day; 50 MW of AI work (mean IT
power), data-centre capex 8,760 CNY/MW/yr = 2 CNY/MW over the 2-hour horizon.

* AI served as it arises (status-quo): 150 MW in hour 0 -> 120 cheap + 30 MW of peaker built:
  30 x 1,000 capex + 30 MWh x 100 fuel + 170 MWh x 10 + 50 MW x 2 = 34,800.
* AI flexible within the day (co-optimised): x0 = 20, x1 = 80, no peaker: 200 x 10 + 80 x 2 = 2,160.
* Grid-responsive (status-quo's draw, at most 30 % of the AI energy curtailed at 300 CNY/MWh): 30 MW
  curtailed in hour 0, no peaker: 170 MWh x 10 + 30 MWh x 300 + 50 x 2 = 10,800. On the same grid with
  the peaker already built (capacity fixed), curtailing (300) is dearer than the peaker's fuel (100), so
  nothing is curtailed: curtailment is worth its cost only where it avoids capacity.
"""

import logging

import pandas as pd
import pypsa
import pytest

from computegrid.demand.ai_load import LoadClass
from computegrid.grid.coplan import CoplanSpec
from computegrid.grid.coplan_results import COST_KEYS, grid_cost_breakdown_cny
from computegrid.grid.coplan_solve import solve_coplan, solve_fixed, solve_plain

logging.getLogger("pypsa").setLevel(logging.ERROR)
logging.getLogger("linopy").setLevel(logging.ERROR)

SITES = pd.DataFrame({"bus": ["A"], "pue": [1.0], "capacity_max_mw": [500.0],
                      "capex_cny_per_mw_per_year": [8760.0]}, index=pd.Index(["sA"], name="site"))
RTT = pd.DataFrame({"sA": [1.0]}, index=pd.Index(["A"], name="province"))


def peaker_expansion_case(peaker_built_mw: float | None = None) -> pypsa.Network:
    """The two-bus system; the peaker extendable from 0 MW (or, with ``peaker_built_mw``, fixed)."""
    n = pypsa.Network()
    n.set_snapshots(pd.date_range("2030-01-01", periods=2, freq="h"))
    n.add("Bus", ["A", "B"], carrier="AC")
    n.add("Carrier", ["coal", "gas"], co2_emissions=[0.0, 0.0])
    n.add("Generator", "A cheap", bus="A", carrier="coal", p_nom=120, marginal_cost=10)
    if peaker_built_mw is None:
        n.add("Generator", "B gas new", bus="B", carrier="gas", p_nom_extendable=True, capital_cost=1000.0,
              marginal_cost=100)
    else:
        n.add("Generator", "B gas", bus="B", carrier="gas", p_nom=peaker_built_mw, marginal_cost=100)
    n.add("Load", "B", bus="B", p_set=[100.0, 0.0])
    n.add("Link", "A-B", bus0="A", bus1="B", p_nom=200, p_min_pu=-1)
    return n


def spec_for(window: str, fixed: bool = False, curtail_frac: float = 0.0) -> CoplanSpec:
    cls = LoadClass("batch", 1.0, None, window, 0.0, "flat")
    kw = {}
    if fixed:
        kw["fixed_shares"] = {"batch": pd.DataFrame({"sA": [1.0]}, index=["*"])}
    if curtail_frac:
        kw.update(curtail_max_frac=curtail_frac, curtail_cost_cny_per_mwh=pd.Series({"sA": 300.0}))
    return CoplanSpec(sites=SITES, classes=(cls,), rtt_ms=RTT, voll_cny_per_mwh=30_000.0,
                      demand_mw=pd.DataFrame({"A": [50.0]}, index=pd.Index(["batch"], name="class")), **kw)


def _peaker_mw(n) -> float:
    return float(n.generators.p_nom_opt["B gas new"])


def test_no_ai_reference_builds_no_peaker():
    n = peaker_expansion_case()
    assert solve_plain(n, 30_000.0, spec=spec_for("hour"))[0] == "ok"
    assert _peaker_mw(n) == pytest.approx(0.0, abs=1e-6)
    assert n.objective == pytest.approx(100 * 10.0, rel=1e-9)


def test_fixed_ai_load_builds_the_peaker_flexible_ai_avoids_it():
    n_fixed = peaker_expansion_case()
    fixed = solve_fixed(n_fixed, spec_for("hour", fixed=True))
    assert fixed.ok
    assert _peaker_mw(n_fixed) == pytest.approx(30.0, abs=1e-6)
    assert fixed.objective_cny == pytest.approx(34_800.0, rel=1e-9)

    n_co = peaker_expansion_case()
    co = solve_coplan(n_co, spec_for("day"))
    assert co.ok
    assert _peaker_mw(n_co) == pytest.approx(0.0, abs=1e-6)
    assert co.site_load_it_mw.loc[("batch", "sA")].to_numpy() == pytest.approx([20.0, 80.0], abs=1e-6)
    assert co.objective_cny == pytest.approx(2_160.0, rel=1e-9)
    # the grid-side value is the avoided peaker: capex 30,000 and fuel 30 x (100 - 10)
    b_fixed, b_co = grid_cost_breakdown_cny(n_fixed), grid_cost_breakdown_cny(n_co)
    assert b_fixed["generation_capex"] - b_co["generation_capex"] == pytest.approx(30_000.0, rel=1e-9)
    assert b_fixed["fuel"] - b_co["fuel"] == pytest.approx(30 * 90.0, rel=1e-9)


def test_breakdown_adds_up_with_extendable_capacity():
    n = peaker_expansion_case()
    res = solve_fixed(n, spec_for("hour", fixed=True))
    b = grid_cost_breakdown_cny(n)
    dc_capex = 50.0 * 2.0  # a baseline's data-centre capex is a constant outside the network
    assert set(COST_KEYS) - {"it_capex", "facility_capex"} <= set(b)
    grid = sum(b[k] for k in COST_KEYS if k in b)
    assert grid + dc_capex == pytest.approx(res.objective_cny, rel=1e-9)
    assert b["generation_capex"] == pytest.approx(30_000.0, rel=1e-9)


def test_grid_responsive_curtails_when_it_avoids_capacity_only():
    n = peaker_expansion_case()
    gr = solve_fixed(n, spec_for("hour", fixed=True, curtail_frac=0.3))
    assert gr.ok
    assert _peaker_mw(n) == pytest.approx(0.0, abs=1e-6)
    assert gr.curtailed_facility_mw["sA"].to_numpy() == pytest.approx([30.0, 0.0], abs=1e-6)
    assert gr.objective_cny == pytest.approx(10_800.0, rel=1e-9)

    built = peaker_expansion_case(peaker_built_mw=30.0)
    gr_fixed_grid = solve_fixed(built, spec_for("hour", fixed=True, curtail_frac=0.3))
    assert gr_fixed_grid.ok
    assert gr_fixed_grid.curtailed_facility_mw.to_numpy().sum() == pytest.approx(0.0, abs=1e-6)


# -------------------------------------------------------------------- the plan's expansion mode

def test_expansion_plan_breakdown_adds_up_and_splits_the_grid_value():
    """Every case of ``expand`` on a small three-bus system with extendable gas, wind and a corridor
    (the expansion's policy constraints chained in): each case's cost terms add up to its system cost,
    grid capex appears, and two parts of the grid-side value match their own computation from the
    site table and the solve (the third part is the rest by definition; its hand-worked value is in
    ``test_plan_summary``)."""
    from computegrid.grid.results import annual_factor, snapshot_hours
    from computegrid.services.plan.inputs import SCENARIOS, PlanInputs, curtailment_cost_cny_per_mwh
    from computegrid.services.plan.scenario import load_scenario
    from computegrid.services.plan.solving import solve_all
    from computegrid.services.plan.summary import (add_status_quo_differences, reference_summary,
                                                   scenario_summary)
    from test_plan_coplan_properties import RTT as RTT3
    from test_plan_coplan_properties import SITES as SITES3
    from test_plan_coplan_properties import classes, demand, network

    n = network(7)
    wind = n.generators_t.p_max_pu["W1 onwind"]
    n.add("Generator", "E gas new", bus="E", carrier="gas", p_nom_extendable=True, capital_cost=3_000.0,
          marginal_cost=500.0)
    n.add("Generator", "W1 onwind new", bus="W1", carrier="onwind", p_nom_extendable=True, p_nom_max=300.0,
          capital_cost=2_000.0, marginal_cost=0.5, p_max_pu=wind)
    n.add("Link", "W1-E new", bus0="W1", bus1="E", p_min_pu=-1.0, p_nom_extendable=True, capital_cost=500.0)
    cls = classes(online_ms=20.0)
    config = load_scenario(None).model_copy(update={"expand": True})
    inputs = PlanInputs(config=config, classes=cls, sites=SITES3, rtt_ms=RTT3, demand_mw=demand(60.0, cls))
    nets, res = solve_all(inputs, n)
    ref = nets["no-ai"]
    r = reference_summary(ref, config.costs.carbon_price_cny_per_t)
    assert sum(r.cost_breakdown_cny_per_year.values()) == pytest.approx(r.system_cost_cny_per_year, rel=1e-6)
    scen = {c: scenario_summary(inputs, nets[c], res[c], ref).to_dict() for c in SCENARIOS}
    for c, s in scen.items():
        b = s["cost_breakdown_cny_per_year"]
        assert list(b) == list(COST_KEYS)
        assert sum(b.values()) == pytest.approx(s["system_cost_cny_per_year"], rel=1e-6), c
    assert any(s["cost_breakdown_cny_per_year"][k] > 0 for s in scen.values()
               for k in ("generation_capex", "transmission_capex"))
    assert scen["status-quo"]["grid_capacity_built_mw"]
    add_status_quo_differences(scen)
    # the PUE part from the site table's PUE, at status-quo's draw-weighted prices (it draws at every site)
    sq = scen["status-quo"]
    it_sq, price = sq["ai_it_energy_by_site_twh_per_year"], sq["marginal_price_at_sites_cny_per_mwh"]
    pue = SITES3.pue.astype(float)
    pue_ref = sum(it_sq[s] * pue[s] for s in it_sq) / sum(it_sq.values())
    for c in ("west-static", "co-optimised"):
        it = scen[c]["ai_it_energy_by_site_twh_per_year"]
        expected = sum((it_sq[s] - it[s]) * 1e6 * (pue[s] - pue_ref) * price[s] for s in SITES3.index)
        assert scen[c]["grid_value_pue_cny_per_year"] == pytest.approx(expected, rel=1e-9), c
        assert scen[c]["grid_value_pue_cny_per_year"] > 0, c  # work moved to the PUE-1.2 western sites
        assert scen[c]["grid_value_unserved_cny_per_year"] == pytest.approx(0.0, abs=1e-6), c  # all served
    # the unserved part of grid-responsive: the compute it curtails at its cost (status-quo curtails none)
    gr, n_gr = res["grid-responsive"], nets["grid-responsive"]
    cost = curtailment_cost_cny_per_mwh(SITES3, config.grid_responsive.curtailment_cost_cny_per_mwh)
    curtailed = gr.curtailed_facility_mw.mul(snapshot_hours(n_gr), axis=0).sum()
    expected = float((curtailed * cost.reindex(curtailed.index)).sum()) * annual_factor(n_gr)
    assert expected > 0
    assert scen["grid-responsive"]["grid_value_unserved_cny_per_year"] == pytest.approx(-expected, rel=1e-6)
    # the co-optimised plan chooses sites, operation and the expansion together: never dearer
    co = scen["co-optimised"]["system_cost_cny_per_year"]
    for c in ("status-quo", "west-static", "grid-responsive"):
        assert co <= scen[c]["system_cost_cny_per_year"] * (1 + 1e-6)
