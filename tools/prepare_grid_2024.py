"""Build the end-2024 base-year files of the grid model from the upstream files.

Run once by a maintainer; the package never runs it. Usage::

    python tools/prepare_grid_2024.py --source <folder holding gem/, pypsa-china-pik/, pypsa-china-thu/,
        facts/> --grid src/computegrid/datasets/data/grid

It reads the bundled 2020 files in ``--grid`` (provinces, 2020 capacity) and writes there:

- ``fleet_2024_national.csv``: the official end-2024 national totals by carrier with their sources
  (the ``NATIONAL`` table below);
- ``capacity_2024_mw.csv``: province x carrier [MW] (and battery energy [MWh]; ``coal_captive_mw``, the
  captive part of ``coal_mw + coal_chp_mw``); each carrier's national
  sum equals its official total; the provincial split of each carrier is named in
  ``fleet_2024_national.csv`` (column ``provincial_split``);
- ``demand_annual_2024_mwh.csv``: 2024 electricity consumption by province [MWh];
- ``coal_captive_2020_mw.csv``: the captive part of the 2020 coal stock by province [MW] (the 2020 file's
  coal + CHP times the captive share of GEM's units in operation at end-2020).

Origins, licences and attribution: docs/data-sources.md (section "Grid", base year 2024).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

# Official end-2024 national figures. [MW] / [MWh]. "[secondary]": quoted through a report of the
# primary body's release, not read in the release itself.
NATIONAL = [
    ("coal", 1_195_000.0, None,
     "CEC, end-2024 statistics: coal-fired capacity about 11.95亿 kW (35.7 % of the total) [secondary]",
     "GEM Global Coal Plant Tracker July 2023: units operating, plus units under construction with start "
     "year <= 2024; CHP share per province from its CHP flag"),
    ("gas", 144_000.0, None,
     "CEC, end-2024 statistics: gas-fired capacity about 1.44亿 kW [secondary, recalled, to verify]",
     "GEM Global Oil and Gas Plant Tracker February 2023 (fuel NG/LNG): operating plus construction with "
     "start year <= 2024"),
    ("nuclear", 60_830.0, None, "NEA, 2025-01-21 release of 2024 statistics: nuclear 6,083万 kW [secondary]",
     "PyPSA-China-PIK nuclear_p_nom.csv (54.6 GW) shares; gap: units of 2023-2024 (Zhangzhou 1, "
     "Fangchenggang 4, Shidaowan CAP1400) take their province's share only"),
    ("hydro", 377_260.0, None,
     "CEC/NEA end-2024: hydro 4.36亿 kW including pumped storage 5,869万 kW -> conventional 377.26 GW "
     "[secondary]",
     "facts table of end-2020 hydro by province (CEC/NBS, >= 6 MW) minus PIK pumped hydro; gap: the "
     "2021-2024 additions (Baihetan, Wudongde, Lianghekou) take their province's 2020 share"),
    ("PHS", 58_690.0, None,
     "NEA/CEC end-2024: pumped-storage hydro 5,869万 kW (58.69 GW; IHA 2025 report gives the same)",
     "PyPSA-China-PIK PHS_p_nom.csv shares (about 2021); gap: plants of 2022-2024 (e.g. Fengning in "
     "full, Jinyun, Changlongshan) take their province's share only"),
    ("battery", 73_760.0, 168_000.0,
     "NEA, 2025-01 press conference: new-type storage 7,376万 kW / 1.68亿 kWh at end-2024 [secondary]",
     "assumption: split in proportion to each province's wind + utility-solar capacity (provincial "
     "rules require storage with new wind and solar); energy at the national ratio 2.28 h"),
    ("onwind", 479_410.0, None,
     "NEA 2025-01-21: wind 5.21亿 kW (520.68 GW) [secondary] minus offshore 41.27 GW (CEC) [secondary]",
     "GEM Global Wind Power Tracker May 2023, onshore phases operating plus construction with start "
     "year <= 2024"),
    ("offwind", 41_270.0, None, "CEC end-2024: offshore wind 4,127万 kW [secondary, recalled, to verify]",
     "GEM Global Wind Power Tracker May 2023, offshore phases operating plus construction with start "
     "year <= 2024"),
    ("solar_utility", 513_870.0, None,
     "NEA: centralised PV end-2023 354.48 GW + 2024 additions 159.39 GW [secondary, recalled]",
     "GEM Global Solar Power Tracker February 2026, operating utility-scale solar by province "
     "(gem_solar_by_province_2026.csv); gap: no open provincial end-2024 table found, and the February 2026 "
     "stock includes the 2025 additions"),
    ("solar_distributed", 372_790.0, None,
     "NEA: solar 8.87亿 kW (886.66 GW) at end-2024 [secondary] minus the centralised part",
     "assumption: 2024 electricity consumption shares (rooftop and commercial PV follow buildings and load; "
     "NEA's H1 2024 release names Jiangsu, Shandong, Zhejiang, Anhui and Guangdong as the largest "
     "distributed additions [secondary]); gap: no open provincial table of distributed PV found"),
    ("other", 105_500.0, None,
     "remainder of NEA's end-2024 total 33.49亿 kW (3,348.62 GW) [secondary]: biomass (about 46 GW) and "
     "other thermal; not modelled", "not split"),
]


#: Provinces with a sea coast (the offshore-wind profiles of PyPSA-China-THU cover exactly these).
COASTAL = ("FJ", "GD", "GX", "HE", "HI", "JS", "LN", "SD", "SH", "TJ", "ZJ")


def _codes(grid: Path) -> dict[str, str]:
    prov = pd.read_csv(grid / "provinces.csv")
    return {n.replace(" ", "").lower(): c for n, c in zip(prov["name"], prov["province"])}


def _code(name: str, codes: dict[str, str]) -> str:
    return codes[str(name).replace(" ", "").lower()]


def _in_2024(frame: pd.DataFrame, status: str, start: str) -> pd.Series:
    year = pd.to_numeric(frame[start], errors="coerce")
    return (frame[status] == "operating") | ((frame[status] == "construction") & (year <= 2024))


def _shares(values: pd.Series, index: pd.Index) -> pd.Series:
    s = values.groupby(level=0).sum().reindex(index).fillna(0.0)
    return s / s.sum()


def _demand_2024_mwh(src: Path, grid: Path) -> pd.Series:
    """2024 consumption by province [MWh]: PyPSA-China-PIK's load table carries the NBS 2024 provincial
    values in its 2025 column (its config comment); scaled to NEA's national 9,852.1 TWh (+0.03 %)."""
    load = pd.read_csv(src / "pypsa-china-pik/Provincial_Load_2020_2060_MWh.csv", index_col=0)
    codes = _codes(grid)
    demand = pd.Series(load["2025"].astype(float).values, index=[_code(p, codes) for p in load.index])
    return demand.sort_index() * (9_852.1e6 / demand.sum())


