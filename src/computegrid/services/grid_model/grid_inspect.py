"""Use case: describe the grid model's inputs (buses, capacities, corridors, sites) and draw its map."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from computegrid.datasets import grid as ds
from computegrid.units import MW_PER_GW, MWH_PER_TWH


@dataclass
class GridDescription:
    """Tables describing the model of one year (all names carry units)."""

    year: int
    buses: pd.DataFrame  # province x name, lat/lon [deg], demand_twh [TWh], peak_demand_gw [GW]
    capacity_gw: pd.DataFrame  # province x carrier [GW]
    corridors: pd.DataFrame  # corridor x bus0, bus1, capacity_mw [MW]
    sites: pd.DataFrame  # site x province, kind, side, pue, capacity_max_mw, ...


def describe_grid(year: int = 2020) -> GridDescription:
    """Inputs of the model for ``year`` (2020 fleet, demand scaled to ``year``)."""
    from computegrid.grid.network import model_capacity_mw

    prov = ds.load_provinces()
    demand = ds.load_hourly_demand_mw(year)
    buses = prov[["name", "latitude_deg", "longitude_deg"]].copy()
    buses["demand_twh"] = demand.sum() / MWH_PER_TWH
    buses["peak_demand_gw"] = demand.max() / MW_PER_GW
    # official 2023 provincial grid factors (MEE/NBS), carried for reporting; Tibet has none
    buses["grid_emission_factor_2023_gco2_per_kwh"] = ds.load_grid_emission_factors().reindex(buses.index)
    cap = model_capacity_mw(year).drop(columns=["coal_chp", "coal_captive"]) / MW_PER_GW
    return GridDescription(year=year, buses=buses, capacity_gw=cap, corridors=ds.load_corridors(),
                           sites=ds.load_sites())


def write_map(desc: GridDescription, path: str | Path) -> Path:
    """Write the PNG map of a description."""
    from computegrid.report.grid_map import write_grid_map

    return write_grid_map(desc.buses, desc.corridors, desc.sites, path,
                          title=f"China grid model {desc.year}")
