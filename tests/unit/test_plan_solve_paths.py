"""The faster solve paths of `computegrid plan` give the same optimum as the plain formulation.

* PyPSA's limit rows turned into variable bounds (``limits_as_bounds``);
* a baseline solved as fixed draws (``solve_fixed``), cold and warm-started from the reference's
  basis, against the full co-planning model with the same fixed shares (``solve_coplan``);
* how the cases are shared among worker processes and which solver each gets.
"""

import dataclasses
import logging

import numpy as np
import pandas as pd
import pytest

from computegrid.grid.coplan import CoplanSpec, ensure_load_shedding
from computegrid.grid.coplan_solve import add_site_draws, solve_coplan, solve_fixed, solve_plain
from computegrid.grid.solve import limits_as_bounds, solve_network
from computegrid.services.plan import solving as plan_service
from computegrid.services.plan.inputs import PlanInputs, _spec
from computegrid.services.plan.solving import solver_options_for, split_cases
from computegrid.services.plan.scenario import load_scenario
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


def _profile_spec(inputs, baseline, n):
    """The baseline's placement with every class on its profile (no valley filling), which the full
    co-planning model can express with fixed shares."""
    return dataclasses.replace(_spec(inputs, baseline, n), valley_fill=())


@pytest.mark.parametrize("baseline", ["status-quo", "west-static"])
def test_fixed_draw_baseline_equals_the_full_model_with_fixed_shares(baseline, tmp_path):
    inputs = _inputs()
    full_net = network(11)
    full = solve_coplan(full_net, _profile_spec(inputs, baseline, full_net))
    cold_net = network(11)
    cold = solve_fixed(cold_net, _profile_spec(inputs, baseline, cold_net))
    # reference with zero draws writes a basis, the baseline starts from it
    ref = network(11)
    basis = tmp_path / "ref.bas"
    status, _ = solve_plain(ref, 30_000.0, spec=_spec(inputs, "co-optimised", ref), basis_out=basis)
    assert status == "ok" and basis.exists()
    warm_net = network(11)
    warm = solve_fixed(warm_net, _profile_spec(inputs, baseline, warm_net), basis_in=basis)
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
    # without warm starts (interior point) every case is a task of its own, the longest first
    assert split_cases(cases, 2, chained=False) == [("co-optimised",), ("no-ai",), ("status-quo",),
                                                     ("west-static",)]


def test_solver_choice(monkeypatch):
    monkeypatch.setattr(plan_service, "hipo_available", lambda: True)
    assert solver_options_for("co-optimised", 8760)["solver"] == "hipo"
    assert "solver" not in solver_options_for("co-optimised", 288)
    assert "solver" not in solver_options_for("status-quo", 2920)
    assert solver_options_for("status-quo", 8760)["solver"] == "hipo"
    assert solver_options_for("no-ai", 8760)["solver"] == "hipo"
    assert solver_options_for("co-optimised", 8760, user={"solver": "simplex"})["solver"] == "simplex"
    # with expand every case solves the capacity expansion: HiPO from 100 snapshots (rep12 has 288)
    for case in ("no-ai", "status-quo", "grid-responsive", "co-optimised"):
        assert solver_options_for(case, 288, expand=True)["solver"] == "hipo"
        assert "solver" not in solver_options_for(case, 48, expand=True)
    # every HiPO solve gets the plan's tolerances, a user's own win; the simplex keeps HiGHS' defaults
    from computegrid.grid.solve import HIPO_TOLERANCES

    assert solver_options_for("status-quo", 288, user={"solver": "hipo"})["ipm_optimality_tolerance"] == \
        HIPO_TOLERANCES["ipm_optimality_tolerance"]
    assert solver_options_for("no-ai", 8760, user={"ipm_optimality_tolerance": 1e-8})["ipm_optimality_tolerance"] == 1e-8
    assert "ipm_optimality_tolerance" not in solver_options_for("co-optimised", 8760, user={"solver": "simplex"})
    # HiPO's Newton system and ordering fixed as for the expansion (normal equations, METIS); a user's own win
    hipo = solver_options_for("no-ai", 8760)
    assert (hipo["hipo_system"], hipo["hipo_ordering"]) == ("normaleq", "metis")
    assert solver_options_for("no-ai", 8760, user={"hipo_system": "augmented"})["hipo_system"] == "augmented"
    assert "hipo_system" not in solver_options_for("co-optimised", 8760, user={"solver": "simplex"})
    monkeypatch.setattr(plan_service, "hipo_available", lambda: False)
    assert "solver" not in solver_options_for("co-optimised", 8760)


def test_inputs_dataclass_is_picklable_for_workers():
    import pickle

    inputs = _inputs()
    again = pickle.loads(pickle.dumps(inputs))
    assert again.config == inputs.config
    assert again.demand_mw.equals(inputs.demand_mw) and again.sites.equals(inputs.sites)


