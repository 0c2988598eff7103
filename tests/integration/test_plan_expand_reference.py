"""``plan --expand`` on the real China data at one representative day: its no-AI reference is the
expansion `computegrid grid build` solves (same candidates, costs, policy constraints and committed
changes), so it reproduces that optimum within the solvers' tolerance."""

import logging

import pytest

from computegrid.grid.coplan_results import capacity_built_mw
from computegrid.services.grid_model.grid_expansion import expanded_network
from computegrid.services.plan.inputs import prepare
from computegrid.services.plan.scenario import load_scenario
from computegrid.services.plan.solving import expansion_base, prepare_base, solve_case

logging.getLogger("pypsa").setLevel(logging.ERROR)
logging.getLogger("linopy").setLevel(logging.ERROR)


def test_no_ai_reference_of_expand_reproduces_grid_build():
    built = expanded_network(2030, "rep1", use_cache=False).network  # HiPO, relative gap <= 1e-4
    inputs = prepare(load_scenario(None, ["expand=true"]))
    base = expansion_base(2030, "rep1")
    prepare_base(inputs, base)
    n, _ = solve_case(inputs, base, "no-ai")  # dual simplex below 100 snapshots
    assert float(n.objective) == pytest.approx(float(built.objective), rel=2e-4)
    new = capacity_built_mw(n)
    assert new["generation"] and new["storage"]
    # national capacity built by carrier, against `grid build`'s (its new components, fixed there)
    for comp, df in (("generation", built.generators), ("storage", built.storage_units)):
        ref = df[df.index.str.endswith(" new")].groupby("carrier").p_nom.sum()
        for carrier, mw in new[comp].items():
            assert mw == pytest.approx(float(ref.get(carrier, 0.0)), rel=0.02, abs=500.0), (comp, carrier)
