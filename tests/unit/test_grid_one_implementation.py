"""Each piece of the grid model has one implementation; these tests pin it.

Emissions (output / efficiency x fuel CO2 factor), curtailment, the carrier registry, fleet scaling,
the load-shedding adder, the great-circle distance, the solve entry point, and the import order of
the co-planning modules (no cycle).
"""

import logging
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pypsa
import pytest

from computegrid.grid import carriers
from computegrid.grid import coplan_results as cr
from computegrid.grid import results as R
from computegrid.grid.coplan_solve import solve_plain
from computegrid.grid.solve import (HIPO_TOLERANCES, SPLIT_PRESOLVE_RULES_OFF, highs_options,
                                    model_functionality, solve_network)
from test_plan_coplan_hand import two_bus
from test_plan_coplan_properties import network

logging.getLogger("pypsa").setLevel(logging.ERROR)
logging.getLogger("linopy").setLevel(logging.ERROR)

SRC = Path(__file__).resolve().parents[2] / "src" / "computegrid"


def _sources():
    return {p.relative_to(SRC).as_posix(): p.read_text(encoding="utf-8") for p in SRC.rglob("*.py")}


# -------------------------------------------------------------------- emissions

def test_emissions_are_fuel_burned_times_the_fuel_co2_factor():
    # hand fixture: gas (efficiency 0.5, 0.2 tCO2 per MWh of fuel) covers 10 MW in hours 1 and 3
    n = two_bus()
    status, _ = solve_plain(n, 10_000)
    assert status == "ok"
    gas_output_mwh = 2 * 10.0
    expected_t = gas_output_mwh / 0.5 * 0.2  # 8 t: fuel burned = output / efficiency
    assert R.emissions_t(n) == pytest.approx(expected_t, rel=1e-9)
    assert R.emissions_by_generator_t(n)["A gas"] == pytest.approx(expected_t, rel=1e-9)
    assert R.co2_t_per_mwh_output(n)["A gas"] == pytest.approx(0.4)
    # the intensity signals use the same factor: 0.4 t/MWh = 400 kg/MWh where gas sets the price
    marginal = cr.marginal_intensity_kg_per_mwh(n)
    assert marginal.loc[n.snapshots[1], "A"] == pytest.approx(400.0)
    average = cr.average_intensity_kg_per_mwh(n)
    assert average.loc[n.snapshots[1], "A"] == pytest.approx(400.0)


def test_carbon_price_uses_the_same_co2_per_mwh_of_output():
    from computegrid.grid.coplan import apply_carbon_price

    n = two_bus()
    before = float(n.generators.at["A gas", "marginal_cost"])
    apply_carbon_price(n, 100.0)
    assert n.generators.at["A gas", "marginal_cost"] == pytest.approx(before + 100.0 * 0.2 / 0.5)


# -------------------------------------------------------------------- curtailment and carriers

def test_curtailment_is_one_computation_everywhere():
    from computegrid.grid.adequacy import adequacy_metrics
    from computegrid.grid.signals import signals_from_network

    n = network(3)
    solve_network(n, threads=1)
    per_generator_mwh = float(R.curtailment_mwh(n).sum())
    assert per_generator_mwh > 0
    by_carrier = R.curtailment_by_carrier(n)
    assert by_carrier["curtailed_twh"].sum() * 1e6 == pytest.approx(per_generator_mwh, rel=1e-9)
    # = available - generated, per carrier (the dispatch never exceeds availability)
    assert (by_carrier.available_twh - by_carrier.generated_twh).to_numpy() == pytest.approx(
        by_carrier.curtailed_twh.to_numpy(), abs=1e-9)
    assert adequacy_metrics(n, {}, 1.0)["curtailment_twh"] * 1e6 == pytest.approx(per_generator_mwh, rel=1e-9)
    signals = signals_from_network(n)  # hourly rows; the network is hourly
    assert signals.curtailed_mw.sum() == pytest.approx(per_generator_mwh, rel=1e-9)
    assert R.curtailed_by_bus_mw(n).to_numpy().sum() == pytest.approx(per_generator_mwh, rel=1e-9)


def test_one_carrier_registry():
    assert R.VARIABLE_RENEWABLES is carriers.VRE_CARRIERS
    pattern = re.compile(r"\(\s*\"onwind\",\s*\"offwind\",\s*\"solar\"")
    defined = [name for name, text in _sources().items() if pattern.search(text)]
    assert defined == ["grid/carriers.py"]
    shedding = [name for name, text in _sources().items() if re.search(r"=\s*\"load-shedding\"", text)]
    assert shedding == ["grid/carriers.py"]


# -------------------------------------------------------------------- fleet scaling

def test_one_fleet_scaling_for_planning_and_adequacy():
    from computegrid.grid import adequacy, fleet

    assert adequacy.scale_fleet is fleet.scale_fleet
    n = network(1)
    n.generators.loc["W1 coal", "p_min_pu"] = 0.3
    factors = fleet.scale_fleet(n, {"coal_capacity_gw": 0.3, "wind_capacity_gw": None}, fleet.FLEET_CARRIERS)
    assert factors == {"coal_capacity_gw": pytest.approx(2.0)}
    assert n.generators.loc[["E coal", "W1 coal"], "p_nom"].tolist() == pytest.approx([180.0, 120.0])
    # must-run stays in MW: 0.3 x 60 MW before, 0.15 x 120 MW after
    assert n.generators.at["W1 coal", "p_min_pu"] * 120.0 == pytest.approx(18.0)
    # the same call keyed by carrier (adequacy) scales the same way
    m = network(1)
    m.generators.loc["W1 coal", "p_min_pu"] = 0.3
    assert fleet.scale_fleet(m, {"coal": 0.3}) == {"coal": pytest.approx(2.0)}
    assert m.generators.p_nom.equals(n.generators.p_nom)


