"""Fair baselines and the value of flexibility.

* today's operation: daily work fills the online troughs at its site (valley filling);
* a two-bus case where flexibility avoids a peaker, optimum worked out by hand;
* more flexibility never raises the co-optimised cost (hypothesis);
* ``grid-responsive`` curtails only in the grid's tightest hours.
"""

import logging

import numpy as np
import pandas as pd
import pypsa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from computegrid.demand.ai_load import LoadClass
from computegrid.demand.ai_placement import valley_fill_mw
from computegrid.grid.coplan import CoplanSpec
from computegrid.grid.coplan_solve import fixed_placement, solve_coplan, solve_fixed
from computegrid.grid.results import marginal_prices_cny_per_mwh
from computegrid.services.plan.inputs import PlanInputs, _spec, curtailment_cost_cny_per_mwh
from computegrid.services.plan.scenario import GridResponsiveConfig, load_scenario
from test_plan_coplan_properties import RTT, SITES, classes, demand, network

logging.getLogger("pypsa").setLevel(logging.ERROR)
logging.getLogger("linopy").setLevel(logging.ERROR)


# -------------------------------------------------------------------- valley filling

@pytest.mark.parametrize("energy", [0.0, 5.0, 30.0, 200.0])
def test_valley_fill_keeps_the_energy_and_levels_the_troughs(energy):
    base = np.array([10.0, 4.0, 7.0, 1.0, 12.0])
    w = np.array([1.0, 1.0, 2.0, 1.0, 1.0])
    fill = valley_fill_mw(base, energy, w)
    assert (fill >= 0).all()
    assert float((fill * w).sum()) == pytest.approx(energy, abs=1e-9)
    if energy > 0:
        level = (base + fill)[fill > 0]
        assert np.ptp(level) < 1e-9  # one water level where work runs
        assert (base[fill == 0] >= level.max() - 1e-9).all()  # and none where online is above it


def test_status_quo_batch_fills_the_online_troughs_at_its_site():
    inputs = _inputs()
    n = network(5)
    spec = _spec(inputs, "status-quo", n)
    assert spec.valley_fill == ("batch",)
    _, load, cap, _ = fixed_placement(spec, n)
    online = load.xs("online", level="class")
    batch = load.xs("batch", level="class")
    site = online.sum(axis=1).idxmax()
    total = (online + batch.reindex(online.index, fill_value=0.0)).loc[site]
    # batch runs in the online troughs: where it runs, the site's load stands at one level per day,
    # and no online-only hour of that day is below it
    assert batch.loc[site].sum() > 0
    runs = batch.loc[site] > 1e-9
    days = pd.DatetimeIndex(total.index).normalize()
    for day in np.unique(days[runs.to_numpy()]):
        today = days == day
        level = total[today & runs.to_numpy()]
        assert np.ptp(level) < 1e-6 * max(level.max(), 1.0)
        assert (total[today & ~runs.to_numpy()] >= level.max() - 1e-6).all()
    flat_cap = fixed_placement(_profile(spec), n)[2]
    assert cap.sum() <= flat_cap.sum() + 1e-9


def _profile(spec):
    import dataclasses

    return dataclasses.replace(spec, valley_fill=())


def _inputs(**gr):
    cls = classes(online_ms=20.0)
    config = load_scenario(None)
    config = config.model_copy(update={"expand": False,
                                       "grid_responsive": GridResponsiveConfig(**gr) if gr else config.grid_responsive})
    return PlanInputs(config=config, classes=cls, sites=SITES, rtt_ms=RTT, demand_mw=demand(60.0, cls))


# -------------------------------------------------------------------- flexibility avoids a peaker

def peaker_case() -> pypsa.Network:
    """Bus A: 120 MW of cheap supply at 10 CNY/MWh and the data centre. Bus B: a load of 100 MW in
    hour 0 and 0 in hour 1, and a peaker at 500 CNY/MWh. Corridor A-B 200 MW. Two hours of one day."""
    n = pypsa.Network()
    n.set_snapshots(pd.date_range("2030-01-01", periods=2, freq="h"))
    n.add("Bus", ["A", "B"], carrier="AC")
    n.add("Carrier", ["coal", "gas"], co2_emissions=[0.0, 0.0])
    n.add("Generator", "A cheap", bus="A", carrier="coal", p_nom=120, marginal_cost=10)
    n.add("Generator", "B peaker", bus="B", carrier="gas", p_nom=1000, marginal_cost=500)
    n.add("Load", "B", bus="B", p_set=[100.0, 0.0])
    n.add("Link", "A-B", bus0="A", bus1="B", p_nom=200, p_min_pu=-1)
    return n


