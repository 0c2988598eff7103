"""Bundled grid data: shapes, units, totals."""

import numpy as np
import pandas as pd
import pytest

from computegrid.datasets import grid as ds


def test_provinces():
    p = ds.load_provinces()
    assert len(p) == 31 and p.index.name == "province"
    assert {"HK", "MO", "TW"}.isdisjoint(p.index)
    assert {"name", "latitude_deg", "longitude_deg"} <= set(p.columns)
    assert p["latitude_deg"].between(18, 54).all() and p["longitude_deg"].between(73, 135).all()
    assert ds.province_code("Inner Mongolia") == "NM" == ds.province_code("nm")


def test_sites():
    s = ds.load_sites()
    assert s.index.name == "site"
    assert (s["kind"] == "edwc-cluster").sum() == 10
    assert {"beijing", "shanghai", "guangzhou-shenzhen"} <= set(s.index)
    assert set(s["side"]) == {"east", "west"} and set(s["kind"]) == {"edwc-cluster", "metro"}
    assert s["province"].isin(ds.load_provinces().index).all()
    assert (s.loc[s["side"] == "west", "pue"] <= 1.2).all()
    assert (s["capex_cny_per_kw_it"] == s["capex_facility_cny_per_kw_it"] + s["capex_it_cny_per_kw_it"]).all()
    # annuity of 1 over 1 year at r = 7% is 1.07
    assert ds.annuity_factor(0.07, 1) == pytest.approx(1.07)
    assert ds.annuity_factor(0.0, 4) == pytest.approx(0.25)


def test_demand_2020_matches_official_national_consumption():
    d = ds.load_hourly_demand_mw(2020)
    assert d.shape == (8760, 31)
    assert str(d.index.tz) == "Asia/Shanghai" and d.index.name == "timestamp"
    total_twh = d.to_numpy().sum() / 1e6
    # NEA: 2020 total electricity consumption 7,511 TWh (75,110 亿kWh); the PIK table gives 7,588 TWh.
    assert total_twh == pytest.approx(7511, rel=0.02)
    # scaling reproduces each province's annual value
    np.testing.assert_allclose(d.sum().to_numpy(), ds.annual_demand_mwh(2020).reindex(d.columns), rtol=1e-9)


def test_raw_demand_is_2018_level():
    # SOURCE: raw hourly table sums to about 6,900 TWh (2018 demand)
    assert ds.load_hourly_demand_mw().to_numpy().sum() / 1e6 == pytest.approx(6900, rel=0.01)


def test_annual_demand_interpolates():
    a20, a25, a22 = (ds.annual_demand_mwh(y) for y in (2020, 2025, 2022))
    np.testing.assert_allclose(a22, a20 + 0.4 * (a25 - a20))
    with pytest.raises(Exception):
        ds.annual_demand_mwh(2019)


def test_corridors():
    c = ds.load_corridors()
    assert len(c) == 56 and (c["capacity_mw"] > 0).all()
    assert c["bus0"].isin(ds.load_provinces().index).all()


def test_capacity_totals():
    cap = ds.load_capacity_mw()
    gw = cap.filter(like="_mw").sum() / 1e3
    assert len(cap) == 31
    # hydro incl. pumped storage: facts file sums to 368 GW (+2.1 GW Tianjin/Tibet from pypsa-china-thu)
    assert gw["hydro_incl_phs_mw"] == pytest.approx(370.2, abs=0.5)
    # CEC end-2020: conventional hydro 339 GW (we get 334 GW after removing PIK's pumped storage)
    assert gw["hydro_mw"] == pytest.approx(339, rel=0.03)
    assert gw["nuclear_mw"] == pytest.approx(54.6, abs=0.1)
    assert gw["onwind_mw"] + gw["offwind_mw"] == pytest.approx(281.7, abs=0.5)
    assert gw["solar_mw"] == pytest.approx(253.6, abs=0.5)


def test_profiles():
    r = ds.load_renewable_profiles()
    assert r.shape[0] == 8760
    assert set(r.columns.get_level_values("carrier")) == {"onwind", "offwind", "solar"}
    assert r["onwind"].shape[1] == 31 and r["solar"].shape[1] == 31 and r["offwind"].shape[1] == 11
    v = r.to_numpy()
    assert (v >= 0).all() and (v <= 1).all()
    # in Beijing time, solar peaks around noon and is zero at 2 am
    sol = r["solar"]["JS"]
    by_hour = sol.groupby(sol.index.hour).mean()
    assert 10 <= by_hour.idxmax() <= 14 and by_hour.loc[2] == 0


def test_full_load_hours_and_emission_factors():
    h = ds.load_full_load_hours()
    assert len(h) == 31 and h["wind_full_load_hours_h"].between(1000, 3500).all()
    ef = ds.load_grid_emission_factors()
    assert len(ef) == 30 and ef.between(50, 1000).all()


def test_backbones():
    nodes, edges = ds.load_backbone("chinanet", drop_bad_nodes=False)
    assert len(nodes) == 38 and len(edges) == 62
    nodes, edges = ds.load_backbone("cernet", drop_bad_nodes=False)
    assert len(nodes) == 37 and len(edges) == 54
    nodes, _ = ds.load_backbone("cernet")
    assert "Chengdou" not in set(nodes["name"])


def test_official_2020_table_has_every_validate_key_with_a_source():
    off = ds.load_official_2020()
    keys = {f"generation_twh.{k}" for k in ("coal", "gas", "hydro", "nuclear", "wind", "solar", "thermal")}
    keys |= {"curtailment_frac.wind", "curtailment_frac.solar", "emission_factor_tco2_per_mwh"}
    assert keys == set(off.index)
    assert off["source"].str.len().min() > 20
    # NBS 2020: thermal 5,330.3 TWh minus CEC biomass 132.6 TWh
    assert off.at["generation_twh.thermal", "value"] == pytest.approx(5330.25 - 132.6, abs=0.1)
