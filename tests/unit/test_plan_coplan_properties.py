"""Properties of the co-planning optimum on small random systems.

Relaxing a latency limit or widening a time window never raises the optimal cost; adding AI load
never lowers it; the co-optimised cost is never above either baseline on the same data.
"""

import dataclasses
import logging

import numpy as np
import pandas as pd
import pypsa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from computegrid.demand.ai_load import LoadClass
from computegrid.grid.coplan import CoplanSpec
from computegrid.grid.coplan_solve import solve_coplan
from computegrid.services.plan.inputs import PlanInputs
from computegrid.services.plan.solving import solve_all
from computegrid.services.plan.scenario import load_scenario

logging.getLogger("pypsa").setLevel(logging.ERROR)
logging.getLogger("linopy").setLevel(logging.ERROR)

HOURS = 48
SITES = pd.DataFrame({
    "bus": ["E", "W1", "W2"], "pue": [1.3, 1.2, 1.2], "capacity_max_mw": [60.0, 40.0, 40.0],
    "capex_cny_per_mw_per_year": [2.0e5, 1.8e5, 1.8e5], "kind": ["metro", "edwc-cluster", "edwc-cluster"],
    "side": ["east", "west", "west"], "latitude_deg": [31.0, 37.0, 36.0], "longitude_deg": [121.0, 105.0, 108.0],
}, index=pd.Index(["m-east", "c-west1", "c-west2"], name="site"))
RTT = pd.DataFrame([[1.0, 24.0, 18.0], [24.0, 1.0, 6.0], [18.0, 6.0, 1.0]],
                   index=pd.Index(["E", "W1", "W2"], name="province"), columns=SITES.index)


def network(seed: int) -> pypsa.Network:
    rng = np.random.default_rng(seed)
    n = pypsa.Network()
    n.set_snapshots(pd.date_range("2030-03-01", periods=HOURS, freq="h"))
    n.add("Bus", ["E", "W1", "W2"], carrier="AC")
    n.add("Carrier", ["coal", "gas", "onwind", "solar"], co2_emissions=[0.85, 0.4, 0.0, 0.0])
    hour = np.arange(HOURS) % 24
    n.add("Load", "E", bus="E", p_set=100 + 20 * np.sin(2 * np.pi * (hour - 14) / 24))
    n.add("Load", "W1", bus="W1", p_set=20.0)
    n.add("Load", "W2", bus="W2", p_set=15.0)
    n.add("Generator", "E coal", bus="E", carrier="coal", p_nom=90, marginal_cost=250, p_min_pu=0.0)
    n.add("Generator", "E gas", bus="E", carrier="gas", p_nom=80, marginal_cost=500)
    wind = np.clip(rng.beta(1.2, 1.5, HOURS), 0, 1)
    n.add("Generator", "W1 onwind", bus="W1", carrier="onwind", p_nom=rng.uniform(60, 160), p_max_pu=wind,
          marginal_cost=0.5)
    solar = np.clip(np.sin(np.pi * (hour - 6) / 12), 0, 1)
    n.add("Generator", "W2 solar", bus="W2", carrier="solar", p_nom=rng.uniform(40, 140), p_max_pu=solar,
          marginal_cost=0.4)
    n.add("Generator", "W1 coal", bus="W1", carrier="coal", p_nom=60, marginal_cost=200, p_min_pu=0.3)
    n.add("Link", ["W1-E", "W2-E", "W1-W2"], bus0=["W1", "W2", "W1"], bus1=["E", "E", "W2"],
          p_nom=[rng.uniform(10, 40), rng.uniform(10, 40), 30.0], p_min_pu=-1)
    return n


def classes(online_ms=10.0, batch_window="day", training_window="horizon"):
    return (LoadClass("online", 0.4, online_ms, "hour", 0.0, "diurnal"),
            LoadClass("batch", 0.2, 20.0, batch_window, 0.0, "flat"),
            LoadClass("training", 0.4, None, training_window, 0.5, "flat"))


def demand(total_mw: float, cls):
    w = pd.Series({"E": 0.8, "W1": 0.1, "W2": 0.1})
    return pd.DataFrame(np.outer([c.share_frac for c in cls], w) * total_mw,
                        index=pd.Index([c.name for c in cls], name="class"), columns=w.index)


def cost(seed, total_mw=50.0, **kw):
    cls = classes(**kw)
    spec = CoplanSpec(sites=SITES, classes=cls, demand_mw=demand(total_mw, cls), rtt_ms=RTT,
                      voll_cny_per_mwh=30_000.0)
    n = network(seed)
    res = solve_coplan(n, spec)
    assert res.ok
    return res.objective_cny


SETTINGS = settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(seed=st.integers(0, 10_000))
def test_relaxing_latency_never_raises_cost(seed):
    tight = cost(seed, online_ms=10.0)
    loose = cost(seed, online_ms=30.0)
    assert loose <= tight * (1 + 1e-6) + 1e-3


@SETTINGS
@given(seed=st.integers(0, 10_000))
def test_widening_a_window_never_raises_cost(seed):
    hourly = cost(seed, batch_window="hour", training_window="day")
    daily = cost(seed, batch_window="day", training_window="horizon")
    assert daily <= hourly * (1 + 1e-6) + 1e-3


@SETTINGS
@given(seed=st.integers(0, 10_000), extra=st.floats(1.0, 40.0))
def test_adding_ai_load_never_lowers_cost(seed, extra):
    assert cost(seed, total_mw=30.0 + extra) >= cost(seed, total_mw=30.0) * (1 - 1e-6) - 1e-3


@pytest.mark.parametrize("seed", [7])
def test_co_optimised_is_never_above_the_baselines(seed):
    cls = classes(online_ms=20.0)
    config = load_scenario(None)
    inputs = PlanInputs(config=config, classes=cls, sites=SITES, rtt_ms=RTT, demand_mw=demand(60.0, cls))
    inputs = dataclasses.replace(inputs, config=config.model_copy(update={"expand": False}))
    nets, res = solve_all(inputs, network(seed))
    co = res["co-optimised"].objective_cny
    for name in ("status-quo", "west-static"):
        assert res[name].ok
        assert co <= res[name].objective_cny * (1 + 1e-6) + 1e-3
    # the baselines respect site caps and latency; all AI work is served here
    for r in res.values():
        assert (r.capacity_it_mw <= SITES.capacity_max_mw + 1e-6).all()
        assert r.unserved_ai_it_mwh == pytest.approx(0.0, abs=1e-6)
