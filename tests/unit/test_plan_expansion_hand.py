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