def test_fleet_scaling_rejects_a_carrier_the_network_lacks():
    from computegrid.errors import InputError
    from computegrid.grid.fleet import FLEET_CARRIERS, scale_fleet

    with pytest.raises(InputError, match="nuclear_capacity_gw"):
        scale_fleet(network(1), {"nuclear_capacity_gw": 10.0}, FLEET_CARRIERS)


# -------------------------------------------------------------------- load shedding

def test_one_load_shedding_adder():
    from computegrid.grid.coplan import SHEDDING_P_NOM_MW, ensure_load_shedding
    from computegrid.grid.network import add_load_shedding

    n = network(2)
    add_load_shedding(n, 30_000.0)
    shed = n.generators[n.generators.carrier == carriers.LOAD_SHEDDING_CARRIER]
    assert sorted(shed.index) == ["E load-shedding", "W1 load-shedding", "W2 load-shedding"]
    assert shed.at["W1 load-shedding", "p_nom"] == pytest.approx(1.5 * 20.0)
    assert (shed.marginal_cost == 30_000.0).all()
    # the co-planning model adds none where the network has them, and uncapped ones elsewhere
    ensure_load_shedding(n, 10_000.0)
    assert len(n.generators[n.generators.carrier == carriers.LOAD_SHEDDING_CARRIER]) == 3
    m = network(2)
    ensure_load_shedding(m, 10_000.0)
    assert (m.generators.loc[m.generators.carrier == carriers.LOAD_SHEDDING_CARRIER, "p_nom"]
            == SHEDDING_P_NOM_MW).all()
    sources = _sources()
    adders = [name for name, text in sources.items()
              if re.search(r"n\.add\(\s*\"Generator\"[^)]*carrier=(LOAD_SHEDDING_CARRIER|SHED_CARRIER)", text)]
    assert adders == ["grid/network.py"]


# -------------------------------------------------------------------- great-circle distance

def test_one_great_circle_distance():
    from computegrid.facility.latency import EARTH_RADIUS_KM, great_circle_km

    assert [name for name, text in _sources().items() if "6371" in text] == ["facility/latency.py"]
    # a quarter of the equator
    assert great_circle_km(0.0, 0.0, 0.0, 90.0) == pytest.approx(np.pi / 2 * EARTH_RADIUS_KM)
    # the expansion's candidate corridors are measured with it (seat to seat)
    from computegrid.datasets.grid import load_provinces
    from computegrid.grid.capacity_expansion import candidate_corridors

    prov = load_provinces()
    row = candidate_corridors(None).iloc[0]
    a, b = prov.loc[row.bus0], prov.loc[row.bus1]
    assert row.distance_km == pytest.approx(float(great_circle_km(a.latitude_deg, a.longitude_deg,
                                                                  b.latitude_deg, b.longitude_deg)), rel=1e-12)


# -------------------------------------------------------------------- solve entry point

def test_one_optimize_call():
    callers = [name for name, text in _sources().items() if re.search(r"\.optimize\(", text)]
    assert callers == ["grid/solve.py"]


def test_highs_policy():
    assert highs_options() == {"threads": 2, "output_flag": False, "log_to_console": False}
    hipo = highs_options({"solver": "hipo", "optimality_tolerance": 1e-7}, threads=1)
    assert hipo["ipm_optimality_tolerance"] == HIPO_TOLERANCES["ipm_optimality_tolerance"]
    assert hipo["optimality_tolerance"] == 1e-7  # the caller's value wins
    assert hipo["threads"] == 1
    assert highs_options(block_copies=True)["presolve_rule_off"] == SPLIT_PRESOLVE_RULES_OFF
    assert "ipm_optimality_tolerance" not in highs_options({"solver": "simplex"})


def test_limits_become_bounds_before_the_extra_functionality():
    n = network(5)
    seen = []

    def extra(n, snapshots):
        seen.extend(name for name in n.model.constraints if name.startswith("Generator-fix-"))

    n.optimize.create_model()
    model_functionality(extra)(n, n.snapshots)
    assert seen == []


# -------------------------------------------------------------------- no cycle

def test_coplan_results_does_not_import_coplan():
    code = ("import sys; import computegrid.grid.coplan_results; "
            "print('computegrid.grid.coplan' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_dispatch_by_carrier_leaves_out_the_data_centres():
    n = network(6)
    solve_network(n, threads=1)
    dispatch = R.dispatch_by_carrier_mw(n)
    assert set(dispatch.columns) <= set(n.generators.carrier) | set(n.storage_units.carrier)
    total = n.generators_t.p.sum(axis=1)
    assert np.allclose(dispatch.sum(axis=1).to_numpy(), total.to_numpy())
    assert isinstance(R.load_by_bus_mw(n), pd.DataFrame)
    assert pypsa.Network is type(n)
