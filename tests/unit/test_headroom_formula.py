"""The peak-load headroom of Norris et al. (2025), against closed forms and the definitions step by step.

Definitions (NI R 25-01, "Data and Method" pp. 15-17, Appendix C p. 38): seasonal thresholds = highest
June-August / December-February load over all years, applied April-October / November-March; hourly
curtailment min(dL, max(0, D + dL - T)); yearly rate = curtailed MWh / (dL x hours of the year); rates
averaged over the years; headroom = dL where the average rate equals the limit.
"""

import numpy as np
import pandas as pd
import pytest

from computegrid.demand import headroom as H


def two_level_case():
    """Base load B all year, K middle-load hours at M in summer (20 blocks of 10 h), and one peak hour at P
    in July and one in January, which set both thresholds.

    For G = P - M < dL < P - B the curtailed hours are the 2 peak hours (all of dL) and the K middle
    hours (dL - G each), so the rate is (2 + K (1 - G / dL)) / H and the headroom at limit f is
    dL* = K G / (K + 2 - f H).
    """
    idx = pd.date_range("2023-01-01", periods=8760, freq="h")
    b, m, p = 500.0, 900.0, 1000.0
    load = np.full(len(idx), b)
    middle = []
    for day in range(20):  # 20 blocks of 10 consecutive hours, 10:00-19:00 on 20 days from 1 June
        start = int(np.flatnonzero(idx == pd.Timestamp("2023-06-01 10:00") + pd.Timedelta(days=3 * day))[0])
        middle.extend(range(start, start + 10))
    load[middle] = m
    load[np.flatnonzero(idx == pd.Timestamp("2023-07-15 15:00"))[0]] = p
    load[np.flatnonzero(idx == pd.Timestamp("2023-01-10 18:00"))[0]] = p
    return idx, load, dict(b=b, m=m, p=p, k=len(middle), hours=len(idx))


def test_two_level_closed_form():
    idx, load, c = two_level_case()
    f = 0.01
    g = c["p"] - c["m"]
    expected = c["k"] * g / (c["k"] + 2 - f * c["hours"])  # 200 x 100 / 114.4 = 174.825 MW
    assert g < expected < c["p"] - c["b"]  # inside the regime of the closed form
    row = H.region_headroom("X", load, idx.month.to_numpy(), idx.year.to_numpy(), [f])
    assert row.summer_threshold_mw == c["p"] and row.winter_threshold_mw == c["p"]
    assert row.headroom_mw[0] == pytest.approx(expected, rel=1e-9)
    # hours: 2 peak + K middle hours; events: 20 blocks + 2 single peak hours
    assert row.curtailed_hours_per_year[0] == 2 + c["k"]
    assert row.mean_event_duration_h[0] == pytest.approx((2 + c["k"]) / 22)
    # middle hours lose dL - G = 74.8 MW <= dL / 2 = 87.4 MW (kept half); the peak hours lose all of dL
    assert row.hours_retaining_50pct_frac[0] == pytest.approx(c["k"] / (2 + c["k"]))
    assert row.load_factor == pytest.approx(load.mean() / c["p"])
    assert row.rate_at_zero_frac == pytest.approx(2 / c["hours"])


def test_limit_below_the_rate_at_zero_gives_zero_headroom():
    idx, load, c = two_level_case()
    tiny = 1.0 / c["hours"]  # below 2 / H: the two threshold hours alone exceed it
    row = H.region_headroom("X", load, idx.month.to_numpy(), idx.year.to_numpy(), [tiny])
    assert row.headroom_mw == [0.0] and row.curtailed_hours_per_year == [0.0]
    assert np.isnan(row.mean_event_duration_h[0])


def multi_year_load():
    """Three calendar years 2019-2021, 2020 a leap year (8,784 h), with a seasonal and daily shape."""
    idx = pd.date_range("2019-01-01", "2021-12-31 23:00", freq="h")
    rng = np.random.default_rng(7)
    doy, hour = idx.dayofyear.to_numpy(), idx.hour.to_numpy()
    season = np.cos(2 * np.pi * (doy - 200) / 365)  # +1 in mid-July, -1 in mid-January
    # summer peaks far above winter ones, so that the season each hour belongs to matters
    load = (1000 + 400 * np.clip(season, 0, None) + 150 * np.clip(-season, 0, None)
            + 150 * np.sin(np.pi * hour / 24) + rng.normal(0, 40, len(idx)) + 30 * (idx.year.to_numpy() - 2019))
    return idx, load


