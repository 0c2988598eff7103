"""Near-optimal capacity ranges: two identical sites on one bus can share the work in any split at
the same cost, so each one's range at equal cost is 0 to the whole capacity (worked out by hand on
the two-bus system of ``test_plan_coplan_hand``: 10 MW of flexible work runs in the two wind hours
at 20 MW)."""

import logging

import pandas as pd
import pytest

from computegrid.demand.ai_load import LoadClass
from computegrid.grid.coplan import CoplanSpec
from computegrid.grid.coplan_ranges import RANGE_TOL_FRAC, TIE_TOL_FRAC
from computegrid.grid.coplan_solve import solve_coplan
from test_plan_coplan_hand import two_bus

logging.getLogger("pypsa").setLevel(logging.ERROR)
logging.getLogger("linopy").setLevel(logging.ERROR)


def _two_site_spec() -> CoplanSpec:
    """Two identical sites at B (100 MW caps) serving 10 MW of training work from anywhere."""
    sites = pd.DataFrame({"bus": ["B", "B"], "pue": [1.0, 1.0], "capacity_max_mw": [100.0, 100.0],
                          "capex_cny_per_mw_per_year": [8760.0, 8760.0]}, index=pd.Index(["s1", "s2"], name="site"))
    rtt = pd.DataFrame({"s1": [1.0], "s2": [1.0]}, index=pd.Index(["oA"], name="province"))
    cls = LoadClass("training", 1.0, None, "horizon", 0.0, "flat")
    return CoplanSpec(sites=sites, classes=(cls,), rtt_ms=rtt, voll_cny_per_mwh=10_000,
                      demand_mw=pd.DataFrame({"oA": [10.0]}, index=pd.Index(["training"], name="class")))


def test_identical_sites_have_the_full_range_at_equal_cost():
    spec = _two_site_spec()
    res = solve_coplan(two_bus(), spec)
    assert res.ok
    assert res.capacity_it_mw.sum() == pytest.approx(20.0, abs=1e-6)
    r = res.capacity_range_it_mw
    for s in spec.sites.index:
        assert r.loc[s, f"min_mw_{TIE_TOL_FRAC:g}"] == pytest.approx(0.0, abs=1e-6)
        assert r.loc[s, f"max_mw_{TIE_TOL_FRAC:g}"] == pytest.approx(20.0, abs=1e-3)
        # the wider band contains the tie band and the optimum
        assert r.loc[s, f"min_mw_{RANGE_TOL_FRAC:g}"] <= res.capacity_it_mw[s] + 1e-6
        assert r.loc[s, f"max_mw_{RANGE_TOL_FRAC:g}"] >= r.loc[s, f"max_mw_{TIE_TOL_FRAC:g}"] - 1e-6


def _one_site_spec() -> CoplanSpec:
    """One site at B serving 10 MW of training work from anywhere."""
    sites = pd.DataFrame({"bus": ["B"], "pue": [1.0], "capacity_max_mw": [100.0],
                          "capex_cny_per_mw_per_year": [8760.0]}, index=pd.Index(["s1"], name="site"))
    rtt = pd.DataFrame({"s1": [1.0]}, index=pd.Index(["oA"], name="province"))
    cls = LoadClass("training", 1.0, None, "horizon", 0.0, "flat")
    return CoplanSpec(sites=sites, classes=(cls,), rtt_ms=rtt, voll_cny_per_mwh=10_000,
                      demand_mw=pd.DataFrame({"oA": [10.0]}, index=pd.Index(["training"], name="class")))


def test_a_unique_optimum_has_a_point_range_at_equal_cost():
    """One site at B: its capacity is 20 MW in every optimal plan; within 0.1 % of the cost (the
    objective is 1,000 + 80 = 1,080, so 1.08 CNY) it may grow by 1.08 / 4 = 0.27 MW."""
    spec = _one_site_spec()
    res = solve_coplan(two_bus(), spec)
    assert res.objective_cny == pytest.approx(1080.0, rel=1e-9)
    r = res.capacity_range_it_mw.loc["s1"]
    assert r[f"min_mw_{TIE_TOL_FRAC:g}"] == pytest.approx(20.0, abs=1e-3)
    assert r[f"max_mw_{TIE_TOL_FRAC:g}"] == pytest.approx(20.0, abs=1e-3)
    assert r[f"max_mw_{RANGE_TOL_FRAC:g}"] == pytest.approx(20.0 + 1.08 / 4.0, abs=1e-6)


def test_ranges_survive_an_earlier_solve_with_another_thread_count():
    """HiGHS sizes one thread pool per process; a one-thread solve before the plan's two-thread
    range re-solves made them end at once with status "not set" (NaN ranges) until every run
    reset it (computegrid.grid.solve.reset_highs_threads)."""
    from computegrid.grid.solve import solve_network

    solve_network(two_bus(), threads=1, load_shedding=False)
    spec = _one_site_spec()
    r = solve_coplan(two_bus(), spec).capacity_range_it_mw.loc["s1"]
    assert r[f"min_mw_{TIE_TOL_FRAC:g}"] == pytest.approx(20.0, abs=1e-3)


