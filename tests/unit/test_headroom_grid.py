"""The grid method's LP on a two-bus system whose headroom is worked out by hand."""

import pandas as pd
import pytest

from computegrid.grid.headroom import HeadroomModel


def two_bus(storage_mw: float = 0.0) -> "pypsa.Network":  # noqa: F821
    """Bus A: coal 150 MW, load 100/130/100/130 MW; bus B: gas 50 MW, no load; link A-B 20 MW; four
    snapshots of 1 h. Optional storage at A: ``storage_mw`` MW, 10 h, lossless, cyclic.

    Spare power deliverable to A: 150 - D_t + min(50, 20) = 70, 40, 70, 40 MW. For 40 < dL < 70 the new
    load at A loses dL - 40 in half the hours, so the rate is (dL - 40) / (2 dL) and the headroom at
    limit f is 40 / (1 - 2 f); above 70 it loses both, rate (dL - 55) / dL, headroom 55 / (1 - f).
    At B the spare is 50 + 20 = 70 MW in every hour: headroom 70 / (1 - f).
    With 10 MW of storage at A, charging 10 MW in the light hours (spare 70 >= dL + 10) and discharging
    in the heavy ones lifts the heavy-hour spare to 50: headroom 50 / (1 - 2 f) while dL + 10 <= 70.
    """
    import pypsa

    n = pypsa.Network()
    n.set_snapshots(pd.date_range("2020-07-01", periods=4, freq="h"))
    n.add("Carrier", ["coal", "gas", "AC", "PHS"])
    n.add("Bus", ["A", "B"])
    n.add("Load", "A", bus="A", p_set=pd.Series([100.0, 130.0, 100.0, 130.0], index=n.snapshots))
    n.add("Generator", "A coal", bus="A", carrier="coal", p_nom=150.0, marginal_cost=200.0)
    n.add("Generator", "B gas", bus="B", carrier="gas", p_nom=50.0, marginal_cost=500.0)
    n.add("Link", "A-B", bus0="A", bus1="B", p_nom=20.0, p_min_pu=-1.0, carrier="AC")
    if storage_mw:
        n.add("StorageUnit", "A PHS", bus="A", carrier="PHS", p_nom=storage_mw, max_hours=10.0,
              efficiency_store=1.0, efficiency_dispatch=1.0, cyclic_state_of_charge=True)
    return n


@pytest.mark.parametrize("limit, expected", [(0.01, 40 / 0.98), (0.05, 40 / 0.9), (0.25, 55 / 0.75)])
def test_headroom_at_a_by_hand(limit, expected):
    model = HeadroomModel(two_bus())
    res = model.solve("A", limit)
    assert res.headroom_mw == pytest.approx(expected, rel=1e-6)
    curtailed = (res.headroom_mw - res.served_mw).clip(min=0.0)
    assert curtailed.sum() == pytest.approx(limit * 4 * res.headroom_mw, rel=1e-6)  # the cap binds


def test_headroom_at_b_and_warm_resolves():
    model = HeadroomModel(two_bus())
    assert model.solve("B", 0.01).headroom_mw == pytest.approx(70 / 0.99, rel=1e-6)
    # solving A after B (other province's column back to 0) gives A's own answer again
    assert model.solve("A", 0.01).headroom_mw == pytest.approx(40 / 0.98, rel=1e-6)
    assert model.solve("B", 0.05).headroom_mw == pytest.approx(70 / 0.95, rel=1e-6)


def test_storage_shifts_energy_into_the_tight_hours():
    without = HeadroomModel(two_bus()).solve("A", 0.01).headroom_mw
    with_storage = HeadroomModel(two_bus(storage_mw=10.0)).solve("A", 0.01).headroom_mw
    assert with_storage == pytest.approx(50 / 0.98, rel=1e-6)
    assert with_storage > without


def test_nothing_reaches_stdout():
    """``headroom --method grid --json`` prints one JSON object: the solver must stay silent. Run in a
    child process, whose stdout is a real file descriptor (HiGHS writes its banner to fd 1)."""
    import subprocess
    import sys
    from pathlib import Path

    code = ("import sys; sys.path.insert(0, %r); from test_headroom_grid import two_bus; "
            "from computegrid.grid.headroom import HeadroomModel; HeadroomModel(two_bus()).solve('A', 0.01)"
            % str(Path(__file__).parent))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""


