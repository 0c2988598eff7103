"""Signals read from a solved network: a one-bus system worked out by hand."""

import numpy as np
import pandas as pd
import pypsa
import pytest

from computegrid.grid.signals import signals_from_network
from computegrid.grid.solve import solve_network


def test_one_bus_curtailment_price_and_marginal_intensity():
    n = pypsa.Network()
    n.set_snapshots(pd.date_range("2020-01-01", periods=3, freq="h"))
    n.add("Carrier", "onwind", co2_emissions=0.0)
    n.add("Carrier", "coal", co2_emissions=0.85)
    n.add("Bus", "NX")
    n.add("Load", "NX", bus="NX", p_set=[100.0, 100.0, 100.0])
    n.add("Generator", "NX onwind", bus="NX", carrier="onwind", p_nom=200.0,
          p_max_pu=[1.0, 0.3, 0.0], marginal_cost=0.0)
    n.add("Generator", "NX coal", bus="NX", carrier="coal", p_nom=150.0, marginal_cost=250.0)
    solve_network(n, threads=1, load_shedding=False)
    f = signals_from_network(n).set_index("timestamp")
    # hour 0: wind 200 available, 100 used -> 100 MW curtailed, price 0, marginal CO2 0
    # hour 1: wind 60 + coal 40 -> no curtailment, coal sets the price
    # hour 2: coal only
    assert f["curtailed_mw"].to_numpy() == pytest.approx([100.0, 0.0, 0.0], abs=1e-6)
    assert f["price_cny_per_mwh"].to_numpy() == pytest.approx([0.0, 250.0, 250.0], abs=1e-6)
    assert f["co2_marginal_kg_per_mwh"].to_numpy() == pytest.approx([0.0, 850.0, 850.0])
    assert f["co2_avg_kg_per_mwh"].to_numpy() == pytest.approx([0.0, 0.4 * 850.0, 850.0])
    assert (f["province"] == "NX").all()
    assert f.index.tz is not None and np.all(np.diff(f.index.as_unit("s").asi8) == 3600)