def test_flexibility_avoids_the_peaker_worked_out_by_hand():
    """50 MW of AI work (PUE 1) at A, capex 8,760 CNY/MW/yr = 2 CNY/MW over the 2-hour horizon.

    Inflexible (served as it arises): 150 MW in hour 0 -> 120 cheap + 30 peaker; 50 cheap in hour 1.
    Cost 170 MWh x 10 + 30 MWh x 500 + 50 MW x 2 = 1,700 + 15,000 + 100 = 16,800.
    Flexible within the day (x0 + x1 = 100 MWh): each MWh moved out of hour 0 above 20 MW saves
    500 - 10 and costs at most 2 of capacity, so x0 = 20, x1 = 80: no peaker, 200 MWh x 10 = 2,000
    plus capacity 80 MW x 2 = 160: 2,160.
    """
    sites = pd.DataFrame({"bus": ["A"], "pue": [1.0], "capacity_max_mw": [500.0],
                          "capex_cny_per_mw_per_year": [8760.0]}, index=pd.Index(["sA"], name="site"))
    rtt = pd.DataFrame({"sA": [1.0]}, index=pd.Index(["A"], name="province"))
    costs = {}
    for window in ("hour", "day"):
        cls = LoadClass("batch", 1.0, None, window, 0.0, "flat")
        spec = CoplanSpec(sites=sites, classes=(cls,), rtt_ms=rtt, voll_cny_per_mwh=30_000.0,
                          demand_mw=pd.DataFrame({"A": [50.0]}, index=pd.Index(["batch"], name="class")))
        n = peaker_case()
        res = solve_coplan(n, spec)
        assert res.ok
        costs[window] = res.objective_cny
        if window == "day":
            assert res.site_load_it_mw.loc[("batch", "sA")].to_numpy() == pytest.approx([20.0, 80.0], abs=1e-6)
            assert n.generators_t.p["B peaker"].abs().max() == pytest.approx(0.0, abs=1e-6)
            assert res.capacity_it_mw["sA"] == pytest.approx(80.0, abs=1e-6)
    assert costs["hour"] == pytest.approx(16_800.0, rel=1e-9)
    assert costs["day"] == pytest.approx(2_160.0, rel=1e-9)


# -------------------------------------------------------------------- more flexibility, never dearer

@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), shares=st.lists(st.floats(0.0, 0.6), min_size=2, max_size=2))
def test_more_flexible_share_never_raises_the_co_optimised_cost(seed, shares):
    """The same AI energy, a larger share of it flexible within the day (the rest served as it arises)."""
    lo, hi = sorted(shares)
    costs = []
    for flex in (lo, hi):
        cls = (LoadClass("online", 1.0 - flex, 20.0, "hour", 0.0, "diurnal"),
               LoadClass("batch", flex, 20.0, "day", 0.0, "flat"))
        spec = CoplanSpec(sites=SITES, classes=cls, demand_mw=demand(50.0, cls), rtt_ms=RTT,
                          voll_cny_per_mwh=30_000.0)
        res = solve_coplan(network(seed), spec)
        assert res.ok
        costs.append(res.objective_cny)
    assert costs[1] <= costs[0] * (1 + 1e-7) + 1e-3


# -------------------------------------------------------------------- grid-responsive

def test_curtailment_cost_is_the_hardware_annuity_per_hour():
    from computegrid.datasets.grid import load_sites

    sites = load_sites()
    sites["capex_cny_per_mw_per_year"] = sites.capex_annualised_cny_per_kw_it_yr * 1000.0
    cost = curtailment_cost_cny_per_mwh(sites)
    it_annuity = 250_000 * 0.07 / (1 - 1.07 ** -5) * 1000.0  # CNY per MW of IT per year
    assert cost["zhangjiakou"] == pytest.approx(it_annuity / 8760 / 1.25, rel=1e-9)
    assert curtailment_cost_cny_per_mwh(sites, 100.0).eq(100.0).all()


def test_grid_responsive_curtails_only_in_the_tightest_hours():
    """Cap 5 % of the AI energy, curtailment worth 300 CNY/MWh (between coal at 250 and gas at 500):
    the grid curtails where gas sets the price, and every hour it curtails at a site is priced at
    least as high as every hour it does not (the energy cap is one budget per site)."""
    inputs = _inputs(curtailed_share_max_frac=0.05, curtailment_cost_cny_per_mwh=300.0)
    sq_net, gr_net = network(21), network(21)
    sq = solve_fixed(sq_net, _spec(inputs, "status-quo", sq_net))
    gr = solve_fixed(gr_net, _spec(inputs, "grid-responsive", gr_net))
    assert sq.ok and gr.ok
    curtailed = gr.curtailed_facility_mw
    assert curtailed.to_numpy().sum() > 0
    assert gr.objective_cny <= sq.objective_cny * (1 + 1e-9)
    facility = sq_net.generators_t.p.filter(like="dc ").mul(-1.0)
    facility.columns = [c.removeprefix("dc ") for c in facility.columns]
    w = sq_net.snapshot_weightings.generators
    prices_sq = marginal_prices_cny_per_mwh(sq_net)
    prices_gr = marginal_prices_cny_per_mwh(gr_net)
    for site in curtailed.columns:
        cut = curtailed[site] > 1e-6
        if not cut.any():
            continue
        assert (curtailed[site] * w).sum() <= 0.05 * (facility[site] * w).sum() + 1e-6
        bus = SITES.bus[site]
        running = (facility[site] > 1e-6) & ~cut
        assert prices_gr.loc[cut, bus].min() >= prices_gr.loc[running, bus].max() - 1e-6
        # and the hours it curtails were the dear ones of status-quo (gas at the margin or above)
        assert (prices_sq.loc[cut, bus] >= 300.0 - 1e-6).all()
