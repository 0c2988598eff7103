"""Marginal emission factors from the optimal basis, checked against re-solves on a small
network; average factors by proportional sharing (Bialek 1996) worked out by hand."""

import numpy as np
import pandas as pd
import pypsa
import pytest

from computegrid.grid.flow_tracing import average_emission_factors
from computegrid.grid.marginal_emissions import marginal_emission_factors, perturbation_factors
from computegrid.grid.solve import solve_network

CO2 = {"coal": 0.92, "gas": 0.41, "onwind": 0.0, "oil": 0.78, "battery": 0.0}  # t/MWh, test values
LOAD_MW = {"A": [210, 260, 330, 370, 300, 240], "B": [120, 150, 170, 190, 160, 130],
           "C": [90, 110, 140, 160, 130, 100], "D": [150, 180, 230, 260, 220, 170]}


def four_bus(extra=None) -> pypsa.Network:
    """Four buses, six hours: coal at A, gas at B, wind at C (curtailed at night), oil and a
    battery at D; corridors that congest. ``extra`` = (bus, hour, MW) added to one load."""
    n = pypsa.Network()
    n.set_snapshots(pd.date_range("2020-01-01", periods=6, freq="h"))
    for c, e in CO2.items():
        n.add("Carrier", c, co2_emissions=e)
    for b, v in LOAD_MW.items():
        n.add("Bus", b)
        p = np.array(v, dtype=float)
        if extra and extra[0] == b:
            p[extra[1]] += extra[2]
        n.add("Load", b, bus=b, p_set=p)
    n.add("Generator", "A coal", bus="A", carrier="coal", p_nom=520, marginal_cost=310.0)
    n.add("Generator", "B gas", bus="B", carrier="gas", p_nom=260, marginal_cost=455.0)
    n.add("Generator", "C wind", bus="C", carrier="onwind", p_nom=650, marginal_cost=0.0,
          p_max_pu=[0.9, 0.75, 0.2, 0.1, 0.35, 0.8])
    n.add("Generator", "D oil", bus="D", carrier="oil", p_nom=300, marginal_cost=720.0)
    n.add("StorageUnit", "D battery", bus="D", carrier="battery", p_nom=60, max_hours=3,
          efficiency_store=0.92, efficiency_dispatch=0.92, marginal_cost=1.0,
          cyclic_state_of_charge=True)
    for a, b, cap in (("A", "B", 160), ("B", "C", 120), ("C", "D", 140), ("A", "D", 95)):
        n.add("Link", f"{a}-{b}", bus0=a, bus1=b, p_nom=cap, p_min_pu=-1)
    return n


def emissions_t(n) -> float:
    return float((n.generators_t.p @ n.generators.carrier.map(n.carriers.co2_emissions)).sum())


@pytest.fixture(scope="module")
def solved():
    n = four_bus()
    solve_network(n, threads=1, load_shedding=False)
    return n


def test_marginal_factors_match_cold_resolves_within_5_percent(solved):
    mef = marginal_emission_factors(solved)
    e0 = emissions_t(solved)
    delta = 2.0  # MW, within the 1-10 MW of the validation
    # ten of the 24 bus-hours (each cold solve costs seconds): every kind of margin below
    for t, b in ((0, "A"), (0, "C"), (1, "D"), (1, "B"), (2, "B"), (3, "A"), (3, "C"), (3, "D"),
                 (4, "D"), (5, "C")):
        m = four_bus((b, t, delta))
        solve_network(m, threads=1, load_shedding=False)  # from scratch, no basis reused
        fd = (emissions_t(m) - e0) / delta
        assert mef.iat[t, "ABCD".index(b)] == pytest.approx(fd, rel=0.05, abs=0.005), (t, b)
    # the network is not trivial: curtailment (0), congestion (buses differ within an hour),
    # storage at the margin (a factor no generator has)
    vals = np.round(mef.to_numpy(), 4)
    assert 0.0 in vals
    assert (vals.max(axis=1) - vals.min(axis=1) > 0.1).any()
    assert not np.isin(vals, np.round(list(CO2.values()), 4)).all()


def test_storage_at_the_margin_by_hand(solved):
    # hour 1 at D: the battery charges 55 of 60 MW; one more MW of load there is one MW less
    # charged, 0.92 x 0.92 MWh less discharged in hour 2, where gas is at the margin
    mef = marginal_emission_factors(solved)
    assert solved.storage_units_t.p.iat[1, 0] == pytest.approx(-55.0, abs=1e-6)
    assert mef.at[solved.snapshots[1], "D"] == pytest.approx(0.92 * 0.92 * 0.41, rel=1e-9)


def test_warm_perturbation_agrees_with_basis(solved):
    samples = [(t, b) for t in range(6) for b in "ABCD"]
    before = marginal_emission_factors(solved).to_numpy()
    pf = perturbation_factors(solved, samples, [1.0, 5.0, 10.0] * 8)
    err = (pf["mef_resolve_t_per_mwh"] - pf["mef_basis_t_per_mwh"]).abs()
    # 10 MW at D in hour 1 exceeds the battery's 5 MW of charging headroom: the basis changes
    # there, and the re-solve measures the larger step honestly
    small = pf["delta_mw"] <= 5.0
    assert (err[small] <= 0.05 * pf.loc[small, "mef_resolve_t_per_mwh"].abs() + 1e-6).all()
    # the solver's state is restored after each perturbation
    assert marginal_emission_factors(solved).to_numpy() == pytest.approx(before)


def three_bus_chain() -> pypsa.Network:
    n = pypsa.Network()
    n.set_snapshots(pd.date_range("2020-01-01", periods=1, freq="h"))
    n.add("Carrier", "coal", co2_emissions=0.9)
    n.add("Carrier", "onwind", co2_emissions=0.0)
    for b, load in (("A", 50.0), ("B", 100.0), ("C", 50.0)):
        n.add("Bus", b)
        n.add("Load", b, bus=b, p_set=[load])
    n.add("Generator", "A coal", bus="A", carrier="coal", p_nom=500, marginal_cost=300.0)
    n.add("Generator", "B wind", bus="B", carrier="onwind", p_nom=50, marginal_cost=0.0)
    n.add("Link", "A-B", bus0="A", bus1="B", p_nom=500, p_min_pu=-1)
    n.add("Link", "C-B", bus0="C", bus1="B", p_nom=500, p_min_pu=-1)  # flows backwards, B -> C
    return n


def test_proportional_sharing_by_hand():
    n = three_bus_chain()
    solve_network(n, threads=1, load_shedding=False)
    c = average_emission_factors(n).iloc[0]
    # A: coal only. B: 50 MW wind + 100 MW coal from A -> 90 t/h over 150 MW. C: all from B.
    assert c["A"] == pytest.approx(0.9)
    assert c["B"] == pytest.approx(0.6)
    assert c["C"] == pytest.approx(0.6)
    # every tonne is allocated once: sum of intensity x consumption = emissions
    assert 0.9 * 50 + 0.6 * 100 + 0.6 * 50 == pytest.approx(emissions_t(n))


def test_proportional_sharing_conserves_emissions(solved):
    c = average_emission_factors(solved)
    load = solved.loads_t.p_set[list("ABCD")]
    charge = (-solved.storage_units_t.p).clip(lower=0.0)
    cons = load.copy()
    cons["D"] = cons["D"] + charge["D battery"]
    allocated = float((c * cons).sum().sum())
    assert allocated == pytest.approx(emissions_t(solved), rel=1e-9)
