"""Build the embedded grid dataset of computegrid from the raw upstream files.

Run once by a maintainer; the package never runs it. Usage::

    python tools/prepare_grid_data.py --source <folder holding pypsa-china-pik/, pypsa-china-thu/,
        facts/, codecarbon/, cpca/, topohub/> --out src/computegrid/datasets/data/grid

Origins, commits and licences of every input are listed in docs/data-sources.md (section "Grid").
What it writes (all trimmed, float32 where numeric series):

- provinces.csv: 31 mainland provinces, code (pypsa-china-pik province_codes.csv), name as in
  pypsa-china-pik, Chinese name, seat of the provincial government (cpca adcodes.csv, rows xx0000000000).
- demand_hourly_2018_mw.parquet: 8,760 h x 31 provinces [MW] (pypsa-china-pik, NDRC 2018 data).
- demand_annual_mwh.csv: provincial annual demand 2020..2060 [MWh] (pypsa-china-pik).
- corridors.csv: 56 existing inter-provincial corridors [MW] (pypsa-china-pik edges_current.csv).
- capacity_2020_mw.csv: installed capacity by province and technology [MW].
- renewable_profiles_2020.parquet: hourly capacity factors of onwind/offwind/solar [p.u.], ERA5/atlite
  via pypsa-china-thu, 8,784 h (2020 is a leap year), labels in Beijing time.
- full_load_hours_2020.csv, hydro_capacity_2020.csv, edwc_clusters.csv: copies of facts/.
- grid_emission_factors_2023.csv: codecarbon's copy of the MEE/NBS 2023 provincial factors.
- chinanet.json, cernet.json: topohub backbone graphs (copied as is).
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

ADCODE_PREFIX = {  # first two digits of the administrative code -> province code
    "11": "BJ", "12": "TJ", "13": "HE", "14": "SX", "15": "NM", "21": "LN", "22": "JL", "23": "HL",
    "31": "SH", "32": "JS", "33": "ZJ", "34": "AH", "35": "FJ", "36": "JX", "37": "SD", "41": "HA",
    "42": "HB", "43": "HN", "44": "GD", "45": "GX", "46": "HI", "50": "CQ", "51": "SC", "52": "GZ",
    "53": "YN", "54": "XZ", "61": "SN", "62": "GS", "63": "QH", "64": "NX", "65": "XJ",
}
NON_MAINLAND = {"HK", "MO", "TW"}


def _norm(name: str) -> str:
    return name.replace(" ", "")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--source", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    src, out = args.source, args.out
    out.mkdir(parents=True, exist_ok=True)

    codes = pd.read_csv(src / "pypsa-china-pik/province_codes.csv")
    codes = codes[~codes["Code"].isin(NON_MAINLAND)]
    name_to_code = dict(zip(codes["Full name"], codes["Code"]))
    adc = pd.read_csv(src / "cpca/adcodes.csv", dtype={"adcode": str})
    adc = adc[adc["adcode"].str.endswith("0000000000")].copy()
    adc["province"] = adc["adcode"].str[:2].map(ADCODE_PREFIX)
    adc = adc.dropna(subset=["province"]).set_index("province")
    prov = pd.DataFrame({
        "province": codes["Code"].values,
        "name": codes["Full name"].values,
    }).set_index("province")
    prov["name_zh"] = adc["name"]
    prov["latitude_deg"] = adc["latitude"].round(4)
    prov["longitude_deg"] = adc["longitude"].round(4)
    prov["adcode"] = adc["adcode"]
    assert len(prov) == 31 and prov.notna().all().all()
    prov.sort_index().to_csv(out / "provinces.csv")

    dem = pd.read_csv(src / "pypsa-china-pik/Hourly_demand_of_31_province_China_modified_V2.1.csv",
                      encoding="utf-8-sig")
    dem = dem.drop(columns=["Time Series"]).astype("float32")
    assert dem.shape == (8760, 31)
    dem = dem[sorted(dem.columns)]
    dem.to_parquet(out / "demand_hourly_2018_mw.parquet", compression="zstd", index=False)

    ann = pd.read_csv(src / "pypsa-china-pik/Provincial_Load_2020_2060_MWh.csv", index_col=0)
    ann.index = [name_to_code[_norm(i)] for i in ann.index]
    ann.index.name = "province"
    ann.sort_index().round(0).to_csv(out / "demand_annual_mwh.csv")

    edges = pd.read_csv(src / "pypsa-china-pik/edges_current.csv", header=None,
                        names=["bus0", "bus1", "capacity_mw"])
    edges["bus0"] = edges["bus0"].map(lambda s: name_to_code[_norm(s)])
    edges["bus1"] = edges["bus1"].map(lambda s: name_to_code[_norm(s)])
    edges.to_csv(out / "corridors.csv", index=False)

    cap = pd.read_csv(src / "pypsa-china-thu/China_current_capacity.csv")
    cap["province"] = cap["Province"].map(lambda s: name_to_code[_norm(s)])
    cap = cap.pivot(index="province", columns="Type", values="Value")
    table = pd.DataFrame(index=prov.index.sort_values())
    table["coal_mw"] = cap["coal power plant"]
    table["coal_chp_mw"] = cap["CHP coal"]
    table["gas_mw"] = cap["OCGT"]
    nuc = pd.read_csv(src / "pypsa-china-pik/nuclear_p_nom.csv")
    table["nuclear_mw"] = pd.Series(nuc["nuclear_capacity"].values,
                                    index=[name_to_code[_norm(p)] for p in nuc["Province"]])
    hyd = pd.read_csv(src / "facts/china_hydro_capacity_2020.csv")
    hyd = pd.Series(hyd["hydro_capacity_mw"].values, index=[name_to_code[_norm(p)] for p in hyd["province"]])
    thu_hyd = pd.read_csv(src / "pypsa-china-thu/hydroelectricity capacity.csv")
    thu_hyd = pd.Series(thu_hyd["hydro_capacity"].values,
                        index=[name_to_code[_norm(p)] for p in thu_hyd["Province"]])
    table["hydro_incl_phs_mw"] = hyd
    table["hydro_incl_phs_from_thu"] = table["hydro_incl_phs_mw"].isna()
    table["hydro_incl_phs_mw"] = table["hydro_incl_phs_mw"].fillna(thu_hyd)
    phs = pd.read_csv(src / "pypsa-china-pik/PHS_p_nom.csv")
    table["phs_mw"] = pd.Series(phs["MW"].values, index=[name_to_code[_norm(p)] for p in phs["Region"]])
    table["onwind_mw"] = cap["onshore wind"]
    table["offwind_mw"] = cap["offshore wind"]
    table["solar_mw"] = cap["solar PV"]
    bat = pd.read_csv(src / "pypsa-china-thu/battery capacity.csv")
    table["battery_mw"] = pd.Series(bat["2020"].values, index=[name_to_code[_norm(p)] for p in bat["Region"]])
    assert table.drop(columns="hydro_incl_phs_from_thu").notna().all().all(), table
    table.round(1).to_csv(out / "capacity_2020_mw.csv")

    frames = {}
    for tech in ("onwind", "offwind", "solar"):
        ds = xr.open_dataset(src / f"pypsa-china-thu/profile_{tech}.nc")
        prof = ds["profile"].to_pandas()
        prof.columns = [f"{tech}:{name_to_code[_norm(c)]}" for c in prof.columns]
        frames[tech] = prof
    profiles = pd.concat(frames.values(), axis=1).astype("float32")
    profiles.index.name = "time_local"
    assert len(profiles) == 8784
    profiles.reset_index().to_parquet(out / "renewable_profiles_2020.parquet", compression="zstd",
                                      index=False)

    flh = pd.read_csv(src / "facts/china_wind_solar_utilisation_hours_2020.csv")
    flh.insert(0, "code", [name_to_code[_norm(p)] for p in flh["province"]])
    flh.rename(columns={"code": "province", "province": "name"}).to_csv(
        out / "full_load_hours_2020.csv", index=False)

    shutil.copy(src / "facts/edwc_clusters.csv", out / "edwc_clusters.csv")

    em = json.loads((src / "codecarbon/china_provincial_emissions.json").read_text())["data"]
    rows = [{"province": k.split("-")[1], "name": v["description"],
             "emission_factor_gco2_per_kwh": v["emission_factor"], "year": v["year"]}
            for k, v in em.items()]
    pd.DataFrame(rows).sort_values("province").to_csv(out / "grid_emission_factors_2023.csv", index=False)

    for name in ("Chinanet", "Cernet"):
        shutil.copy(src / f"topohub/{name}.json", out / f"{name.lower()}.json")


if __name__ == "__main__":
    main()
