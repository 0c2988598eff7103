"""Co-planning on tiny hand-built systems whose optimum can be worked out by hand.

System: bus A (gas at 50 CNY/MWh, a 10 MW load) and bus B (100 MW wind available in hours 0 and 2
only, nothing else), joined by a 10 MW corridor. Four hourly snapshots. Without AI the wind covers
A's load in hours 0 and 2 (the corridor is then full) and gas covers hours 1 and 3: cost
2 x 10 x 50 = 1,000.
Capex is 8,760 CNY per MW of IT per year, i.e. 4 CNY/MW over the 4-hour horizon.
"""

import logging

import pandas as pd
import pypsa
import pytest

from computegrid.demand.ai_load import LoadClass
from computegrid.grid.coplan import CoplanSpec
from computegrid.grid.coplan_solve import solve_coplan, solve_plain
from computegrid.grid.results import curtailment_mwh, unserved_energy_mwh

logging.getLogger("pypsa").setLevel(logging.ERROR)
logging.getLogger("linopy").setLevel(logging.ERROR)


def two_bus(gas_p_nom_mw=1000.0):
    n = pypsa.Network()
    n.set_snapshots(pd.date_range("2030-01-01", periods=4, freq="h"))
    n.add("Bus", ["A", "B"], carrier="AC")
    n.add("Carrier", ["onwind", "gas"], co2_emissions=[0.0, 0.2])
    n.add("Generator", "B onwind", bus="B", carrier="onwind", p_nom=100, p_max_pu=[1, 0, 1, 0], marginal_cost=0)
    n.add("Generator", "A gas", bus="A", carrier="gas", p_nom=gas_p_nom_mw, marginal_cost=50, efficiency=0.5)
    n.add("Load", "A", bus="A", p_set=10)
    n.add("Link", "A-B", bus0="A", bus1="B", p_nom=10, p_min_pu=-1)
    return n


SITES = pd.DataFrame({"bus": ["A", "B"], "pue": [1.0, 1.0], "capacity_max_mw": [100.0, 100.0],
                      "capex_cny_per_mw_per_year": [8760.0, 8760.0]},
                     index=pd.Index(["sA", "sB"], name="site"))
RTT = pd.DataFrame({"sA": [1.0], "sB": [30.0]}, index=pd.Index(["oA"], name="province"))


def spec_for(cls, demand_mw=10.0, sites=SITES):
    demand = pd.DataFrame({"oA": [demand_mw]}, index=pd.Index([cls.name], name="class"))
    return CoplanSpec(sites=sites, classes=(cls,), demand_mw=demand, rtt_ms=RTT, voll_cny_per_mwh=10_000)


def test_reference_cost_is_worked_out_by_hand():
    n = two_bus()
    status, _ = solve_plain(n, 10_000)
    assert status == "ok"
    assert n.objective == pytest.approx(1000.0, rel=1e-6)
    # 200 MWh of wind available, 20 MWh used by A through the corridor
    assert curtailment_mwh(n).sum() == pytest.approx(180.0, rel=1e-6)


def test_flexible_load_moves_to_the_bus_with_curtailed_wind():
    n = two_bus()
    cls = LoadClass("training", 1.0, None, "horizon", 0.0, "flat")
    res = solve_coplan(n, spec_for(cls))
    assert res.ok
    # 40 MWh of AI work run at B in the two windy hours at 20 MW: only capex 20 MW x 4 CNY/MW
    assert res.capacity_it_mw["sB"] == pytest.approx(20.0, abs=1e-4)
    assert res.capacity_it_mw["sA"] == pytest.approx(0.0, abs=1e-4)
    assert n.objective == pytest.approx(1000.0 + 80.0, rel=1e-6)
    assert curtailment_mwh(n).sum() == pytest.approx(140.0, rel=1e-6)


def test_online_load_with_tight_latency_cannot_move():
    n = two_bus()
    cls = LoadClass("online", 1.0, 5.0, "hour", 0.0, "flat")
    res = solve_coplan(n, spec_for(cls))
    assert res.ok
    assert res.capacity_it_mw["sA"] == pytest.approx(10.0, abs=1e-4)
    assert res.capacity_it_mw["sB"] == pytest.approx(0.0, abs=1e-4)
    # the corridor is full: all 40 MWh of AI energy at A come from gas (2,000) + 10 MW x 4 capex
    assert n.objective == pytest.approx(1000.0 + 2000.0 + 40.0, rel=1e-6)
    # latency probe: serving oA from sB instead would be worth something
    assert res.probe_value_cny_per_mw_per_year.max() > 0


def test_loose_latency_lets_online_load_move_to_the_wind_bus():
    n = two_bus()
    cls = LoadClass("online", 1.0, 50.0, "hour", 0.0, "flat")
    res = solve_coplan(n, spec_for(cls))
    # at B: local wind in hours 0, 2; in hours 1, 3 10 MW of gas over the corridor (1,000)
    assert n.objective == pytest.approx(1000.0 + 1000.0 + 40.0, rel=1e-6)
    assert res.capacity_it_mw["sB"] == pytest.approx(10.0, abs=1e-4)


def test_site_cap_and_pue_are_respected():
    sites = SITES.assign(capacity_max_mw=[100.0, 12.0], pue=[1.0, 1.25])
    n = two_bus()
    cls = LoadClass("training", 1.0, None, "horizon", 0.0, "flat")
    res = solve_coplan(n, spec_for(cls, sites=sites))
    assert res.ok
    assert res.capacity_it_mw["sB"] <= 12.0 + 1e-6
    # site B consumes PUE x IT load at its bus
    dc = n.generators_t.p["dc sB"]
    load = res.site_load_it_mw.loc[("training", "sB")]
    assert (-dc.to_numpy()) == pytest.approx(1.25 * load.to_numpy(), abs=1e-5)
    # all AI work served: 40 MWh of IT energy
    assert res.site_load_it_mw.sum().sum() == pytest.approx(40.0, rel=1e-6)


def test_unserved_energy_is_reported_when_supply_is_short():
    n = two_bus(gas_p_nom_mw=5.0)
    cls = LoadClass("online", 1.0, 5.0, "hour", 0.0, "flat")
    res = solve_coplan(n, spec_for(cls))
    assert res.ok
    # 20 MW of demand at A (10 load + 10 AI), 5 MW gas; 10 MW over the corridor in hours 0 and 2:
    # short 5 MW in hours 0, 2 and 15 MW in hours 1, 3. Shedding grid load or leaving AI work
    # unserved costs the same VOLL here, so only the total is determined.
    assert unserved_energy_mwh(n) + res.unserved_ai_it_mwh == pytest.approx(40.0, rel=1e-6)
    assert unserved_energy_mwh(n) > 0


def test_ai_work_beyond_site_caps_is_reported_as_unserved():
    sites = SITES.assign(capacity_max_mw=[4.0, 0.0])
    n = two_bus()
    cls = LoadClass("online", 1.0, 5.0, "hour", 0.0, "flat")
    res = solve_coplan(n, spec_for(cls, sites=sites))
    assert res.ok
    assert res.unserved_ai_it_mwh == pytest.approx(6.0 * 4, rel=1e-6)
