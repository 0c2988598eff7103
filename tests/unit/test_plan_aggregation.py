"""Merging the units the plan's dispatch cannot tell apart (services/plan/aggregation.py): exact for generators
and for storage of equal duration (same optimum), a relaxation for storage of different durations (optimum
never higher), power and energy conserved, and nothing merged that differs per unit of capacity."""

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


def _network(battery_hours=(2.0, 2.0)) -> pypsa.Network:
    """One bus, a day of load; solar in two units of equal availability, a peaker, two batteries."""
    n = pypsa.Network()
    n.set_snapshots(pd.RangeIndex(HOURS))
    n.add("Bus", "A")
    t = np.arange(HOURS)
    n.add("Load", "A load", bus="A", p_set=100.0 + 40.0 * np.sin(2 * np.pi * (t - 6) / HOURS))
    solar = np.clip(np.sin(np.pi * (t - 6) / 12), 0.0, None)
    n.add("Generator", "A solar", bus="A", carrier="solar", p_nom=120.0, p_max_pu=solar, marginal_cost=0.0)
    n.add("Generator", "A solar new", bus="A", carrier="solar", p_nom=80.0, p_max_pu=solar, marginal_cost=0.0,
          capital_cost=5.0)
    n.add("Generator", "A gas", bus="A", carrier="gas", p_nom=200.0, marginal_cost=60.0)
    n.add("Generator", "A gas new", bus="A", carrier="gas", p_nom=50.0, marginal_cost=40.0)
    for name, hours, p_nom in (("A battery", battery_hours[0], 30.0), ("A battery 2h new", battery_hours[1], 20.0)):
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


def test_generators_with_other_availability_stay_apart():
    n = _network()
    n.generators_t.p_max_pu["A solar new"] = n.generators_t.p_max_pu["A solar new"] * 0.9
    assert merge_identical_generators(n) == 0


def test_storage_of_equal_duration_merges_exactly():
    n = _network((2.0, 2.0))
    before = _cost(n.copy())
    assert merge_storage_units(n) == 1
    assert n.storage_units.at["A battery", "p_nom"] == pytest.approx(50.0)
    assert n.storage_units.at["A battery", "max_hours"] == pytest.approx(2.0)
    assert _cost(n) == pytest.approx(before, rel=1e-9)


def test_storage_of_other_durations_conserves_energy_and_only_relaxes():
    n = _network((1.0, 4.0))
    before = _cost(n.copy())
    assert merge_storage_units(n) == 1
    s = n.storage_units.loc["A battery"]
    assert s.p_nom == pytest.approx(50.0)
    assert s.p_nom * s.max_hours == pytest.approx(30.0 * 1.0 + 20.0 * 4.0)
    after = _cost(n)
    assert after <= before * (1 + 1e-9)


def test_storage_with_other_efficiency_or_inflow_stays_apart():
    n = _network()
    n.storage_units.at["A battery 2h new", "efficiency_store"] = 0.9
    assert merge_storage_units(n) == 0
    n = _network()
    n.storage_units_t.inflow["A battery"] = np.ones(HOURS)
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
    n = _network((2.0, 4.0))
    n.add("Generator", "A offwind", bus="A", carrier="offwind", p_nom=0.0)
    assert merge_equivalent_units(n) == {"empty": 1, "generators": 1, "storage_units": 1}