def test_a_zero_time_budget_computes_no_ranges():
    """``degeneracy_time_budget_s: 0`` (``range_time_budget_s``) skips the re-solves; the plan stands."""
    import dataclasses

    spec = dataclasses.replace(_one_site_spec(), range_time_budget_s=0.0)
    res = solve_coplan(two_bus(), spec)
    assert res.ok and res.capacity_it_mw["s1"] == pytest.approx(20.0, abs=1e-6)
    assert res.capacity_range_it_mw.empty


def test_the_scenario_budget_reaches_the_spec_and_bad_budgets_are_refused():
    from computegrid.errors import InputError
    from computegrid.services.plan.scenario import load_scenario

    assert load_scenario(overrides=["degeneracy_time_budget_s=120"]).degeneracy_time_budget_s == 120.0
    for bad in ("-1", "inf", "nan", "x"):
        with pytest.raises(InputError, match="degeneracy_time_budget_s"):
            load_scenario(overrides=[f"degeneracy_time_budget_s={bad}"])


def test_the_report_shows_a_range_with_one_end_not_finished():
    """The default plan's Chongqing case: the bound checks settle the upper end at its cap and the
    0.1 % band; the exact lower end at nearly the same cost may not finish in the budget. The extra cost
    at each bound is reported (relative 5.4e-8 of 2.9e12 CNY/yr = 0.16 M CNY/yr at the cap)."""
    import types

    import numpy as np

    from computegrid.services.plan.explain import degeneracy

    tie, band = f"{TIE_TOL_FRAC:g}", f"{RANGE_TOL_FRAC:g}"
    r = pd.DataFrame({f"min_mw_{tie}": [np.nan], f"max_mw_{tie}": [2000.0],
                      f"min_mw_{band}": [0.0], f"max_mw_{band}": [2000.0],
                      "cost_at_lower_frac": [5.34e-5], "cost_at_cap_frac": [5.4e-8]}, index=pd.Index(["chongqing"]))
    res = types.SimpleNamespace(capacity_range_it_mw=r, capacity_it_mw=pd.Series({"chongqing": 1981.7}))
    out = degeneracy(res, 2.9e12, 2e-14)
    text = " ".join(out["text"])
    assert "nearly the same cost (within 1e-06 of the optimum, 2.9 M CNY/yr" in text
    assert "chongqing (not finished) to 2,000 MW (chosen 1,982)" in text
    assert "Range ends not found" in text and "chongqing 0 to 2,000 MW" in text
    assert "at its cap +0.16 M CNY/yr" in text and "at 0 MW +154.86 M CNY/yr" in text
    site = out["sites"]["chongqing"]
    assert site["min_mw_same_cost"] is None and site["max_mw_same_cost"] == 2000.0
    assert site["extra_cost_at_cap_cny_per_year"] == pytest.approx(5.4e-8 * 2.9e12)


def test_a_range_wider_than_the_material_width_is_reported_even_if_both_ends_are_near_the_optimum():
    """992 to 1,008 MW around 1,000 MW is 16 MW wide (> 10 MW): reported, not called unique."""
    import types

    from computegrid.services.plan.explain import degeneracy

    tie, band = f"{TIE_TOL_FRAC:g}", f"{RANGE_TOL_FRAC:g}"
    r = pd.DataFrame({f"min_mw_{tie}": [992.0], f"max_mw_{tie}": [1008.0],
                      f"min_mw_{band}": [900.0], f"max_mw_{band}": [1100.0]}, index=pd.Index(["s"]))
    res = types.SimpleNamespace(capacity_range_it_mw=r, capacity_it_mw=pd.Series({"s": 1000.0}))
    text = " ".join(degeneracy(res, 1e9, None)["text"])
    assert "s 992 to 1,008 MW (chosen 1,000)" in text and "unique" not in text


def test_bound_ends_agree_with_exact_extremes_on_the_hand_case(monkeypatch):
    """Two identical sites: the ranges with the bound checks (the lower ends settle at the columns' lower
    bound, 0) equal the ranges from the exact extremes alone (every bound check made to fail), and both
    are the hand-worked 0 to 20 MW at equal cost (the cap, 100 MW, is not reachable at equal cost)."""
    from computegrid.grid import coplan_ranges

    spec = _two_site_spec()
    with_bounds = solve_coplan(two_bus(), spec).capacity_range_it_mw
    assert (with_bounds["cost_at_lower_frac"] <= TIE_TOL_FRAC).all()  # the bound check settled the lower end
    monkeypatch.setattr(coplan_ranges, "_cost_at_bound", lambda *a, **k: float("inf"))
    exact = solve_coplan(two_bus(), spec).capacity_range_it_mw
    assert exact["cost_at_lower_frac"].tolist() == [float("inf")] * 2  # nothing settled by a bound
    cols = [f"{k}_mw_{t:g}" for t in (TIE_TOL_FRAC, RANGE_TOL_FRAC) for k in ("min", "max")]
    assert with_bounds[cols].to_numpy() == pytest.approx(exact[cols].to_numpy(), abs=1e-6)
    assert with_bounds[f"min_mw_{TIE_TOL_FRAC:g}"].tolist() == pytest.approx([0.0, 0.0], abs=1e-9)
    assert with_bounds[f"max_mw_{TIE_TOL_FRAC:g}"].tolist() == pytest.approx([20.0, 20.0], abs=1e-3)
