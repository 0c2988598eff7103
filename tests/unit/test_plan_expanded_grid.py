"""The planning scenarios' grid: china-2030 plans on the expanded 2030 network, without its CO2 price and
load shedding (the plan adds its own), with equal units merged, and a year the expansion cannot build is one line naming the field."""

from __future__ import annotations

import pandas as pd
import pytest

from computegrid.errors import InputError
from computegrid.services.plan.scenario import load_scenario


def test_default_scenario_uses_the_expansion():
    config = load_scenario(None)
    assert config.name == "china-2030" and config.grid == "expansion" and config.year == 2030
    assert all(v is None for v in config.fleet.model_dump().values())


def test_expansion_grid_needs_an_expansion_year():
    from computegrid.services.plan.solving import _default_builder

    config = load_scenario(None, ["year=2035"])
    with pytest.raises(InputError) as err:
        _default_builder(config, "rep1")
    assert "year" in str(err.value) and "2030" in str(err.value)


def test_expanded_grid_strips_co2_price_and_shedding(monkeypatch, tmp_path):
    import pypsa

    from computegrid.grid.capacity_expansion import _record_co2_adder
    from computegrid.services.grid_model import grid_expansion
    from computegrid.services.plan.solving import expanded_grid

    n = pypsa.Network()
    n.set_snapshots(pd.RangeIndex(2))
    n.add("Bus", "A")
    n.add("Generator", "A coal", bus="A", carrier="coal", p_nom=10.0, marginal_cost=385.0)
    n.add("Generator", "A load-shedding", bus="A", carrier="load-shedding", p_nom=10.0, marginal_cost=3e4)
    n.add("Generator", ["A solar", "A solar new"], bus="A", carrier="solar", p_nom=[4.0, 6.0], p_max_pu=0.5)
    _record_co2_adder(n, pd.Series({"A coal": 85.0}))
    run = grid_expansion.ExpansionRun(n, tmp_path / "x.nc", 0.0, True)
    monkeypatch.setattr(grid_expansion, "expanded_network", lambda year, resolution: run)
    out = expanded_grid(2030, "rep1")
    assert out.generators.at["A coal", "marginal_cost"] == pytest.approx(300.0)
    assert "A load-shedding" not in out.generators.index
    # units the dispatch cannot tell apart are merged (services/plan/aggregation.py)
    assert "A solar new" not in out.generators.index and out.generators.at["A solar", "p_nom"] == 10.0
    assert out.meta["merged_units"]["generators"] == 1
