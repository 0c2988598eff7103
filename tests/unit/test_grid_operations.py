"""Daily flat schedules of DC corridors on a two-bus network (worked by hand in the docstring).

Bus A has 10 MW of solar at the two midday snapshots (of four per day) and a 1 MW load; bus B has a 5 MW
load and gas at 500 CNY/MWh; the link A-B carries 10 MW (p0 > 0: A -> B). Free dispatch: at night A
imports its 1 MW (flow -1); at noon the solar serves A and all of B (flow +5): flows -1, 5, 5, -1.
With one schedule per day the flow f is the same in all four snapshots; A has no supply at night, so
A's night balance 0 = 1 + f gives f = -1 all day, and at noon A's balance solar = 1 + f = 0: all the
solar is curtailed and gas serves both loads.
"""

import numpy as np
import pandas as pd
import pypsa
import pytest

from computegrid.grid.operations import daily_flat_schedules, day_start_mask


def _network():
    n = pypsa.Network()
    n.set_snapshots(pd.date_range("2024-01-01", periods=8, freq="6h"))
    n.snapshot_weightings.loc[:, :] = 6.0
    n.add("Bus", ["A", "B"])
    n.add("Load", "A", bus="A", p_set=1.0)
    n.add("Load", "B", bus="B", p_set=5.0)
    n.add("Generator", "A solar", bus="A", p_nom=10.0, marginal_cost=0.0,
          p_max_pu=pd.Series([0, 1, 1, 0] * 2, index=n.snapshots, dtype=float))
    n.add("Generator", "B gas", bus="B", p_nom=100.0, marginal_cost=500.0)
    n.add("Link", "A-B", bus0="A", bus1="B", p_nom=10.0, p_min_pu=-1.0)
    return n


def test_day_start_mask():
    snaps = pd.date_range("2024-01-01", periods=8, freq="6h")
    assert day_start_mask(snaps).tolist() == [True, False, False, False] * 2


def test_free_dispatch_exports_the_noon_surplus():
    n = _network()
    n.optimize(solver_name="highs")
    assert n.links_t.p0["A-B"].to_numpy() == pytest.approx([-1, 5, 5, -1] * 2)


def test_flat_schedule_holds_the_flow_within_each_day():
    n = _network()
    n.optimize(solver_name="highs", extra_functionality=daily_flat_schedules(["A-B", "absent"]))
    flow = n.links_t.p0["A-B"].to_numpy()
    assert flow == pytest.approx(np.full(8, -1.0))
    assert n.generators_t.p["A solar"].sum() == pytest.approx(0.0, abs=1e-6)
