"""The coal must-run split by holder (condensing, heat-led CHP, captive) and the 2030 lowering of the
condensing part only (issue 14: scale_coal_minimum scaled captive and CHP minimums too)."""

from dataclasses import replace

import numpy as np
import pandas as pd
import pypsa
import pytest

from computegrid.grid.capacity_expansion import scale_coal_minimum
from computegrid.grid.inputs import coal_must_run_parts_pu, hourly_inputs
from computegrid.grid.parameters import DEFAULT_PARAMETERS, base_year_parameters

#: One heating-season and one summer snapshot.
SNAPS = pd.DatetimeIndex(["2020-01-15 12:00", "2020-07-15 12:00"])
PARAMS = replace(DEFAULT_PARAMETERS, coal_min_pu=0.4, chp_winter_min_pu=0.75, captive_coal_min_pu=0.6)


def _cap(province: str = "BJ") -> pd.DataFrame:
    """100 MW of coal, 30 MW of it CHP, 20 MW captive."""
    return pd.DataFrame({"coal": [100.0], "coal_chp": [30.0], "coal_captive": [20.0]}, index=[province])


def test_parts_worked_by_hand():
    # captive share f = 0.2. Heating season in a heating province: condensing 0.8 x 0.4 x 0.7 = 0.224,
    # CHP 0.8 x 0.3 x 0.75 = 0.18, captive 0.2 x 0.6 = 0.12. Summer: condensing 0.8 x 0.4 = 0.32, CHP 0.
    parts = coal_must_run_parts_pu(_cap(), SNAPS, PARAMS)
    assert parts["condensing"]["BJ coal"].tolist() == pytest.approx([0.224, 0.32])
    assert parts["chp"]["BJ coal"].tolist() == pytest.approx([0.18, 0.0])
    assert parts["captive"]["BJ coal"].tolist() == pytest.approx([0.12, 0.12])


def test_southern_chp_counts_as_condensing():
    # Guangdong has no central heating: its CHP units sit at the fleet minimum like condensing units
    parts = coal_must_run_parts_pu(_cap("GD"), SNAPS, PARAMS)
    assert parts["chp"]["GD coal"].tolist() == pytest.approx([0.0, 0.0])
    assert parts["condensing"]["GD coal"].tolist() == pytest.approx([0.32, 0.32])


def test_parts_sum_to_the_models_must_run_where_uncapped():
    params = base_year_parameters(2024)
    inputs = hourly_inputs(2024, params, base_year=2024)
    parts = coal_must_run_parts_pu(inputs.capacity_mw, inputs.p_min_pu.index, params)
    total = parts["condensing"] + parts["chp"] + parts["captive"]
    model = inputs.p_min_pu[total.columns]
    assert (model.to_numpy() <= total.to_numpy() + 1e-9).all()  # the demand cap only lowers it
    uncapped = model.to_numpy() > total.to_numpy() - 1e-9
    assert uncapped.mean() > 0.5  # the comparison below is not vacuous
    np.testing.assert_allclose(model.to_numpy()[uncapped], total.to_numpy()[uncapped], rtol=1e-9)


def _network(p_min_pu: list[float]) -> pypsa.Network:
    n = pypsa.Network()
    n.set_snapshots(SNAPS)
    n.add("Bus", "BJ")
    n.add("Generator", "BJ coal", bus="BJ", carrier="coal", p_nom=100.0,
          p_min_pu=pd.Series(p_min_pu, index=SNAPS))
    return n


def test_scale_lowers_only_the_condensing_part():
    # uncapped minimum 0.524 (winter) and 0.44 (summer); at scale 0.5 the condensing part halves:
    # 0.112 + 0.18 + 0.12 = 0.412 and 0.16 + 0.12 = 0.28 (scaling everything gave 0.262 and 0.22)
    n = _network([0.524, 0.44])
    scale_coal_minimum(n, 0.5, coal_must_run_parts_pu(_cap(), n.snapshots, PARAMS))
    assert n.generators_t.p_min_pu["BJ coal"].tolist() == pytest.approx([0.412, 0.28])


def test_scale_keeps_the_demand_cap():
    # a minimum already cut by the demand cap (0.3 and 0.2) is never raised
    n = _network([0.3, 0.2])
    scale_coal_minimum(n, 0.5, coal_must_run_parts_pu(_cap(), n.snapshots, PARAMS))
    assert n.generators_t.p_min_pu["BJ coal"].tolist() == pytest.approx([0.3, 0.2])


def test_scale_without_parts_scales_everything():
    n = _network([0.524, 0.44])
    scale_coal_minimum(n, 0.5)
    assert n.generators_t.p_min_pu["BJ coal"].tolist() == pytest.approx([0.262, 0.22])
