"""Print the headroom tables of README.md and docs/headroom.md from the command's JSON output.

Run by a maintainer after ``computegrid headroom --json > peak.json`` and
``computegrid headroom --method grid --json > grid.json``; the package never runs it. Usage::

    PYTHONPATH=src python tools/headroom_tables.py peak.json [grid.json]

Prints (markdown):

1. the README table: every province (name, code, regional grid) sorted by its headroom at the second
   limit, the provinces' sum, then the seven regional grids as one balancing area each;
2. with ``grid.json``: the docs table of the grid method, per province: peak, peak-method and grid-method
   headroom, and the supply side of the year's model fleet (:func:`computegrid.grid.inputs.model_capacity_mw`
   of that base year): thermal capacity (coal including CHP, gas, nuclear) minus the peak load, firm
   capacity (thermal plus conventional hydro and pumped storage) minus the peak load, and the summed
   capacity of the province's corridors (:func:`computegrid.datasets.grid_base_year.load_corridors_base_year`).
"""

from __future__ import annotations

import json
import sys

GW_PER_MW = 1e-3


def readme_table(peak: dict) -> list[str]:
    """Rows of the README's headroom table (peak method on China)."""
    from computegrid.datasets.grid import load_provinces
    from computegrid.datasets.regional_grids import load_regional_grids

    names, grid_of = load_provinces()["name"], load_regional_grids()
    limits = peak["limits_pct"]
    head = "| province / grid | peak [GW] | load factor | " + " | ".join(f"{p:g} % [GW]" for p in limits) + " |"
    out = [head, "|---|---:|---:|" + "---:|" * len(limits)]
    provinces = [r for r in peak["regions"] if r["kind"] == "province"]
    key = min(1, len(limits) - 1)
    for r in sorted(provinces, key=lambda r: -r["headroom_mw"][key]):
        cells = " | ".join(f"{h * GW_PER_MW:.2f}" for h in r["headroom_mw"])
        out.append(f"| {names[r['region']]} ({r['region']}, {grid_of[r['region']]}) | "
                   f"{r['peak_mw'] * GW_PER_MW:.1f} | {r['load_factor']:.2f} | {cells} |")
    total = " | ".join(f"**{t * GW_PER_MW:.1f}**" for t in peak["total_headroom_mw"])
    out.append(f"| **{len(provinces)} provinces** | | | {total} |")
    for r in peak["regions"]:
        if r["kind"] == "regional-grid":
            cells = " | ".join(f"{h * GW_PER_MW:.2f}" for h in r["headroom_mw"])
            out.append(f"| {r['region']} grid (one balancing area) | {r['peak_mw'] * GW_PER_MW:.1f} | "
                       f"{r['load_factor']:.2f} | {cells} |")
    return out


def supply_gw(year: int):
    """Thermal and firm capacity and corridor capacity per province of a base year's model fleet. [GW]"""
    import pandas as pd

    from computegrid.datasets.grid_base_year import load_corridors_base_year
    from computegrid.grid.inputs import model_capacity_mw
    from computegrid.grid.parameters import base_year_parameters

    cap = model_capacity_mw(year, base_year_parameters(year), base_year=year) * GW_PER_MW
    thermal = cap["coal"] + cap["coal_chp"] + cap["gas"] + cap["nuclear"]
    firm = thermal + cap["hydro"] + cap["PHS"]
    cor = load_corridors_base_year(year)
    links = (pd.concat([cor.set_index("bus0")["capacity_mw"], cor.set_index("bus1")["capacity_mw"]])
             .groupby(level=0).sum() * GW_PER_MW)
    return thermal, firm, links.reindex(cap.index).fillna(0.0)


def grid_table(peak: dict, grid: dict) -> list[str]:
    """Rows of docs/headroom.md's grid-method table."""
    from computegrid.datasets.grid import load_provinces

    names = load_provinces()["name"]
    thermal, firm, links = supply_gw(int(grid["year"]))
    limits = grid["limits_pct"]
    a, b = min(1, len(limits) - 1), len(limits) - 1
    peak_of = {r["region"]: r for r in peak["regions"] if r["kind"] == "province"}
    out = [f"| province | peak [GW] | peak method {limits[a]:g} % [GW] | grid {limits[a]:g} % [GW] | "
           f"grid {limits[b]:g} % [GW] | firm capacity - peak [GW] | thermal - peak [GW] | corridors [GW] |",
           "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in sorted(grid["regions"], key=lambda r: -r["headroom_mw"][a]):
        p, pk = r["region"], r["peak_mw"] * GW_PER_MW
        out.append(f"| {names[p]} ({p}) | {pk:.1f} | {peak_of[p]['headroom_mw'][a] * GW_PER_MW:.2f} | "
                   f"{r['headroom_mw'][a] * GW_PER_MW:.1f} | {r['headroom_mw'][b] * GW_PER_MW:.1f} | "
                   f"{firm[p] - pk:+.1f} | {thermal[p] - pk:+.1f} | {links[p]:.1f} |")
    totals = " / ".join(f"{t * GW_PER_MW:,.0f}" for t in grid["total_headroom_mw"])
    out.append("")
    out.append(f"sum over the provinces [GW]: {totals}; firm capacity {firm.sum():,.0f} GW, thermal "
               f"{thermal.sum():,.0f} GW")
    return out


def main(argv=None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args:
        print(__doc__)
        return 2
    with open(args[0]) as fh:
        peak = json.load(fh)
    print("\n".join(readme_table(peak)))
    if len(args) > 1:
        with open(args[1]) as fh:
            grid = json.load(fh)
        print()
        print("\n".join(grid_table(peak, grid)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
