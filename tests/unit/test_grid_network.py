"""Structure of the built network and the time aggregation (no full-year solve here)."""

import numpy as np
import pandas as pd
import pytest

from computegrid.errors import InputError
from computegrid.grid.network import (
    aggregate_time,
    build_network,
    hourly_inputs,
    hydro_inflow_pu,
    model_capacity_mw,
    parse_resolution,
)
from computegrid.grid.parameters import DEFAULT_PARAMETERS as P


@pytest.fixture(scope="module")
def inputs():
    return hourly_inputs(2020)


@pytest.fixture(scope="module")
def net(inputs):
    return build_network(2020, "24h", inputs=inputs)


def test_buses_links_loads(net):
    assert len(net.buses) == 31
    assert net.buses.at["NX", "x"] == pytest.approx(106.26, abs=0.01)
    assert len(net.links) == 56 and (net.links.p_min_pu == -1).all()
    assert net.links.at["AH-XJ", "p_nom"] == 12000
    assert set(net.loads.index) == set(net.buses.index)


def test_carriers_and_names(net):
    assert set(net.generators.carrier) == {"coal", "gas", "nuclear", "onwind", "offwind", "solar",
                                           "load-shedding"}
    assert set(net.storage_units.carrier) == {"hydro", "PHS"}
    assert "NX coal" in net.generators.index and "SC hydro" in net.storage_units.index
    assert net.carriers.at["coal", "co2_emissions"] == pytest.approx(0.847, abs=0.01)
    assert net.carriers.at["solar", "co2_emissions"] == 0


def test_weightings_and_demand_total(net):
    assert len(net.snapshots) == 365
    assert (net.snapshot_weightings.generators == 24).all()
    total_twh = net.loads_t.p_set.mul(net.snapshot_weightings.generators, axis=0).to_numpy().sum() / 1e6
    assert total_twh == pytest.approx(7587.6, rel=1e-4)  # PIK 2020 provincial totals


def test_capacities_match_official_totals():
    cap = model_capacity_mw(2020).sum() / 1e3
    assert cap["coal"] == pytest.approx(1080.0)  # CEC end-2020
    assert cap["gas"] == pytest.approx(98.02)
    assert cap["nuclear"] == pytest.approx(49.89)  # NBS end-2020
    # wind that ran all of 2020: 281.7 GW year-end x 210.05/281.53
    assert cap["onwind"] + cap["offwind"] == pytest.approx(281.67 * 210.05 / 281.53, rel=1e-3)


def test_hydro_inflow_budget_and_season():
    idx = pd.date_range("2020-01-01", periods=8760, freq="h")
    pu = hydro_inflow_pu(idx)
    assert pu.sum() == pytest.approx(P.hydro_full_load_hours_h)
    aug, feb = pu[idx.month == 8].mean(), pu[idx.month == 2].mean()
    assert aug / feb == pytest.approx(1.4 / (1 + 0.4 * np.cos(2 * np.pi * 6 / 12)), rel=1e-6)


def test_must_run_never_exceeds_demand(inputs):
    pmin = inputs.p_min_pu
    cap = inputs.capacity_mw
    for prov in ("LN", "JL", "HL", "NM"):
        must = sum(pmin[c] * cap.at[prov, c.split(" ")[1]] for c in pmin.columns if c.startswith(prov + " "))
        assert (must <= inputs.demand_mw[prov] * P.must_run_max_demand_frac + 1e-6).all()
    # CHP must-run binds in winter: Jilin coal minimum is higher in January than in July
    jl = pmin["JL coal"]
    assert jl[jl.index.month == 1].mean() > jl[jl.index.month == 7].mean()


@pytest.mark.parametrize("res", ["3h", "24h", "1h"])
def test_n_hourly_aggregation_keeps_energy(inputs, res):
    frames = {"demand": inputs.demand_mw, "p_max_pu": inputs.p_max_pu}
    snaps, w, red = aggregate_time(frames, res)
    assert w.sum() == 8760
    np.testing.assert_allclose(red["demand"].mul(w, axis=0).sum(), inputs.demand_mw.sum(), rtol=1e-9)
    np.testing.assert_allclose(red["p_max_pu"].mul(w, axis=0).sum(), inputs.p_max_pu.sum(), rtol=1e-9)


def test_representative_days_keep_energy(inputs):
    frames = {"demand": inputs.demand_mw, "p_max_pu": inputs.p_max_pu[["NX onwind", "NX solar"]]}
    snaps, w, red = aggregate_time(frames, "rep8")
    assert len(snaps) == 8 * 24 and w.sum() == pytest.approx(8760)
    assert snaps.is_monotonic_increasing
    total = red["demand"].mul(w, axis=0).to_numpy().sum()
    assert total == pytest.approx(inputs.demand_mw.to_numpy().sum(), rel=0.01)


@pytest.mark.parametrize("bad", ["7h", "0h", "rep0", "daily", "rep400"])
def test_bad_resolution(bad):
    with pytest.raises(InputError):
        parse_resolution(bad)