def rate_by_definition(idx, load, dl):
    """The definitions written out with pandas, one step at a time."""
    s = pd.Series(load, index=idx)
    summer_t = s[s.index.month.isin([6, 7, 8])].max()  # max June-August peak over all years
    winter_t = s[s.index.month.isin([12, 1, 2])].max()  # max December-February peak over all years
    thr = pd.Series(np.where(s.index.month.isin(range(4, 11)), summer_t, winter_t), index=idx)
    cur = (s + dl - thr).clip(lower=0.0).clip(upper=dl)
    per_year = cur.groupby(cur.index.year).sum() / (dl * cur.groupby(cur.index.year).size())
    return per_year, cur, (summer_t, winter_t)


@pytest.mark.parametrize("limit_pct", [0.25, 0.5, 1.0, 5.0])
def test_multi_year_with_leap_year_step_by_step(limit_pct):
    idx, load = multi_year_load()
    assert (pd.Series(1, index=idx).groupby(idx.year).size().to_dict() == {2019: 8760, 2020: 8784, 2021: 8760})
    row = H.region_headroom("X", load, idx.month.to_numpy(), idx.year.to_numpy(), [limit_pct / 100])
    dl = row.headroom_mw[0]
    per_year, cur, (summer_t, winter_t) = rate_by_definition(idx, load, dl)
    assert (row.summer_threshold_mw, row.winter_threshold_mw) == (summer_t, winter_t)
    assert per_year.mean() == pytest.approx(limit_pct / 100, rel=1e-7)  # the root solves the definition
    # the leap year's rate uses its 8,784 hours, not 8,760 (Appendix C writes L x 8,760)
    leap = cur[cur.index.year == 2020].sum()
    assert per_year[2020] == pytest.approx(leap / (dl * 8784)) and per_year[2020] != leap / (dl * 8760)
    on = cur > 0
    assert row.curtailed_hours_per_year[0] == pytest.approx(on.groupby(on.index.year).sum().mean())
    runs, prev, prev_year = 0, False, None
    for t, flag in on.items():  # events counted hour by hour, restarting each year
        if flag and (not prev or t.year != prev_year):
            runs += 1
        prev, prev_year = flag, t.year
    assert row.mean_event_duration_h[0] == pytest.approx(on.sum() / runs)
    kept = (on & (cur <= 0.5 * dl)).sum() / on.sum()
    assert row.hours_retaining_50pct_frac[0] == pytest.approx(kept)


def test_rate_curve_matches_definition_and_is_monotone():
    idx, load = multi_year_load()
    month, year = idx.month.to_numpy(), idx.year.to_numpy()
    summer, winter = H.seasonal_thresholds_mw(load, month)
    curve = H.RateCurve.from_gaps(H.threshold_series_mw(summer, winter, month) - load, year)
    rates = []
    for dl in (1.0, 50.0, 120.0, 333.3, 900.0, 5000.0):
        per_year, _, _ = rate_by_definition(idx, load, dl)
        assert curve.rate(dl) == pytest.approx(per_year.mean(), rel=1e-10)
        rates.append(curve.rate(dl))
    assert rates == sorted(rates)


def test_vectorised_curtailment_broadcasts_per_region():
    load = np.array([[10.0, 5.0], [20.0, 5.0]])
    thr = np.array([[20.0, 6.0], [20.0, 6.0]])
    cur = H.hourly_curtailment_mw(load, thr, np.array([4.0, 2.0]))
    assert cur.tolist() == [[0.0, 1.0], [4.0, 1.0]]  # capped at dL where D >= T
    years, rate = H.yearly_curtailment_rate(cur, np.array([4.0, 2.0]), np.array([2023, 2023]))
    assert years.tolist() == [2023] and rate.tolist() == [[0.5, 0.5]]
