"""The faster solve paths of `computegrid plan` give the same optimum as the plain formulation.

* PyPSA's limit rows turned into variable bounds (``limits_as_bounds``);
* a baseline solved as fixed draws (``solve_fixed``), cold and warm-started from the reference's
  basis, against the full co-planning model with the same fixed shares (``solve_coplan``);
* how the cases are shared among worker processes and which solver each gets.
"""

import logging

import numpy as np
import pandas as pd
import pytest

from computegrid.grid.coplan import (CoplanSpec, add_site_draws, ensure_load_shedding, solve_coplan, solve_fixed,
                                     solve_plain)
from computegrid.grid.solve import limits_as_bounds, solve_network
from computegrid.services import plan as plan_service
from computegrid.services.plan import PlanInputs, _spec, solver_options_for, split_cases
from computegrid.services.scenario import load_scenario
from test_plan_coplan_properties import RTT, SITES, classes, demand, network

logging.getLogger("pypsa").setLevel(logging.ERROR)
logging.getLogger("linopy").setLevel(logging.ERROR)


def test_limits_as_bounds_keeps_the_optimum_and_drops_the_rows():
    a, b = network(3), network(3)
    # solve_network chains limits_as_bounds itself; compare with PyPSA's own solve that keeps the rows
    plain = solve_network(a, load_shedding=True, voll_cny_per_mwh=30_000.0)
    ensure_load_shedding(b, 30_000.0)
    status, _ = b.optimize(solver_name="highs", progress=False, include_objective_constant=False,
                           output_flag=False)
    assert status == "ok"
    assert plain.objective_cny == pytest.approx(float(b.objective), rel=1e-9)
    # and the helper itself: every Generator/StorageUnit "fix" row becomes a bound
    c = network(3)
    ensure_load_shedding(c, 30_000.0)
    m = c.optimize.create_model()
    rows = limits_as_bounds(c)
    assert rows > 0
    assert not [name for name in m.constraints if name.startswith("Generator-fix-")]
    assert [name for name in m.constraints if name.startswith("Link-fix-")]  # corridor duals kept


def _inputs(seed_demand_mw=60.0):
    cls = classes(online_ms=20.0)
    config = load_scenario(None)
    config = config.model_copy(update={"expand": False})
    return PlanInputs(config=config, classes=cls, sites=SITES, rtt_ms=RTT, demand_mw=demand(seed_demand_mw, cls))


@pytest.mark.parametrize("baseline", ["status-quo", "west-static"])
def test_fixed_draw_baseline_equals_the_full_model_with_fixed_shares(baseline, tmp_path):
    inputs = _inputs()
    full_net = network(11)
    full = solve_coplan(full_net, _spec(inputs, baseline, full_net))
    cold_net = network(11)
    cold = solve_fixed(cold_net, _spec(inputs, baseline, cold_net))
    # reference with zero draws writes a basis, the baseline starts from it
    ref = network(11)
    basis = tmp_path / "ref.bas"
    status, _ = solve_plain(ref, 30_000.0, spec=_spec(inputs, "co-optimised", ref), basis_out=basis)
    assert status == "ok" and basis.exists()
    warm_net = network(11)
    warm = solve_fixed(warm_net, _spec(inputs, baseline, warm_net), basis_in=basis)
    assert full.ok and cold.ok and warm.ok
    assert cold.objective_cny == pytest.approx(full.objective_cny, rel=1e-7)
    assert warm.objective_cny == pytest.approx(full.objective_cny, rel=1e-7)
    assert (cold.capacity_it_mw - full.capacity_it_mw).abs().max() < 1e-6
    assert (cold.site_load_it_mw - full.site_load_it_mw.reindex_like(cold.site_load_it_mw)).abs().max().max() < 1e-6


def test_zero_site_draws_do_not_change_the_reference():
    inputs = _inputs()
    a, b = network(5), network(5)
    solve_plain(a, 30_000.0)
    solve_plain(b, 30_000.0, spec=_spec(inputs, "co-optimised", b))
    assert float(a.objective) == pytest.approx(float(b.objective), rel=1e-9)
    assert len(b.generators) == len(a.generators) + len(SITES)


def test_add_site_draws_fixes_dispatch_to_minus_the_draw():
    n = network(2)
    spec = CoplanSpec(sites=SITES, classes=classes(online_ms=20.0), demand_mw=demand(10.0, classes(online_ms=20.0)),
                      rtt_ms=RTT)
    draw = pd.DataFrame(5.0, index=n.snapshots, columns=SITES.index)
    draw.iloc[:10, 0] = 12.0
    add_site_draws(n, spec, draw)
    solve_plain(n, 30_000.0)
    p = n.generators_t.p[["dc " + s for s in SITES.index]]
    assert np.abs(p.to_numpy() + draw.to_numpy()).max() < 1e-6


def test_cases_are_shared_with_the_co_optimised_solve_alone():
    cases = ("no-ai", "status-quo", "west-static", "co-optimised")
    assert split_cases(cases, 2) == [("co-optimised",), ("no-ai", "status-quo", "west-static")]
    assert split_cases(cases, 1) == [("co-optimised", "no-ai", "status-quo", "west-static")]
    groups = split_cases(cases, 3)
    assert sorted(sum(groups, ())) == sorted(cases)
    # the reference comes before the baselines in its group (it writes the basis they start from)
    light = next(g for g in groups if "no-ai" in g)
    assert light.index("no-ai") == 0


def test_solver_choice(monkeypatch):
    monkeypatch.setattr(plan_service, "hipo_available", lambda: True)
    assert solver_options_for("co-optimised", 8760)["solver"] == "hipo"
    assert "solver" not in solver_options_for("co-optimised", 288)
    assert "solver" not in solver_options_for("status-quo", 8760)
    assert solver_options_for("co-optimised", 8760, user={"solver": "simplex"})["solver"] == "simplex"
    monkeypatch.setattr(plan_service, "hipo_available", lambda: False)
    assert "solver" not in solver_options_for("co-optimised", 8760)


def test_inputs_dataclass_is_picklable_for_workers():
    import pickle

    inputs = _inputs()
    again = pickle.loads(pickle.dumps(inputs))
    assert again.config == inputs.config
    assert again.demand_mw.equals(inputs.demand_mw) and again.sites.equals(inputs.sites)