def provincial_table(src: Path, grid: Path) -> pd.DataFrame:
    """End-2024 capacity by province and carrier [MW], scaled to ``NATIONAL``."""
    codes = _codes(grid)
    prov = pd.read_csv(grid / "provinces.csv", index_col="province").index.sort_values()
    total = {k: v for k, v, *_ in NATIONAL}
    out = pd.DataFrame(index=prov)

    coal = pd.read_csv(src / "gem/china_coal_units_gcpt_2023-07.csv")
    coal = coal[_in_2024(coal, "Status", "Start year")]
    coal.index = [_code(p, codes) for p in coal["Subnational unit (province, state)"]]
    mw = coal["Capacity (MW)"].astype(float)
    all_coal = _shares(mw, prov)
    chp_frac = (mw[coal["CHP"] == "Y"].groupby(level=0).sum() / mw.groupby(level=0).sum()).reindex(prov)
    out["coal_mw"] = all_coal * total["coal"] * (1 - chp_frac.fillna(0.0))
    out["coal_chp_mw"] = all_coal * total["coal"] * chp_frac.fillna(0.0)
    # captive (industry-owned) units, CHP or not, from the tracker's Captive column: part of coal + CHP
    captive = coal["Captive"].notna()
    cap_frac = (mw[captive].groupby(level=0).sum() / mw.groupby(level=0).sum()).reindex(prov).fillna(0.0)
    out["coal_captive_mw"] = all_coal * total["coal"] * cap_frac

    gas = pd.read_csv(src / "gem/china_gas_units_ggpt_2023-02.csv")
    gas = gas[_in_2024(gas, "Status", "Start year") & gas["Fuel"].astype(str).str.contains("NG")]
    gas.index = [_code(p, codes) for p in gas["Subnational unit (province, state)"]]
    out["gas_mw"] = _shares(pd.to_numeric(gas["Capacity elec. (MW)"], errors="coerce").fillna(0.0),
                            prov) * total["gas"]

    nuc = pd.read_csv(src / "pypsa-china-pik/nuclear_p_nom.csv")
    nuc.index = [_code(p, codes) for p in nuc["Province"]]
    out["nuclear_mw"] = _shares(nuc["nuclear_capacity"].astype(float), prov) * total["nuclear"]

    cap20 = pd.read_csv(grid / "capacity_2020_mw.csv", index_col="province")
    conv = (cap20["hydro_incl_phs_mw"] - cap20["phs_mw"]).clip(lower=0.0)
    out["hydro_mw"] = _shares(conv, prov) * total["hydro"]
    out["phs_mw"] = _shares(cap20["phs_mw"], prov) * total["PHS"]

    wind = pd.read_csv(src / "gem/china_wind_phases_gwpt_2023-05.csv")
    wind = wind[_in_2024(wind, "Status", "Start year")]
    wind.index = [_code(p, codes) for p in wind["State/Province"]]
    # offshore phases in a province without a coast (GEM lists 75 MW "offshore" in Shanxi) count as onshore
    offshore = wind["Installation Type"].str.startswith("offshore") & wind.index.isin(COASTAL)
    for col, sel in (("onwind", ~offshore), ("offwind", offshore)):
        out[f"{col}_mw"] = _shares(wind.loc[sel, "Capacity (MW)"].astype(float), prov) * total[col]
    gem_solar = pd.read_csv(grid / "gem_solar_by_province_2026.csv", index_col="province")
    out["solar_utility_mw"] = _shares(gem_solar["operating_mw"].astype(float), prov) * total["solar_utility"]
    out["solar_distributed_mw"] = _shares(_demand_2024_mwh(src, grid), prov) * total["solar_distributed"]
    ren = out["onwind_mw"] + out["offwind_mw"] + out["solar_utility_mw"]
    out["battery_mw"] = ren / ren.sum() * total["battery"]
    energy = dict((k, e) for k, _, e, *_ in NATIONAL)["battery"]
    out["battery_mwh"] = out["battery_mw"] * energy / total["battery"]
    return out.fillna(0.0)