def test_operating_rules_enter_the_lp():
    """The rules of a base year (here a daily flat schedule on the link) constrain the headroom LP.

    Bus B: gas 30 MW, load 0/20/0/20 MW, so B can export 30/10/30/10 MW. Without the rule A imports
    20/10/20/10 and its spare is 70/30/70/30 MW: above 70 MW the new load loses (dL - 30) + (dL - 70) in
    each pair of hours, rate (dL - 50) / dL, headroom 50 / (1 - f). With the flow constant over the day
    the import is at most 10 MW: spare 60/30/60/30, rate (dL - 45) / dL, headroom 45 / (1 - f).
    """
    from computegrid.grid.operations import daily_flat_schedules

    def net():
        n = two_bus()
        n.generators.loc["B gas", "p_nom"] = 30.0
        n.add("Load", "B", bus="B", p_set=pd.Series([0.0, 20.0, 0.0, 20.0], index=n.snapshots))
        return n

    free = HeadroomModel(net()).solve("A", 0.4).headroom_mw
    flat = HeadroomModel(net(), rules=daily_flat_schedules(["A-B"])).solve("A", 0.4).headroom_mw
    assert free == pytest.approx(50 / 0.6, rel=1e-6)
    assert flat == pytest.approx(45 / 0.6, rel=1e-6)


def one_tight_hour() -> "pypsa.Network":  # noqa: F821
    """``two_bus`` with A's load 100/130/100/100 MW: only the second snapshot is tight.

    Spare power for a new load at A: coal 150 - D_t = 50/20/50/50 MW, plus 20 MW of gas imported from B
    (500 CNY/MWh against coal's 200): 70/40/70/70 MW. For 40 < dL <= 70 only the second hour loses
    (dL - 40): the rate is (dL - 40) / (4 dL), the headroom at f is 40 / (1 - 4 f) (50 MW at 5 %).
    """
    n = two_bus()
    n.loads_t.p_set["A"] = [100.0, 130.0, 100.0, 100.0]
    return n


def test_curtailment_only_in_the_tight_hour():
    """At the headroom the curtailed energy (the whole cap) is all in the one hour that cannot be served;
    below it, a new load of 45 MW loses exactly the 5 MWh it must, in that hour, and nothing elsewhere
    although the cap (5 % of 4 x 45 MWh = 9 MWh) would allow 4 MWh more: serving costs less than the
    curtailment (coal 200, gas 500 < 5,568 CNY/MWh)."""
    model = HeadroomModel(one_tight_hour())
    res = model.solve("A", 0.05)
    assert res.headroom_mw == pytest.approx(40 / 0.8, rel=1e-6)
    curtailed = res.headroom_mw - res.served_mw
    assert curtailed == pytest.approx([0.0, 10.0, 0.0, 0.0], abs=1e-6)
    below = model.dispatch("A", 45.0, 0.05)
    assert 45.0 - below.served_mw == pytest.approx([0.0, 5.0, 0.0, 0.0], abs=1e-6)
    # least-cost dispatch: coal covers 145 MW in the light hours (no gas), 150 MW + 20 MW of gas in the tight
    assert below.dispatch_cost_cny == pytest.approx(3 * 145 * 200 + 150 * 200 + 20 * 500, rel=1e-9)


def test_curtailment_cheaper_than_the_peaker_is_used_up_to_the_cap():
    """At 300 CNY/MWh (below gas' 500) the 45 MW load gives up, in the tight hour, the 4 MWh of gas the cap
    lets it avoid (5 forced + 4 = the 9 MWh cap), still nothing in the light hours (coal 200 < 300)."""
    res = HeadroomModel(one_tight_hour(), curtailment_cost_cny_per_mwh=300.0).dispatch("A", 45.0, 0.05)
    assert 45.0 - res.served_mw == pytest.approx([0.0, 9.0, 0.0, 0.0], abs=1e-6)
    assert res.dispatch_cost_cny == pytest.approx(3 * 145 * 200 + 150 * 200 + 16 * 500, rel=1e-9)


def test_second_stage_keeps_the_headroom_and_the_cap():
    """Stage 2 changes neither the headroom nor the curtailed energy (exactly the cap), at any cost."""
    for cost in (0.0, 300.0, 5_568.0):
        model = HeadroomModel(two_bus(storage_mw=10.0), curtailment_cost_cny_per_mwh=cost)
        res = model.solve("A", 0.01)
        assert res.headroom_mw == pytest.approx(50 / 0.98, rel=1e-6)
        assert (res.headroom_mw - res.served_mw).sum() == pytest.approx(0.01 * 4 * res.headroom_mw, rel=1e-6)


def test_a_load_above_the_headroom_is_refused():
    from computegrid.grid.solve import SolveError

    with pytest.raises(SolveError, match="headroom LP"):
        HeadroomModel(one_tight_hour()).dispatch("A", 60.0, 0.05)
