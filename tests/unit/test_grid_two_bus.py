"""A two-bus network whose least-cost dispatch is worked out by hand."""

import numpy as np
import pandas as pd
import pypsa
import pytest

from computegrid.grid import results as R
from computegrid.grid.solve import solve_network


def two_bus(link_mw: float = 50.0, demand_b_mw=(80.0, 120.0), wind_pu=(1.0, 0.0)) -> pypsa.Network:
    """Bus A: cheap coal 100 MW at 200 CNY/MWh and wind 60 MW; bus B: gas 200 MW at 500 CNY/MWh.
    Demand only at B; a link A-B of ``link_mw``. Two snapshots of 3 h each."""
    n = pypsa.Network()
    n.set_snapshots(pd.date_range("2020-01-01", periods=2, freq="3h"))
    n.snapshot_weightings.loc[:, :] = 3.0
    n.add("Carrier", ["coal", "gas", "onwind", "AC"], co2_emissions=[0.85, 0.40, 0.0, 0.0])
    n.add("Bus", ["A", "B"])
    n.add("Load", "B", bus="B", p_set=pd.Series(demand_b_mw, index=n.snapshots))
    n.add("Generator", "A coal", bus="A", carrier="coal", p_nom=100.0, marginal_cost=200.0)
    n.add("Generator", "A onwind", bus="A", carrier="onwind", p_nom=60.0, marginal_cost=0.0,
          p_max_pu=pd.Series(wind_pu, index=n.snapshots))
    n.add("Generator", "B gas", bus="B", carrier="gas", p_nom=200.0, marginal_cost=500.0)
    n.add("Link", "A-B", bus0="A", bus1="B", p_nom=link_mw, p_min_pu=-1.0, carrier="AC")
    return n


def test_dispatch_by_hand():
    n = two_bus()
    res = solve_network(n, load_shedding=False)
    assert res.optimal
    # t0: wind 60 MW could serve, but the link carries 50 -> wind 50 (10 curtailed), gas 30.
    # t1: no wind -> coal 50 over the link, gas 70.
    p = n.generators_t.p
    np.testing.assert_allclose(p["A onwind"], [50.0, 0.0], atol=1e-6)
    np.testing.assert_allclose(p["A coal"], [0.0, 50.0], atol=1e-6)
    np.testing.assert_allclose(p["B gas"], [30.0, 70.0], atol=1e-6)
    # objective: 3 h x (30 x 500 + 50 x 200 + 70 x 500) = 3 x 60,000 = 180,000 CNY
    assert res.objective_cny == pytest.approx(180_000.0, rel=1e-9)
    gen = R.generation_by_carrier_twh(n)
    assert gen["gas"] == pytest.approx(3 * 100 / 1e6)
    cur = R.curtailment_by_carrier(n, carriers=("onwind",))
    assert cur.at["onwind", "curtailed_twh"] == pytest.approx(3 * 10 / 1e6)
    assert cur.at["onwind", "curtailment_frac"] == pytest.approx(10 / 60)
    # emissions 3 h x (50 x 0.85 + 100 x 0.40) = 247.5 t
    assert R.emissions_t(n) == pytest.approx(247.5)
    # prices: B is set by gas both times; A by wind (0) at t0 (curtailing) and coal (200) at t1
    prices = R.marginal_prices_cny_per_mwh(n)
    np.testing.assert_allclose(prices["B"], [500.0, 500.0], atol=1e-6)
    np.testing.assert_allclose(prices["A"], [0.0, 200.0], atol=1e-6)
    use = R.corridor_use(n)
    assert use.at["A-B", "congested_frac"] == pytest.approx(1.0)
    # rent: (500 - 0) x 50 x 3 + (500 - 200) x 50 x 3 = 120,000 CNY
    assert use.at["A-B", "congestion_rent_cny"] == pytest.approx(120_000.0)


def test_relaxing_the_link_never_raises_cost():
    tight = two_bus(link_mw=50.0)
    loose = two_bus(link_mw=200.0)
    c_tight = solve_network(tight, load_shedding=False).objective_cny
    c_loose = solve_network(loose, load_shedding=False).objective_cny
    # loose: t0 wind 60 + coal 20, t1 coal 100 + gas 20 -> 3 x (4,000 + 20,000 + 10,000) = 102,000
    assert c_loose == pytest.approx(102_000.0)
    assert c_loose <= c_tight


def test_shortage_becomes_unserved_energy_not_failure():
    n = two_bus(demand_b_mw=(80.0, 400.0))  # t1: 400 MW > 50 link + 200 gas
    res = solve_network(n, voll_cny_per_mwh=30_000.0)
    assert res.optimal
    assert "B load-shedding" in n.generators.index
    # t1 shortfall 400 - 250 = 150 MW for 3 h = 450 MWh
    assert R.unserved_energy_twh(n) == pytest.approx(450 / 1e6)
