"""China's generation and storage fleet by year: the documented capacity-growth path of the adequacy check.

National capacities [GW] by carrier at anchor years (official end-2024 figures, policy targets, and
marked assumptions; see ``supply/data/capacity_outlook_china_gw.csv`` for the source of each value),
linearly interpolated between anchors. ``supply="frozen"`` holds the latest official fleet (end-2024):
the "no new supply" case.
"""

from __future__ import annotations

from importlib import resources

import numpy as np
import pandas as pd

from computegrid.errors import DataFileError, InputError

SUPPLY_CASES = ("planned", "frozen")
FROZEN_YEAR = 2024
CARRIERS = ("coal", "gas", "nuclear", "hydro", "onwind", "offwind", "solar", "PHS", "battery")


def load_capacity_outlook_gw() -> pd.DataFrame:
    """The packaged anchor table: columns ``carrier``, ``year``, ``capacity_gw`` [GW], ``source``."""
    with resources.files("computegrid.supply").joinpath("data/capacity_outlook_china_gw.csv").open(
            encoding="utf-8") as fh:
        df = pd.read_csv(fh)
    missing = {"carrier", "year", "capacity_gw", "source"} - set(df.columns)
    if missing:
        raise DataFileError("capacity_outlook_china_gw.csv", ", ".join(sorted(missing)), "columns present")
    if (df["capacity_gw"] < 0).any() or df["capacity_gw"].isna().any():
        raise DataFileError("capacity_outlook_china_gw.csv: column capacity_gw", "negative or missing",
                            "capacities >= 0")
    return df


def national_capacity_gw(year: int, supply: str = "planned", table: pd.DataFrame | None = None) -> dict[str, float]:
    """National capacity by carrier in a year. [GW]

    Parameters
    ----------
    year : int
        Target year, 2024 .. last anchor year. [yr]
    supply : {"planned", "frozen"}
        ``planned``: interpolate the anchor path; ``frozen``: the end-2024 fleet.
    """
    if supply not in SUPPLY_CASES:
        raise InputError("--supply", supply, f"one of {', '.join(SUPPLY_CASES)}")
    table = load_capacity_outlook_gw() if table is None else table
    last = int(table["year"].max())
    if not FROZEN_YEAR <= year <= last:
        raise InputError("year", year, f"a year in {FROZEN_YEAR}-{last} (capacity outlook)")
    at = FROZEN_YEAR if supply == "frozen" else year
    out = {}
    for carrier, grp in table.groupby("carrier"):
        grp = grp.sort_values("year")
        out[str(carrier)] = float(np.interp(at, grp["year"], grp["capacity_gw"]))
    return out
