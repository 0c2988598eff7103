"""Carbon Aware SDK arithmetic on small tables whose answers are known by hand."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest

from computegrid.errors import InputError
from computegrid.services.signals import carbon_aware as ca


@pytest.fixture
def table():
    idx = pd.date_range("2030-01-01T00:00Z", periods=8, freq="h", name="timestamp")
    return pd.DataFrame({"a": [5, 4, 3, 9, 9, 1, 9, 9], "b": [6, 6, 6, 6, 6, 6, 6, 2]},
                        index=idx, dtype=float)


def test_timespan_format():
    assert ca.timespan_hms(0) == "00:00:00"
    assert ca.timespan_hms(60) == "01:00:00"
    assert ca.timespan_hms(90) == "01:30:00"
    assert ca.timespan_hms(60 * 24 + 5) == "1.00:05:00"


def test_best_single_hour(table):
    (p,) = ca.best_emissions(table, ["a", "b"])
    assert (p.location, p.rating_g_per_kwh, p.time.hour) == ("a", 1.0, 5)


def test_best_window_of_three_hours(table):
    # 3-hour means of a: 4, 16/3, 7, 19/3, 19/3, 19/3; of b: 6 ... (b's last window 14/3)
    (p,) = ca.best_emissions(table, ["a", "b"], duration_min=180)
    assert (p.location, p.time.hour, p.duration_min) == ("a", 0, 180)
    assert p.rating_g_per_kwh == pytest.approx(4.0)


def test_best_restricted_period(table):
    t0 = datetime(2030, 1, 1, 6, tzinfo=UTC)
    (p,) = ca.best_emissions(table, ["a", "b"], t0, datetime(2030, 1, 1, 8, tzinfo=UTC))
    assert (p.location, p.time.hour, p.rating_g_per_kwh) == ("b", 7, 2.0)


def test_best_wraps_to_the_same_hour_of_another_year(table):
    t0 = datetime(2041, 1, 1, 5, tzinfo=UTC)
    (p,) = ca.best_emissions(table, ["a"], t0)
    assert p.time == t0 and p.rating_g_per_kwh == 1.0


def test_forecast_optimal_window(table):
    now = datetime(2030, 1, 1, 0, 20, tzinfo=UTC)
    (f,) = ca.current_forecasts(table, ["a"], now, data_end_at=datetime(2030, 1, 1, 8, tzinfo=UTC),
                                window_size_min=120)
    assert f.generated_at == datetime(2030, 1, 1, tzinfo=UTC)
    assert [p.rating_g_per_kwh for p in f.forecast_data] == [4.5, 3.5, 6, 9, 5, 5, 9]
    assert [(p.time.hour, p.rating_g_per_kwh) for p in f.optimal_data_points] == [(1, 3.5)]


def test_window_means_match_a_loop():
    rng = np.random.default_rng(1)
    v = rng.uniform(0, 100, 50)
    for w in (1, 2, 7):
        expected = [v[i:i + w].mean() for i in range(len(v) - w + 1)]
        assert np.allclose(ca._window_means(v, w), expected)


@pytest.mark.parametrize("kwargs", [
    {"locations": []}, {"locations": ["zzz"]}, {"locations": ["a"], "duration_min": -1},
    {"locations": ["a"], "start": datetime(2030, 1, 2, tzinfo=UTC),
     "end": datetime(2030, 1, 1, tzinfo=UTC)},
    {"locations": ["a"], "start": datetime(1500, 1, 1, tzinfo=UTC)},
])
def test_bad_input(table, kwargs):
    with pytest.raises(InputError):
        ca.best_emissions(table, **kwargs)


def test_daily_signals_of_a_leap_labelled_model_year_become_8760_hours():
    from computegrid.services.signals.signal_feed import to_hourly

    days = pd.date_range("2020-01-01", "2020-12-31", freq="D")
    days = days[~((days.month == 2) & (days.day == 29))]  # the model year skips 29 February
    frame = pd.DataFrame({"timestamp": days, "site": "s", "v": np.arange(len(days), dtype=float)})
    hourly = to_hourly(frame)
    assert len(hourly) == 8760
    ts = pd.DatetimeIndex(hourly["timestamp"])
    assert (np.diff(ts.asi8) == 3_600_000_000_000).all()
    assert hourly["v"].iloc[24 * 59] == 59.0  # 1 March's value is hour-of-year 1416's
    assert list(hourly["v"].iloc[:25]) == [0.0] * 24 + [1.0]


def test_hourly_signals_pass_unchanged():
    from computegrid.services.signals.signal_feed import to_hourly

    frame = pd.DataFrame({"timestamp": pd.date_range("2030-01-01", periods=5, freq="h"),
                          "site": "s", "v": 1.0})
    assert to_hourly(frame) is frame


def test_default_signals_cover_every_site_and_province(monkeypatch, tmp_path):
    from computegrid.datasets.grid import load_provinces
    from computegrid.services.signals import grid_signals as sig
    from computegrid.services.signals.signal_feed import default_signals_frame

    codes = list(load_provinces().index)
    ts = pd.date_range("2030-01-01T00:00Z", periods=3, freq="h")
    frame = pd.concat([pd.DataFrame({"timestamp": ts, "province": p, "curtailed_mw": 0.0,
                                     "price_cny_per_mwh": 1.0, "co2_avg_kg_per_mwh": float(i),
                                     "co2_marginal_kg_per_mwh": float(i)})
                       for i, p in enumerate(codes)], ignore_index=True)
    monkeypatch.setenv("COMPUTEGRID_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(sig, "province_grid_signals", lambda: frame)
    out = default_signals_frame()
    locations = set(out["site"])
    assert {"ningxia", "innermongolia", "zhangjiakou", "shanghai"} <= locations
    assert len(locations) == 31 + 14 - 3  # beijing, shanghai, chongqing: sites and provinces
    assert set(ca.location_catalog()) == locations
    sh = codes.index("SH")
    assert (out.loc[out["site"] == "shanghai", "co2_avg_kg_per_mwh"] == sh).all()
    assert out.groupby("site").size().eq(3).all()


def test_capped_best_builds_the_earliest_ties_and_counts_them_all():
    import numpy as np

    idx = pd.date_range("2030-01-01T00:00Z", periods=48, freq="h")
    flat = pd.DataFrame({"a": np.full(48, 5.0), "b": np.full(48, 5.0)}, index=idx)
    every = ca.best_emissions(flat, ["a", "b"], idx[0].to_pydatetime(), idx[-1].to_pydatetime())
    kept, total = ca.best_emissions_capped(flat, ["a", "b"], idx[0].to_pydatetime(),
                                           idx[-1].to_pydatetime(), max_points=5)
    assert total == len(every) == 2 * 47
    assert kept == every[:5]
    assert [p.time for p in every[:4:2]] == [idx[0].to_pydatetime(), idx[1].to_pydatetime()]


def test_emissions_data_times_are_consecutive_hours():
    idx = pd.date_range("2030-01-01T00:00Z", periods=48, freq="h")
    table = pd.DataFrame({"a": range(48)}, index=idx, dtype=float)
    points = ca.emissions_data(table, ["a"], datetime(2031, 1, 1, 5, tzinfo=UTC),
                               datetime(2031, 1, 1, 8, tzinfo=UTC))
    assert [(p.time.hour, p.rating_g_per_kwh) for p in points] == [(5, 5.0), (6, 6.0), (7, 7.0)]
    assert points[0].time.year == 2031 and points[0].time.tzinfo is not None
