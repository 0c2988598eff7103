"""Signal readers: tidy CSV, Electricity Maps and WattTime shapes, co-planning run folders,
and the service function behind GET /v1/signals."""

import numpy as np
import pandas as pd
import pytest

from computegrid.errors import DataFileError, InputError
from computegrid.io.signals import read_run_signals, read_signals_csv
from computegrid.scheduling.signals import aligned_index, make_signals
from computegrid.scheduling.sites import make_sites
from computegrid.services.signals.grid_signals import get_signals

SITES = make_sites(pd.DataFrame({
    "site": ["bj", "zw"], "province": ["BJ", "NX"], "latitude_deg": [39.9, 37.5],
    "longitude_deg": [116.4, 105.2], "pue": [1.3, 1.2], "n_accelerators": [10, 10]}))


def tidy(hours=48):
    ts = pd.date_range("2021-01-01", periods=hours, freq="h", tz="UTC")
    return pd.concat([pd.DataFrame({"timestamp": ts, "site": s, "curtailed_mw": 1.0,
                                    "price_cny_per_mwh": 300.0 + i, "co2_avg_kg_per_mwh": 500.0,
                                    "co2_marginal_kg_per_mwh": 800.0})
                      for i, s in enumerate(["bj", "zw"])], ignore_index=True)


def test_tidy_roundtrip_and_subset():
    sig = make_signals(tidy())
    assert sig.values["price_cny_per_mwh"].shape == (2, 48)
    back = sig.subset(["zw"]).to_frame()
    assert (back["price_cny_per_mwh"] == 301.0).all()


@pytest.mark.parametrize("mutate, where", [
    (lambda f: f.drop(index=5), "hours"),
    (lambda f: f.assign(curtailed_mw=np.where(f.index == 7, -1.0, 1.0)), "row 8"),
    (lambda f: f.drop(columns=["co2_avg_kg_per_mwh"]), "columns"),
])
def test_bad_signals_are_rejected(mutate, where):
    with pytest.raises(DataFileError) as err:
        make_signals(mutate(tidy()))
    assert where in str(err.value)


def test_electricity_maps_export_by_province(tmp_path):
    ts = pd.date_range("2021-01-01", periods=24, freq="h")
    em = pd.concat([pd.DataFrame({"Datetime (UTC)": ts, "Zone Id": z,
                                  "Carbon Intensity gCO₂eq/kWh (direct)": v})
                    for z, v in (("Beijing", 700.0), ("NX", 400.0))])
    p = tmp_path / "em.csv"
    em.to_csv(p, index=False)
    sig = read_signals_csv(p, sites=SITES)
    assert sig.sites == ("bj", "zw")
    assert sig.values["co2_avg_kg_per_mwh"][1, 0] == 400.0
    assert sig.values["co2_marginal_kg_per_mwh"][0, 0] == 700.0  # average stands in
    assert (sig.values["price_cny_per_mwh"] == 0).all() and (sig.values["curtailed_mw"] == 0).all()


def test_watttime_moer_in_lb_per_mwh(tmp_path):
    ts = pd.date_range("2021-01-01", periods=24, freq="h")
    wt = pd.concat([pd.DataFrame({"point_time": ts, "region": s, "value": 1000.0})
                    for s in ("bj", "zw")])
    p = tmp_path / "wt.csv"
    wt.to_csv(p, index=False)
    sig = read_signals_csv(p, sites=SITES)
    assert sig.values["co2_marginal_kg_per_mwh"][0, 0] == pytest.approx(453.59237)


def test_unknown_zone_names_the_row(tmp_path):
    f = tidy().assign(site="atlantis")
    p = tmp_path / "s.csv"
    f.to_csv(p, index=False)
    with pytest.raises(DataFileError) as err:
        read_signals_csv(p, sites=SITES)
    assert "atlantis" in str(err.value)


