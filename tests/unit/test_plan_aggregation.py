"""Merging the units the plan's dispatch cannot tell apart (services/plan/aggregation.py): exact for generators
and for storage of equal duration (same optimum), a bounded relaxation for storage of different durations
(optimum never higher, and lower where the split between durations binds), power and energy conserved, and
nothing merged that differs per unit of capacity or is given in absolute MW or MWh."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pypsa
import pytest

from computegrid.grid.solve import solve_network
from computegrid.services.plan.aggregation import (
    drop_empty_units,
    merge_equivalent_units,
    merge_identical_generators,
    merge_storage_units,
)

HOURS = 24


def _network(battery_hours=(2.0, 2.0), battery_mw=(30.0, 20.0), load=None) -> pypsa.Network:
    """One bus, a day of load; solar in two units of equal availability, gas in two of different cost, two
    batteries."""
    n = pypsa.Network()
    n.set_snapshots(pd.RangeIndex(HOURS))
    n.add("Bus", "A")
    t = np.arange(HOURS)
    n.add("Load", "A load", bus="A",
          p_set=100.0 + 40.0 * np.sin(2 * np.pi * (t - 6) / HOURS) if load is None else load)
    solar = np.clip(np.sin(np.pi * (t - 6) / 12), 0.0, None)
    n.add("Generator", "A solar", bus="A", carrier="solar", p_nom=120.0, p_max_pu=solar, marginal_cost=0.0)
    n.add("Generator", "A solar new", bus="A", carrier="solar", p_nom=80.0, p_max_pu=solar, marginal_cost=0.0,
          capital_cost=5.0)
    n.add("Generator", "A gas", bus="A", carrier="gas", p_nom=200.0, marginal_cost=60.0)
    n.add("Generator", "A gas new", bus="A", carrier="gas", p_nom=50.0, marginal_cost=40.0)
    for name, hours, p_nom in (("A battery", battery_hours[0], battery_mw[0]),
                               ("A battery 2h new", battery_hours[1], battery_mw[1])):
        n.add("StorageUnit", name, bus="A", carrier="battery", p_nom=p_nom, max_hours=hours, p_min_pu=-1.0,
              efficiency_store=0.92, efficiency_dispatch=0.92, cyclic_state_of_charge=True, marginal_cost=1.0)
    return n


def _cost(n) -> float:
    return solve_network(n, load_shedding=False, threads=1).objective_cny


def test_identical_generators_merge_exactly():
    n = _network()
    before = _cost(n.copy())
    assert merge_identical_generators(n) == 1
    assert "A solar new" not in n.generators.index
    assert n.generators.at["A solar", "p_nom"] == pytest.approx(200.0)
    # capacity-weighted investment figure (does not enter a fixed-capacity dispatch)
    assert n.generators.at["A solar", "capital_cost"] == pytest.approx(5.0 * 80.0 / 200.0)
    # the gas units differ in marginal cost: kept apart
    assert {"A gas", "A gas new"} <= set(n.generators.index)
    assert _cost(n) == pytest.approx(before, rel=1e-9)


@pytest.mark.parametrize("change", ["availability", "p_set", "quadratic", "committable", "maintainable", "e_sum"])
def test_generators_that_differ_or_carry_absolute_figures_stay_apart(change):
    n = _network()
    if change == "availability":
        n.generators_t.p_max_pu["A solar new"] = n.generators_t.p_max_pu["A solar new"] * 0.9
    elif change == "p_set":  # a set point in MW would have to be summed, not compared
        n.generators.loc[["A solar", "A solar new"], "p_set"] = 10.0
    elif change == "quadratic":  # c p^2 is not c p1^2 + c p2^2
        n.generators.loc[["A solar", "A solar new"], "marginal_cost_quadratic"] = 0.1
    elif change == "e_sum":
        n.generators.loc[["A solar", "A solar new"], "e_sum_max"] = 1000.0
    else:
        n.generators.loc[["A solar", "A solar new"], change] = True
    assert merge_identical_generators(n) == 0


def test_a_group_without_an_existing_member_keeps_its_first_name():
    n = _network()
    n.generators.rename(index={"A solar": "A solar b new", "A solar new": "A solar a new"}, inplace=True)
    n.generators_t.p_max_pu.rename(columns={"A solar": "A solar b new", "A solar new": "A solar a new"},
                                   inplace=True)
    assert merge_identical_generators(n) == 1
    assert "A solar a new" in n.generators.index and "A solar b new" not in n.generators.index


def test_storage_of_equal_duration_merges_exactly():
    n = _network((2.0, 2.0))
    before = _cost(n.copy())
    assert merge_storage_units(n) == 1
    assert n.storage_units.at["A battery", "p_nom"] == pytest.approx(50.0)
    assert n.storage_units.at["A battery", "max_hours"] == pytest.approx(2.0)
    assert _cost(n) == pytest.approx(before, rel=1e-9)


def test_storage_of_far_apart_durations_merges_only_when_small():
    assert merge_storage_units(_network((1.0, 4.0))) == 0  # 30 MW at 1 h and 20 MW at 4 h stay apart
    n = _network((1.0, 4.0), battery_mw=(0.4, 40.0))  # the 1 h unit: 1 % of the group's power
    before = _cost(n.copy())
    assert merge_storage_units(n) == 1
    s = n.storage_units.loc["A battery"]
    assert s.p_nom == pytest.approx(40.4)
    assert s.p_nom * s.max_hours == pytest.approx(0.4 * 1.0 + 40.0 * 4.0)
    assert _cost(n) <= before * (1 + 1e-9)


def test_storage_within_the_duration_tolerance_merges():
    n = _network((2.0, 2.4))  # 2.4 h within 25 % of the larger unit's 2.0 h
    before = _cost(n.copy())
    assert merge_storage_units(n) == 1
    assert n.storage_units.at["A battery", "max_hours"] == pytest.approx((30.0 * 2.0 + 20.0 * 2.4) / 50.0)
    assert _cost(n) <= before * (1 + 1e-9)


def test_storage_relaxation_lowers_the_cost_where_the_split_binds(monkeypatch):
    from computegrid.services.plan import aggregation

    monkeypatch.setattr(aggregation, "STORAGE_DURATION_TOL_FRAC", 10.0)  # merge 1 h and 4 h
    load = np.full(HOURS, 60.0)
    load[18:20] = 110.0
    n = _network((1.0, 4.0), load=load)
    # a peaker above 60 MW of cheap gas: the peak's 2 x 50 MWh come from storage or the peaker; separately the
    # 1 h unit gives at most 30 MWh and the 4 h unit 20 MW per hour (70 MWh), merged 50 MW for both hours
    n.generators.loc[["A gas", "A gas new"], "marginal_cost"] = [500.0, 40.0]
    n.generators.at["A gas new", "p_nom"] = 60.0
    before = _cost(n.copy())
    assert merge_storage_units(n) == 1
    s = n.storage_units.loc["A battery"]
    assert s.p_nom == pytest.approx(50.0) and s.p_nom * s.max_hours == pytest.approx(30.0 + 80.0)
    # the peaker's 30 MWh replaced by cheap gas stored through the batteries' losses (or solar)
    assert _cost(n) < before - 30.0 * (500.0 - 40.0 / 0.92**2)


def test_storage_initial_state_is_summed():
    n = _network((2.0, 2.0))
    n.storage_units.loc[["A battery", "A battery 2h new"], "cyclic_state_of_charge"] = False
    n.storage_units.loc[["A battery", "A battery 2h new"], "state_of_charge_initial"] = [30.0, 10.0]
    before = _cost(n.copy())
    assert merge_storage_units(n) == 1
    assert n.storage_units.at["A battery", "state_of_charge_initial"] == pytest.approx(40.0)
    assert _cost(n) == pytest.approx(before, rel=1e-9)


@pytest.mark.parametrize("change", ["efficiency", "standing_loss", "cyclic", "inflow", "inflow_series",
                                    "soc_set"])
def test_storage_that_differs_or_carries_absolute_figures_stays_apart(change):
    n = _network()
    if change == "efficiency":
        n.storage_units.at["A battery 2h new", "efficiency_store"] = 0.9
    elif change == "standing_loss":
        n.storage_units.at["A battery 2h new", "standing_loss"] = 0.001
    elif change == "cyclic":
        n.storage_units.at["A battery 2h new", "cyclic_state_of_charge"] = False
    elif change == "inflow":  # inflow in MW would have to be summed
        n.storage_units.loc[["A battery", "A battery 2h new"], "inflow"] = 20.0
    elif change == "inflow_series":
        n.storage_units_t.inflow["A battery"] = np.ones(HOURS)
    else:
        n.storage_units_t.state_of_charge_set["A battery"] = np.full(HOURS, 10.0)
    assert merge_storage_units(n) == 0


def test_extendable_and_empty_units():
    n = _network()
    n.generators.at["A solar new", "p_nom_extendable"] = True
    assert merge_identical_generators(n) == 0
    n.add("StorageUnit", "A PHS", bus="A", carrier="PHS", p_nom=0.0, max_hours=6.0)
    n.add("Generator", "A offwind", bus="A", carrier="offwind", p_nom=0.0)
    assert drop_empty_units(n) == 2
    assert "A PHS" not in n.storage_units.index and "A offwind" not in n.generators.index


def test_merge_equivalent_units_counts():
    n = _network((2.0, 2.2))
    n.add("Generator", "A offwind", bus="A", carrier="offwind", p_nom=0.0)
    counts = merge_equivalent_units(n)
    assert counts == {"empty": 1, "generators": 1, "storage_units": 1}
    assert n.meta["merged_units"] == counts
