"""Bring-your-own-data readers: good files load, bad files fail with file, column, row and value."""

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from computegrid.errors import DataFileError
from computegrid.io.grid_files import (
    read_atlite_profile,
    read_demand,
    read_profiles,
    read_regions,
    read_renewables_ninja,
    read_sites,
)

SITES_CSV = """site,province,latitude_deg,longitude_deg,pue,capacity_max_mw
a,NX,37.5,105.2,1.2,100
b,SH,31.2,121.5,1.3,50
"""


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_sites_csv_and_yaml(tmp_path):
    s = read_sites(write(tmp_path, "sites.csv", SITES_CSV))
    assert list(s.index) == ["a", "b"] and s.at["a", "capacity_max_mw"] == 100
    y = read_sites(write(tmp_path, "sites.yaml", """sites:
  - {site: a, province: NX, latitude_deg: 37.5, longitude_deg: 105.2, pue: 1.2, capacity_max_mw: 100}
"""))
    assert y.at["a", "province"] == "NX"


@pytest.mark.parametrize(("text", "needle"), [
    (SITES_CSV.replace("a,NX", "a,XX"), "column province, row 1: got 'XX'"),
    (SITES_CSV.replace(",100\n", ",-5\n"), "column capacity_max_mw, row 1: got -5"),
    (SITES_CSV.replace("1.3,50", "1.3,"), "column capacity_max_mw, row 2: got nan"),
    (SITES_CSV.replace(",pue", ",pue_x"), "column pue: got 'missing'"),
])
def test_bad_sites(tmp_path, text, needle):
    with pytest.raises(DataFileError) as err:
        read_sites(write(tmp_path, "bad_sites.csv", text))
    msg = str(err.value)
    assert msg.startswith("bad_sites.csv")
    assert needle in msg


def test_regions(tmp_path):
    r = read_regions(write(tmp_path, "r.csv", "province,name,latitude_deg,longitude_deg\nA,Alpha,10,20\n"))
    assert r.at["A", "name"] == "Alpha"
    with pytest.raises(DataFileError, match="r2.csv: column latitude_deg, row 1"):
        read_regions(write(tmp_path, "r2.csv", "province,name,latitude_deg,longitude_deg\nA,Alpha,100,20\n"))


def test_demand_units_and_gaps(tmp_path):
    ok = "timestamp,BJ_mw,SH_gw\n2020-01-01 00:00,10,1\n2020-01-01 01:00,12,1.5\n"
    d = read_demand(write(tmp_path, "d.csv", ok))
    assert d.at[d.index[1], "SH"] == 1500.0 and d.index.name == "timestamp"
    with pytest.raises(DataFileError, match=r"d2.csv: column BJ_mwh: got 'BJ_mwh'; power columns"):
        read_demand(write(tmp_path, "d2.csv", ok.replace("BJ_mw", "BJ_mwh")))
    gap = ok + "2020-01-01 03:00,11,1\n"
    with pytest.raises(DataFileError, match=r"d3.csv: column timestamp, row 3: got '2020-01-01 03:00:00'"):
        read_demand(write(tmp_path, "d3.csv", gap))
    with pytest.raises(DataFileError, match=r"d4.csv: column BJ_mw, row 2: got nan"):
        read_demand(write(tmp_path, "d4.csv", ok.replace(",12,", ",,")))
    with pytest.raises(DataFileError, match=r"d5.csv: column XX_mw: got 'XX'"):
        read_demand(write(tmp_path, "d5.csv", ok.replace("BJ_mw", "XX_mw")))


def test_profiles_reject_percent(tmp_path):
    ok = "timestamp,NX_solar_pu\n2020-01-01 00:00,0\n2020-01-01 01:00,0.5\n"
    p = read_profiles(write(tmp_path, "p.csv", ok))
    assert p[("solar", "NX")].iloc[1] == 0.5
    with pytest.raises(DataFileError, match=r"p2.csv: column NX_solar_pu, row 2: got 50"):
        read_profiles(write(tmp_path, "p2.csv", ok.replace("0.5", "50")))


def test_renewables_ninja(tmp_path):
    text = ('# Renewables.ninja PV Point API - https://www.renewables.ninja/\n'
            '# {"params": {"lat": 37.5, "lon": 105.2, "capacity": 2.0}, "units": {"time": "UTC", '
            '"electricity": "kW"}}\n'
            'time,local_time,electricity\n2019-01-01 00:00,2019-01-01 08:00,0.0\n'
            '2019-01-01 01:00,2019-01-01 09:00,1.0\n')
    s = read_renewables_ninja(write(tmp_path, "ninja.csv", text))
    assert s.iloc[1] == pytest.approx(0.5) and str(s.index.tz) == "UTC"
    with pytest.raises(DataFileError, match=r"ninja2.csv: column electricity, row 2: got 3.0"):
        read_renewables_ninja(write(tmp_path, "ninja2.csv", text.replace(",1.0\n", ",3.0\n")))


def test_atlite_netcdf(tmp_path):
    time = pd.date_range("2020-01-01", periods=3, freq="h")
    ds = xr.Dataset({"profile": (("time", "bus"), np.array([[0.1, 0.2], [0.3, 0.4], [0.0, 1.0]]))},
                    coords={"time": time, "bus": ["Ningxia", "Inner Mongolia"]})
    path = tmp_path / "profile_solar.nc"
    ds.to_netcdf(path)
    f = read_atlite_profile(path)
    assert list(f.columns) == ["NX", "NM"] and f.shape == (3, 2)
    ds["profile"][1, 0] = np.nan
    bad = tmp_path / "bad_profile.nc"
    ds.to_netcdf(bad)
    with pytest.raises(DataFileError, match=r"bad_profile.nc: bus NX, row 2: got nan"):
        read_atlite_profile(bad)


def test_missing_file(tmp_path):
    with pytest.raises(DataFileError):
        read_sites(tmp_path / "nope.csv")