def test_run_folder_three_hourly_naive_beijing_time(tmp_path):
    snaps = pd.date_range("2020-02-28", periods=24, freq="3h")
    snaps = snaps[~((snaps.month == 2) & (snaps.day == 29))]  # the grid model drops 29 Feb
    f = pd.concat([pd.DataFrame({"timestamp": snaps, "site": s, "curtailed_mw": np.arange(len(snaps)),
                                 "price_cny_per_mwh": 200.0, "co2_avg_kg_per_mwh": 500.0,
                                 "co2_marginal_kg_per_mwh": 800.0}) for s in ("bj", "zw")])
    (tmp_path / "run").mkdir()
    f.to_parquet(tmp_path / "run" / "signals.parquet")
    sig = read_run_signals(tmp_path / "run")
    assert len(snaps) == 16 and snaps[-1] == pd.Timestamp("2020-03-01T21:00")  # gap of a day
    assert len(sig.timestamps) == 3 * len(snaps)
    assert sig.timestamps[0] == pd.Timestamp("2020-02-27T16:00:00Z")  # 00:00 Beijing = 16:00 UTC
    assert sig.values["curtailed_mw"][0, :6].tolist() == [0, 0, 0, 1, 1, 1]
    with pytest.raises(InputError):
        read_run_signals(tmp_path / "missing")


def test_calendar_alignment_wraps_a_year_of_signals():
    ts = pd.date_range("2019-01-01", periods=8760, freq="h", tz="UTC")
    sig = make_signals(pd.DataFrame({"timestamp": ts, "site": "bj", "curtailed_mw": 0.0,
                                     "price_cny_per_mwh": 1.0, "co2_avg_kg_per_mwh": 1.0,
                                     "co2_marginal_kg_per_mwh": 1.0}))
    idx = aligned_index(sig, pd.Timestamp("2017-12-31T22:00:00Z"), 0, 4)
    assert idx.tolist() == [8758, 8759, 0, 1]


def test_get_signals_for_a_site_and_range(tmp_path):
    p = tmp_path / "s.csv"
    tidy().to_csv(p, index=False)
    out = get_signals("zw", "2021-01-01T05:00:00Z", "2021-01-01T08:00:00Z", signals_file=p,
                      site_table=SITES)
    assert list(out["site"].unique()) == ["zw"] and len(out) == 3
    assert list(out.columns) == ["timestamp", "site", "curtailed_mw", "price_cny_per_mwh",
                                 "co2_avg_kg_per_mwh", "co2_marginal_kg_per_mwh"]
    with pytest.raises(InputError):
        get_signals("nowhere", signals_file=p, site_table=SITES)
    with pytest.raises(InputError):
        get_signals("zw", "2022-01-01", "2022-01-02", signals_file=p, site_table=SITES)


def test_direct_alignment_when_signals_cover_the_trace():
    sig = make_signals(tidy(hours=48))
    start = pd.Timestamp("2021-01-01T05:00:00Z")
    assert aligned_index(sig, start, 0, 3).tolist() == [5, 6, 7]
    assert aligned_index(sig, pd.Timestamp("2021-01-01T00:00:00Z"), -2, 4).tolist() == [46, 47, 0, 1]


def test_best_window_across_sites(tmp_path):
    f = tidy(hours=24)
    f.loc[(f["site"] == "zw") & (f["timestamp"].dt.hour.isin([10, 11])), "co2_marginal_kg_per_mwh"] = 100.0
    p = tmp_path / "s.csv"
    f.to_csv(p, index=False)
    from computegrid.services.signals.grid_signals import best_window

    w = best_window(None, duration_h=2, signals_file=p, site_table=SITES)
    assert w == {"site": "zw", "start_time": "2021-01-01T10:00:00Z", "duration_h": 2,
                 "signal": "co2_marginal_kg_per_mwh", "value": 100.0}
    with pytest.raises(InputError):
        best_window(None, duration_h=0, signals_file=p, site_table=SITES)