def captive_2020_mw(src: Path, grid: Path) -> pd.Series:
    """Captive (industry-owned) coal of the 2020 stock by province [MW]: the bundled 2020 coal + CHP
    capacity times the captive share of the GEM tracker's units in operation at end-2020 (start year
    <= 2020, and operating, mothballed, or retired after 2020)."""
    codes = _codes(grid)
    coal = pd.read_csv(src / "gem/china_coal_units_gcpt_2023-07.csv")
    start = pd.to_numeric(coal["Start year"], errors="coerce")
    retired = pd.to_numeric(coal["Retired year"], errors="coerce")
    alive = coal["Status"].isin(["operating", "mothballed"]) | ((coal["Status"] == "retired") & (retired > 2020))
    coal = coal[(start <= 2020) & alive]
    coal.index = [_code(p, codes) for p in coal["Subnational unit (province, state)"]]
    mw = coal["Capacity (MW)"].astype(float)
    stock = pd.read_csv(grid / "capacity_2020_mw.csv", index_col="province")
    share = (mw[coal["Captive"].notna()].groupby(level=0).sum() / mw.groupby(level=0).sum())
    share = share.reindex(stock.index).fillna(0.0)
    return ((stock["coal_mw"] + stock["coal_chp_mw"]) * share).rename("coal_captive_mw")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--source", type=Path, required=True)
    ap.add_argument("--grid", type=Path, required=True)
    args = ap.parse_args()
    table = provincial_table(args.source, args.grid)
    table.round(3).to_csv(args.grid / "capacity_2024_mw.csv")
    nat = pd.DataFrame(NATIONAL, columns=["carrier", "capacity_mw", "energy_mwh", "source", "provincial_split"])
    nat.to_csv(args.grid / "fleet_2024_national.csv", index=False)
    demand = _demand_2024_mwh(args.source, args.grid)
    demand.rename("demand_mwh").rename_axis("province").round(0).to_csv(
        args.grid / "demand_annual_2024_mwh.csv")
    captive_2020_mw(args.source, args.grid).round(3).to_csv(args.grid / "coal_captive_2020_mw.csv")


if __name__ == "__main__":
    main()
