"""Build the data files of the 2030 capacity expansion from the upstream files.

Run once by a maintainer; the package never runs it. Usage::

    python tools/prepare_expansion_data.py --source <folder holding pypsa-china-thu/, gem/>
        --costs <costs_2030.csv of pik-piam/PyPSA-China-PIK resources/data/costs/default/>
        --out src/computegrid/datasets/data/grid/expansion

Origins, commits and licences are listed in docs/data-sources.md (section "Grid: 2030 expansion").
What it writes:

- costs_2030.csv: the rows of PyPSA-China-PIK's 2030 cost table for the technologies the expansion builds,
  unchanged (technology, year, parameter, value, unit, source, further description).
- resource_potential_mw.csv: ``p_nom_max`` of onshore wind, offshore wind and solar per province from the
  atlite profiles of pypsa-china-thu (eligible land x density) [MW].
- coal_changes_mw.csv: GEM Global Coal Plant Tracker (July 2023) aggregated per province and year:
  ``retire`` (retired after 2020, a planned retirement year, or 40 years after start for units still
  operating: the coal lifetime of the cost table), ``commission`` (operating since 2021 or under
  construction; construction without a start year is set to 2026, an assumption), ``permitted``
  (permitted, no year; the cap of new coal per province) [MW].
- phs_pipeline_mw.csv: pumped-storage additions 2021-2025 per province (pypsa-china-thu PHS capacity.csv,
  2025 column) [MW]; used only as the provincial key of the national 2030 pumped-storage target.
The hand-made table committed_2030.csv (nuclear, UHV lines, pumped hydro) is not generated; each row cites
its source. The province outlines of the maps are built by ``tools/build_province_shapes.py``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

TECHNOLOGIES = ("onwind", "offwind", "solar-utility", "battery storage", "battery inverter", "OCGT", "coal",
                "nuclear", "HVDC overhead", "HVDC inverter pair", "PHS")
#: Lifetime of coal units in the cost table (Lazard LCOE v13, via PyPSA-China-PIK costs_2030.csv). [yr]
COAL_LIFETIME_YR = 40
#: Assumption: construction without a start year in the tracker comes online in 2026.
CONSTRUCTION_DEFAULT_YEAR = 2026


def _code(name: str, table: dict) -> str:
    return table[str(name).replace(" ", "").lower()]


def potentials(src: Path, codes: dict) -> pd.DataFrame:
    import xarray as xr

    out = {}
    for tech in ("onwind", "offwind", "solar"):
        ds = xr.open_dataset(src / f"pypsa-china-thu/profile_{tech}.nc")
        s = ds["p_nom_max"].to_series()
        out[f"{tech}_mw"] = s.rename(index=lambda b: _code(b, codes))
    return pd.DataFrame(out).fillna(0.0).rename_axis("province").sort_index().round(0)


def coal_changes(src: Path, codes: dict) -> pd.DataFrame:
    df = pd.read_csv(src / "gem/china_coal_units_gcpt_2023-07.csv")
    df["province"] = df["Subnational unit (province, state)"].map(lambda p: _code(p, codes))
    cap = df["Capacity (MW)"].astype(float)
    start = pd.to_numeric(df["Start year"], errors="coerce")
    rows = []
    retired = (df["Status"] == "retired") & (pd.to_numeric(df["Retired year"], errors="coerce") > 2020)
    rows.append(pd.DataFrame({"province": df["province"], "change": "retire", "basis": "retired",
                              "year": pd.to_numeric(df["Retired year"], errors="coerce"), "capacity_mw": cap})[retired])
    oper = df["Status"] == "operating"
    planned = pd.to_numeric(df["Planned retirement"], errors="coerce")
    by_age = start + COAL_LIFETIME_YR
    year = planned.where(planned.notna(), by_age)
    basis = pd.Series("lifetime-40y", index=df.index).where(planned.isna(), "planned-retirement")
    keep = oper & year.notna() & (year > 2020)
    rows.append(pd.DataFrame({"province": df["province"], "change": "retire", "basis": basis, "year": year,
                              "capacity_mw": cap})[keep])
    new_oper = oper & (start > 2020)
    rows.append(pd.DataFrame({"province": df["province"], "change": "commission", "basis": "operating",
                              "year": start, "capacity_mw": cap})[new_oper])
    cons = df["Status"] == "construction"
    rows.append(pd.DataFrame({"province": df["province"], "change": "commission", "basis": "construction",
                              "year": start.fillna(CONSTRUCTION_DEFAULT_YEAR).clip(lower=2021),
                              "capacity_mw": cap})[cons])
    perm = df["Status"] == "permitted"
    rows.append(pd.DataFrame({"province": df["province"], "change": "permitted", "basis": "permitted",
                              "year": start.fillna(0), "capacity_mw": cap})[perm])
    out = pd.concat(rows)
    out["year"] = out["year"].astype(int)
    return (out.groupby(["province", "change", "basis", "year"], as_index=False)["capacity_mw"].sum()
            .round({"capacity_mw": 1}))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--source", type=Path, required=True)
    ap.add_argument("--costs", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    prov = pd.read_csv(Path(__file__).parents[1] / "src/computegrid/datasets/data/grid/provinces.csv")
    codes = {str(n).replace(" ", "").lower(): c for n, c in zip(prov["name"], prov["province"])}
    costs = pd.read_csv(args.costs)
    costs[costs["technology"].isin(TECHNOLOGIES)].to_csv(out / "costs_2030.csv", index=False)
    potentials(args.source, codes).to_csv(out / "resource_potential_mw.csv")
    coal_changes(args.source, codes).to_csv(out / "coal_changes_mw.csv", index=False)
    phs = pd.read_csv(args.source / "pypsa-china-thu/PHS capacity.csv")
    phs = pd.DataFrame({"province": phs["Region"].map(lambda p: _code(p, codes)),
                        "phs_additions_2021_2025_mw": phs["2025"].round(1)})
    phs.sort_values("province").to_csv(out / "phs_pipeline_mw.csv", index=False)


if __name__ == "__main__":
    main()
