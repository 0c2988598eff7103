"""AI load model and baseline placement: pure arithmetic, checked by hand."""

import numpy as np
import pandas as pd
import pytest

from computegrid.demand.ai_load import (
    LoadClass,
    check_reachable,
    class_demand_mw,
    class_profile_frac,
    diurnal_profile_frac,
    load_origin_weights,
)
from computegrid.demand.ai_placement import place
from computegrid.errors import InputError


def test_diurnal_profile_has_mean_one_and_evening_peak():
    hours = np.arange(24) + 0.5
    prof = diurnal_profile_frac(hours)
    assert prof.mean() == pytest.approx(1.0, abs=1e-12)
    assert 20 <= hours[prof.argmax()] <= 22
    idx = pd.date_range("2030-01-01", periods=8, freq="3h")
    three_hourly = class_profile_frac(LoadClass("online", 1.0, 20.0, "hour", 0.0, "diurnal"), idx, 3.0)
    assert three_hourly.mean() == pytest.approx(1.0, abs=1e-12)


def test_origin_weights_cover_31_provinces_and_sum_to_one():
    w = load_origin_weights()
    assert len(w) == 31 and w.sum() == pytest.approx(1.0)
    assert w.idxmax() == "GD"  # Guangdong has the largest GDP (NBS 2023)


def test_class_demand_splits_energy_by_share_and_weight():
    cls = (LoadClass("online", 0.25, 20.0, "hour"), LoadClass("training", 0.75, None, "horizon"))
    d = class_demand_mw(cls, 8760.0 * 100, pd.Series({"A": 0.4, "B": 0.6}))
    assert d.loc["online", "A"] == pytest.approx(10.0)
    assert d.loc["training"].sum() == pytest.approx(75.0)
    with pytest.raises(InputError):
        class_demand_mw(cls, -1.0, pd.Series({"A": 1.0}))
    with pytest.raises(InputError):
        class_demand_mw((LoadClass("a", 0.5, None, "day"),), 1.0, pd.Series({"A": 1.0}))


def test_bad_class_values_are_input_errors():
    with pytest.raises(InputError):
        LoadClass("x", 0.5, -3.0, "hour")
    with pytest.raises(InputError):
        LoadClass("x", 0.5, 10.0, "fortnight")


def test_unreachable_origin_is_rejected():
    rtt = pd.DataFrame({"s1": [5.0, 30.0]}, index=["A", "B"])
    cls = (LoadClass("online", 1.0, 20.0, "hour"),)
    demand = pd.DataFrame({"A": [1.0], "B": [1.0]}, index=["online"])
    with pytest.raises(InputError, match="origin B"):
        check_reachable(cls, demand, rtt)
    check_reachable(cls, demand.assign(B=0.0), rtt)  # no demand in B: fine


SITES = pd.DataFrame({"kind": ["metro", "edwc-cluster", "edwc-cluster", "edwc-cluster"],
                      "side": ["east", "east", "west", "west"], "capacity_max_mw": [5.0, 50.0, 30.0, 10.0]},
                     index=["metro", "east-c", "west-a", "west-b"])
RTT = pd.DataFrame([[1.0, 3.0, 15.0, 18.0]], index=["O"], columns=SITES.index)


def test_status_quo_fills_the_nearest_metro_then_eastern_clusters():
    cls = (LoadClass("batch", 1.0, 50.0, "day"),)
    shares = place("status-quo", cls, pd.DataFrame({"O": [20.0]}, index=["batch"]), RTT, SITES, {"batch": 1.0})
    assert shares["batch"].loc["O"].to_dict() == pytest.approx({"metro": 0.25, "east-c": 0.75, "west-a": 0, "west-b": 0})


def test_west_static_puts_tolerant_work_west_in_proportion_to_caps():
    cls = (LoadClass("online", 0.5, 5.0, "hour"), LoadClass("training", 0.5, None, "week"))
    demand = pd.DataFrame({"O": [4.0, 20.0]}, index=["online", "training"])
    shares = place("west-static", cls, demand, RTT, SITES, {"online": 1.0, "training": 1.0})
    assert shares["online"].loc["O"].to_dict() == pytest.approx({"metro": 1.0, "east-c": 0, "west-a": 0, "west-b": 0})
    tr = shares["training"].loc["*"]
    assert tr["west-a"] == pytest.approx(0.75) and tr["west-b"] == pytest.approx(0.25)


def test_measured_llm_profile_reproduces_the_published_request_counts():
    """The digitised hourly rates, summed over the week, give the traces' published request counts."""
    from computegrid.datasets.workload import LLM_TRACE_REQUESTS_2024, load_llm_hourly_requests

    table = load_llm_hourly_requests()
    for trace, published in LLM_TRACE_REQUESTS_2024.items():
        rows = table[table["trace"] == trace]
        assert len(rows) == 7 * 24 and rows["requests_per_min"].notna().all()
        assert (rows["requests_per_min"] * 60).sum() == pytest.approx(published, rel=0.02)


def test_measured_profile_mean_one_office_hours_for_coding_and_used_by_classes():
    from computegrid.datasets.workload import load_llm_hourly_profile

    coding = load_llm_hourly_profile("coding")
    assert coding.shape == (24,) and coding.mean() == pytest.approx(1.0)
    assert 12 <= coding.argmax() <= 17 and coding.argmin() <= 7  # office hours, local time
    chat = load_llm_hourly_profile()
    assert 1.2 < chat.max() < 1.5 and 0.6 < chat.min() < 0.85
    online = LoadClass("online", 1.0, 20.0, "hour", 0.0, "measured", tuple(chat))
    idx = pd.date_range("2030-01-01", periods=8, freq="3h")
    prof = class_profile_frac(online, idx, 3.0)
    assert prof.mean() == pytest.approx(1.0)
    assert prof.iloc[0] == pytest.approx(chat[:3].mean())
    with pytest.raises(InputError, match="hourly_profile_frac"):
        LoadClass("online", 1.0, 20.0, "hour", 0.0, "measured")
    with pytest.raises(InputError, match="trace"):
        load_llm_hourly_profile("images")