def _coplan_model(split: bool, seed=7, **kw):
    """The co-planning linopy model of the small system (built, not solved)."""
    from computegrid.demand.ai_load import class_profile_frac
    from computegrid.grid.coplan import build_pairs, define_site_consumers, make_extra_functionality
    from computegrid.grid.solve import model_functionality

    cls = classes(**kw)
    spec = CoplanSpec(sites=SITES, classes=cls, demand_mw=demand(50.0, cls), rtt_ms=RTT, voll_cny_per_mwh=30_000.0)
    n = network(seed)
    ensure_load_shedding(n, spec.voll_cny_per_mwh)
    names = define_site_consumers(n, spec)
    profiles = {c.name: class_profile_frac(c, n.snapshots, 1.0) for c in spec.classes}
    m = n.optimize.create_model()
    ef = make_extra_functionality(spec, build_pairs(spec), names, profiles, split=split)
    model_functionality(ef)(n, n.snapshots)  # as the solve builds it
    return m


def test_block_copies_shorten_the_dense_columns():
    from computegrid.grid.block_copies import day_blocks

    before = _coplan_model(False, training_window="day")
    after = _coplan_model(True, training_window="day")
    entries = [np.diff(m.matrices.A.tocsc().indptr).max() for m in (before, after)]
    # the capacity and mean columns touch every one of the 48 hours before; a day's copy only its 24
    assert entries[0] >= 48
    assert entries[1] <= 24 + 3
    assert day_blocks(pd.date_range("2030-01-01 22:00", periods=4, freq="h")).tolist() == [0, 0, 1, 1]
    assert "split-Generator-p_nom-chain" in after.constraints
    # every copy keeps its variable's lower bound: no free columns (HiPO stagnated with them)
    for name in ("split-Generator-p_nom", "split-AI-mean-online", "split-AI-mean-training"):
        lower = after.variables[name].lower
        assert np.isfinite(lower).all() and (lower >= 0).all(), name


#: HiGHS' own (tight) tolerances, in place of the plan's HIPO_TOLERANCES, to compare optima exactly
TIGHT = {"ipm_optimality_tolerance": 1e-8, "optimality_tolerance": 1e-7, "dual_feasibility_tolerance": 1e-7}


def test_hipo_with_the_plan_tolerances_reports_its_gap():
    from computegrid.grid.solve import HIPO_TOLERANCES

    spec = CoplanSpec(sites=SITES, classes=classes(), demand_mw=demand(50.0, classes()), rtt_ms=RTT)
    plain = solve_coplan(network(7), spec)
    hipo = solve_coplan(network(7), spec, solver_options={"solver": "hipo", "run_crossover": "off"})
    assert plain.ok and hipo.ok
    assert 0.0 <= plain.rel_gap < 1e-9  # a simplex vertex
    assert 0.0 <= hipo.rel_gap <= HIPO_TOLERANCES["ipm_optimality_tolerance"]
    assert hipo.objective_cny == pytest.approx(plain.objective_cny, rel=2 * HIPO_TOLERANCES["optimality_tolerance"])


@pytest.mark.parametrize("training_window", ["day", "horizon"])
def test_block_copies_keep_the_optimum(training_window):
    # the simplex solves the plain model; HiPO (interior point) the one with daily copies
    plain = solve_coplan(network(7), CoplanSpec(sites=SITES, classes=classes(training_window=training_window),
                                                demand_mw=demand(50.0, classes()), rtt_ms=RTT))
    split = solve_coplan(network(7), CoplanSpec(sites=SITES, classes=classes(training_window=training_window),
                                                demand_mw=demand(50.0, classes()), rtt_ms=RTT),
                         solver_options={"solver": "hipo", "run_crossover": "off", **TIGHT})
    assert plain.ok and split.ok
    assert split.objective_cny == pytest.approx(plain.objective_cny, rel=1e-6)
    assert (split.capacity_it_mw - plain.capacity_it_mw).abs().max() < 1e-3 * plain.capacity_it_mw.max()
    energy = [r.site_load_it_mw.sum(axis=1).groupby(level="class").sum() for r in (plain, split)]
    assert (energy[1] - energy[0]).abs().max() < 1e-3 * energy[0].max()


PARENT = """
import multiprocessing, os, time
from concurrent.futures import ProcessPoolExecutor
from computegrid.services.plan.solving import _end_with_parent

def pid():
    return os.getpid()

if __name__ == "__main__":
    pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_end_with_parent)
    print(pool.submit(pid).result(), flush=True)
    pool.submit(time.sleep, 120)
    time.sleep(1)
    os._exit(0)  # the parent dies without shutting the pool down
"""


@pytest.mark.skipif(not __import__("sys").platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux only")
def test_worker_ends_with_its_parent(tmp_path):
    import os
    import subprocess
    import sys
    import time

    script = tmp_path / "parent.py"
    script.write_text(PARENT)
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60,
                         env={**os.environ, "PYTHONWARNINGS": "ignore"})
    child = int(out.stdout.split()[0])
    for _ in range(50):  # the worker was busy for 120 s; it must be gone within a few seconds
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        os.kill(child, 9)
        pytest.fail("the worker outlived its parent")
