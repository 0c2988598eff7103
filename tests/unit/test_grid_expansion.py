"""Capacity expansion on a three-bus case solved by hand, and the committed changes on the real base network.

The three-bus case (two snapshots of 4,380 h each, "day" and "night"):

- bus A: load 100 MW; existing coal 60 MW at 300 CNY/MWh (fixed); extendable gas peaker,
  50,000 CNY/MW/yr and 600 CNY/MWh;
- bus B: no load; extendable solar, 100,000 CNY/MW/yr, availability 1 by day and 0 at night;
- bus C: load 20 MW, joined to A by an existing 50 MW link;
- an extendable link B-A at 20,000 CNY/MW/yr; load shedding at 30,000 CNY/MWh everywhere.

By hand. Night: no solar, 120 MW must come from coal (60 MW, all of it) and gas, so gas is built to
G = 60 MW (60 x (50,000 + 600 x 4,380) = 160.68 M CNY, far below shedding at 30,000 x 4,380 per MW).
Day: one MW of solar with one MW of link costs 120,000 CNY/yr and displaces 4,380 MWh of coal worth
1.314 M CNY, so solar covers the whole day: S = 120 MW, link B-A = 120 MW, coal and gas idle by day.
Objective = 120 x 100,000 + 120 x 20,000 + 60 x 50,000 + 60 x 4,380 x 600 + 60 x 4,380 x 300
          = 12.0 + 2.4 + 3.0 + 157.68 + 78.84 = 253.92 M CNY.
Non-fossil share = 120 x 4,380 / (240 x 4,380) = 0.5.

With the wind + solar floor at 150 MW, 30 MW more solar is built and curtailed (the link stays at
120 MW): objective + 30 x 100,000 = 256.92 M CNY.

With a non-fossil share of at least 0.55, night fossil output F must satisfy 0.45 x 120 >= 0.55 x F
(clean energy only by day, same weights): F = 98.18 MW, i.e. coal 60, gas 38.18 and 21.82 MW shed at
night.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pypsa
import pytest

from computegrid.grid.capacity_expansion import (
    ExpansionParameters,
    fix_capacities,
    solve_expansion,
)
from computegrid.grid.parameters import DEFAULT_PARAMETERS
from computegrid.grid.results import generation_by_carrier_twh

H = 4380.0
SIMPLEX = {"solver": "simplex"}


def three_bus() -> pypsa.Network:
    n = pypsa.Network()
    snaps = pd.DatetimeIndex(["2030-01-01 12:00", "2030-01-02 00:00"])
    n.set_snapshots(snaps)
    n.snapshot_weightings.loc[:, :] = H
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        for c, co2 in (("coal", 0.85), ("gas", 0.4), ("solar", 0.0), ("AC", 0.0)):
            n.add("Carrier", c, co2_emissions=co2)
        n.add("Bus", ["A", "B", "C"], carrier="AC")
        # loads as series: the load-shedding units are sized from the loads' time series
        n.add("Load", "A", bus="A", p_set=pd.Series(100.0, index=snaps))
        n.add("Load", "C", bus="C", p_set=pd.Series(20.0, index=snaps))
        n.add("Generator", "A coal", bus="A", carrier="coal", p_nom=60.0, marginal_cost=300.0)
        n.add("Generator", "A gas new", bus="A", carrier="gas", p_nom_extendable=True, capital_cost=50_000.0,
              marginal_cost=600.0)
        n.add("Generator", "B solar new", bus="B", carrier="solar", p_nom_extendable=True,
              capital_cost=100_000.0, marginal_cost=0.0, p_max_pu=pd.Series([1.0, 0.0], index=snaps))
        n.add("Link", "A-C", bus0="A", bus1="C", carrier="AC", p_nom=50.0, p_min_pu=-1.0)
        n.add("Link", "B-A HVDC new", bus0="B", bus1="A", carrier="AC", p_nom_extendable=True,
              p_min_pu=-1.0, capital_cost=20_000.0)
    return n


@pytest.mark.parametrize("options, rel", [(None, 5e-3), (SIMPLEX, 1e-6)])
def test_three_bus_optimum_matches_hand_solution(options, rel):
    """Default solver (HiPO, no crossover: capacities within its tolerance) and simplex (exact vertex)."""
    n = three_bus()
    res = solve_expansion(n, ExpansionParameters(non_fossil_share_min_frac=0.0, wind_solar_min_mw=0.0),
                          solver_options=options)
    assert res.objective_cny == pytest.approx(253.92e6, rel=1e-4)
    assert n.generators.at["B solar new", "p_nom_opt"] == pytest.approx(120.0, rel=rel)
    assert n.generators.at["A gas new", "p_nom_opt"] == pytest.approx(60.0, rel=rel)
    assert n.links.at["B-A HVDC new", "p_nom_opt"] == pytest.approx(120.0, rel=rel)
    fix_capacities(n)
    assert not n.generators.p_nom_extendable.any() and not n.links.p_nom_extendable.any()
    gen = generation_by_carrier_twh(n)
    assert gen["solar"] == pytest.approx(120 * H / 1e6, rel=rel)
    assert gen.get("load-shedding", 0.0) == pytest.approx(0.0, abs=1e-6)


def test_wind_solar_floor_builds_and_curtails():
    n = three_bus()
    # simplex: the link capacity is degenerate by 0.2 % within the interior-point tolerance
    res = solve_expansion(n, ExpansionParameters(non_fossil_share_min_frac=0.0, wind_solar_min_mw=150.0),
                          solver_options=SIMPLEX)
    assert n.generators.at["B solar new", "p_nom_opt"] == pytest.approx(150.0, rel=1e-3)
    assert n.links.at["B-A HVDC new", "p_nom_opt"] == pytest.approx(120.0, rel=1e-3)
    assert res.objective_cny == pytest.approx(256.92e6, rel=1e-4)


def test_non_fossil_share_forces_shedding_at_night():
    n = three_bus()
    solve_expansion(n, ExpansionParameters(non_fossil_share_min_frac=0.55, wind_solar_min_mw=0.0),
                    solver_options=SIMPLEX)
    night = n.snapshots[1]
    fossil = n.generators_t.p.loc[night, ["A coal", "A gas new"]].sum()
    assert fossil == pytest.approx(120 * 0.45 / 0.55, rel=1e-3)
    shed = n.generators_t.p.loc[night].filter(like="load-shedding").sum()
    assert shed == pytest.approx(120 - 120 * 0.45 / 0.55, rel=1e-3)


def test_committed_changes_on_the_base_network():
    from computegrid.datasets.expansion import demand_projection_mwh, load_committed_projects
    from computegrid.grid.capacity_expansion import expand_network
    from computegrid.grid.network import build_network

    base = build_network(2020, "rep1", empty_components=True)
    n = expand_network(base, 2030, base_year=2020)
    com = load_committed_projects()
    nuc_added = com.query("kind == 'nuclear' and in_service_year > 2020").capacity_mw.sum()
    nuc = n.generators.carrier == "nuclear"
    assert n.generators.p_nom[nuc].sum() == pytest.approx(base.generators.p_nom[base.generators.carrier
                                                                                 == "nuclear"].sum() + nuc_added)
    phs = n.storage_units.p_nom[n.storage_units.carrier == "PHS"].sum()
    assert phs == pytest.approx(com.query("kind == 'phs'").capacity_mw.iloc[0])  # the 2030 target
    uhv = com.query("kind == 'uhv'")
    assert len(n.links) - len(base.links) - n.links.index.str.endswith("new").sum() == len(uhv)
    demand = n.loads_t.p_set.mul(n.snapshot_weightings.objective, axis=0).sum()
    np.testing.assert_allclose(demand.to_numpy(), demand_projection_mwh(2030).reindex(demand.index).to_numpy(),
                               rtol=1e-6)
    new_vre = n.generators.index[n.generators.p_nom_extendable & n.generators.carrier.isin(["onwind", "solar"])]
    assert len(new_vre) > 40 and (n.generators.loc[new_vre, "p_nom_max"] > 0).all()
    # the CO2 price (100 CNY/t) is paid once, by existing and new coal alike
    co2 = 100.0 * DEFAULT_PARAMETERS.co2_t_per_mwh["coal"]
    assert n.generators.at["NM coal", "marginal_cost"] == pytest.approx(
        base.generators.at["NM coal", "marginal_cost"] + co2)
    if "NM coal new" in n.generators.index:
        assert n.generators.at["NM coal new", "marginal_cost"] == pytest.approx(
            n.generators.at["NM coal", "marginal_cost"])
