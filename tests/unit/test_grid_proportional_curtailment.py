"""Proportional curtailment of wind and solar on one bus (worked by hand in the docstring).

One bus, a 6 MW load, wind (0.5 CNY/MWh) and solar (0.4 CNY/MWh), nothing else. Snapshot 1: wind can give
6 MW, solar 4 MW. Least cost takes all the solar and 2 MW of wind: wind curtailed 4/6, solar 0. With the
rule both run at the same share of what they can give: 6 / (6 + 4) = 0.6, so wind 3.6 MW and solar
2.4 MW. Snapshot 2 (night): solar 0, wind can give 8 MW; the rule leaves the hour alone (solar's share of
the available power is below 1 %) and wind gives the 6 MW in both cases.
"""

import pandas as pd
import pypsa
import pytest

from computegrid.grid.operations import proportional_curtailment
from computegrid.grid.solve import chain_functionality


def _network():
    n = pypsa.Network()
    n.set_snapshots(pd.date_range("2024-06-01", periods=2, freq="12h"))
    n.add("Bus", "A")
    n.add("Load", "A", bus="A", p_set=6.0)
    n.add("Generator", "A onwind", bus="A", carrier="onwind", p_nom=10.0, marginal_cost=0.5,
          p_max_pu=pd.Series([0.6, 0.8], index=n.snapshots))
    n.add("Generator", "A solar", bus="A", carrier="solar", p_nom=8.0, marginal_cost=0.4,
          p_max_pu=pd.Series([0.5, 0.0], index=n.snapshots))
    return n


def test_least_cost_curtails_wind_only():
    n = _network()
    n.optimize(solver_name="highs")
    assert n.generators_t.p["A solar"].tolist() == pytest.approx([4.0, 0.0])
    assert n.generators_t.p["A onwind"].tolist() == pytest.approx([2.0, 6.0])


def test_rule_curtails_both_in_proportion():
    n = _network()
    n.optimize(solver_name="highs", extra_functionality=chain_functionality(None, proportional_curtailment))
    assert n.generators_t.p["A onwind"].tolist() == pytest.approx([3.6, 6.0])
    assert n.generators_t.p["A solar"].tolist() == pytest.approx([2.4, 0.0])
