"""The training floor's binding share (``binding``), on the two-bus system of ``test_plan_coplan_hand``
(wind at B in hours 0 and 2 only; gas at A; a 10 MW corridor full with A's own load in the windy hours).

10 MW of training work (mean IT power) with a floor of half its mean load in every hour runs at B: at
the floor, 5 MW, in the two still hours (fed by gas over the corridor) and 15 MW in the windy ones.
The floor binds in 2 of the 4 site-hours with training: 0.5.
"""

import logging
import types

import pandas as pd
import pytest

from computegrid.demand.ai_load import LoadClass
from computegrid.grid.coplan_solve import solve_coplan
from computegrid.services.plan.explain import BIND_TOL_FRAC, VERTEX_BIND_TOL_FRAC, _floor_binding_frac
from test_plan_coplan_hand import spec_for, two_bus

logging.getLogger("pypsa").setLevel(logging.ERROR)
logging.getLogger("linopy").setLevel(logging.ERROR)

TRAINING = LoadClass("training", 1.0, None, "horizon", 0.5, "flat")


def test_the_training_floor_binds_in_the_still_hours_after_a_simplex_solve():
    res = solve_coplan(two_bus(), spec_for(TRAINING))
    assert res.ok and res.vertex  # the dual simplex: a vertex, judged with the tight tolerance
    load = res.site_load_it_mw.xs("training", level="class")
    assert load.loc["sB"].tolist() == pytest.approx([15.0, 5.0, 15.0, 5.0], abs=1e-6)
    assert _floor_binding_frac(types.SimpleNamespace(classes=(TRAINING,)), res) == pytest.approx(0.5)


def test_an_hour_just_above_the_floor_counts_only_for_an_interior_point_solution():
    """4 MW mean, floor 2 MW: one hour at 2.001 MW (0.05 % above: within BIND_TOL_FRAC, not within the
    vertex tolerance), one at 2 MW exactly."""
    assert VERTEX_BIND_TOL_FRAC < 5e-4 < BIND_TOL_FRAC
    load = pd.DataFrame([[2.0, 2.0 * (1 + 5e-4), 6.0, 6.0 - 2.0 * 5e-4]],
                        index=pd.MultiIndex.from_tuples([("training", "s")], names=["class", "site"]))
    inputs = types.SimpleNamespace(classes=(TRAINING,))
    vertex = _floor_binding_frac(inputs, types.SimpleNamespace(site_load_it_mw=load, vertex=True))
    interior = _floor_binding_frac(inputs, types.SimpleNamespace(site_load_it_mw=load, vertex=False))
    assert vertex == pytest.approx(1 / 4) and interior == pytest.approx(2 / 4)
