"""Loaders of the base years of the grid model: the 2020 stock and the end-2024 fleet.

The end-2024 files (``capacity_2024_mw.csv``, ``fleet_2024_national.csv``, ``demand_annual_2024_mwh.csv``,
``corridors_added_2020_2024.csv``, ``official_2024.csv``, ``curtailment_rank_2024.csv``) are rebuilt by
``tools/prepare_grid_2024.py`` or compiled by hand with a source on every row; origins and licences are in
``docs/data-sources.md`` (section "Grid"). A user may replace part of a base-year fleet with a CSV file
(:func:`computegrid.io.fleet_file.read_user_fleet`).
"""

from __future__ import annotations

import pandas as pd

from computegrid.datasets import grid as ds
from computegrid.errors import DataFileError, InputError

#: Base years with a fleet and official statistics bundled.
BASE_YEARS = (2020, 2024)
#: Carriers a user fleet file may set, and the column of the capacity table each one replaces.
FLEET_CARRIERS = {"coal": "coal_mw", "coal_chp": "coal_chp_mw", "gas": "gas_mw", "nuclear": "nuclear_mw",
                  "hydro": "hydro_mw", "PHS": "phs_mw", "battery": "battery_mw", "onwind": "onwind_mw",
                  "offwind": "offwind_mw", "solar": "solar_mw"}


def check_base_year(year, field: str = "--year") -> int:
    """The year as int if it is a base year, else :class:`InputError` naming the available years."""
    try:
        y = int(year)
    except (TypeError, ValueError):
        y = None
    if y not in BASE_YEARS:
        raise InputError(field, year, "available base years: " + ", ".join(str(b) for b in BASE_YEARS))
    return y


def load_fleet_mw(year: int) -> pd.DataFrame:
    """Installed capacity of a base year by province, in the columns of :func:`ds.load_capacity_mw`.

    Parameters
    ----------
    year : {2020, 2024}

    Returns
    -------
    pandas.DataFrame
        Index ``province``; ``coal_mw`` (condensing), ``coal_chp_mw``, ``gas_mw``, ``nuclear_mw``,
        ``hydro_mw`` (conventional), ``phs_mw``, ``battery_mw``, ``onwind_mw``, ``offwind_mw``, ``solar_mw``
        [MW], ``coal_captive_mw`` (the captive part of coal + CHP) [MW]; for 2024 also ``battery_mwh``
        [MWh], ``solar_utility_mw`` and ``solar_distributed_mw`` [MW] (``solar_mw`` is their sum).
    """
    if check_base_year(year, "year") == 2020:
        df = ds.load_capacity_mw()
        captive = ds._read_csv("coal_captive_2020_mw.csv", index_col="province")
        _check_provinces(captive.index, "coal_captive_2020_mw.csv")
        ds._check_finite_nonneg(captive, "coal_captive_2020_mw.csv")
        df["coal_captive_mw"] = captive["coal_captive_mw"].reindex(df.index).fillna(0.0)
        return df
    df = ds._read_csv("capacity_2024_mw.csv", index_col="province")
    _check_provinces(df.index, "capacity_2024_mw.csv")
    ds._check_finite_nonneg(df, "capacity_2024_mw.csv")
    df["solar_mw"] = df["solar_utility_mw"] + df["solar_distributed_mw"]
    return df


def _check_provinces(index, file: str) -> None:
    known = ds.load_provinces().index
    bad = [p for p in index if p not in known]
    if bad:
        raise DataFileError(f"{file}: column province", bad[0], "a province code")


def load_national_fleet_2024() -> pd.DataFrame:
    """Official end-2024 national capacity by carrier with sources and the provincial split used.

    Returns
    -------
    pandas.DataFrame
        Index ``carrier``; ``capacity_mw`` [MW], ``energy_mwh`` (storage only) [MWh], ``source``,
        ``provincial_split``.
    """
    df = ds._read_csv("fleet_2024_national.csv", index_col="carrier")
    ds._check_finite_nonneg(df, "fleet_2024_national.csv", ["capacity_mw"])
    return df


def load_annual_demand_2024_mwh() -> pd.Series:
    """2024 electricity consumption by province (NBS provincial statistics, scaled to NEA's 9,852.1 TWh).

    Returns
    -------
    pandas.Series
        Index ``province``. [MWh]
    """
    df = ds._read_csv("demand_annual_2024_mwh.csv", index_col="province")
    _check_provinces(df.index, "demand_annual_2024_mwh.csv")
    ds._check_finite_nonneg(df, "demand_annual_2024_mwh.csv")
    return df["demand_mwh"].rename("demand_2024_mwh")


def load_corridors_base_year(year: int) -> pd.DataFrame:
    """Inter-provincial corridors in operation at the end of a base year.

    2020: the 56 corridors of :func:`ds.load_corridors`. 2024: those plus the lines commissioned 2020-2024
    that the list lacks (``corridors_added_2020_2024.csv``, ``in_corridors_csv`` false); a line between a
    pair already listed adds to its capacity.

    Returns
    -------
    pandas.DataFrame
        Index ``corridor`` (``"AH-JS"``); ``bus0``, ``bus1``, ``capacity_mw`` [MW].
    """
    base = ds.load_corridors()
    if check_base_year(year, "year") == 2020:
        return base
    added = ds._read_csv("corridors_added_2020_2024.csv")
    for col in ("bus0", "bus1"):
        _check_provinces(added[col], "corridors_added_2020_2024.csv")
    added = added[~added["in_corridors_csv"].astype(bool)]
    rows = base[["bus0", "bus1", "capacity_mw"]].copy()
    for _, r in added.iterrows():
        a, b = sorted((r["bus0"], r["bus1"]))
        hit = ((rows["bus0"] == a) & (rows["bus1"] == b)) | ((rows["bus0"] == b) & (rows["bus1"] == a))
        if hit.any():
            rows.loc[hit.idxmax(), "capacity_mw"] += float(r["capacity_mw"])
        else:
            rows.loc[f"{a}-{b}"] = [a, b, float(r["capacity_mw"])]
    rows.index = pd.Index(rows["bus0"] + "-" + rows["bus1"], name="corridor")
    return rows


def load_official(year: int) -> pd.DataFrame:
    """Official national figures of a base year for ``grid validate``, one source per row.

    Returns
    -------
    pandas.DataFrame
        Index ``key`` (``generation_twh.coal``, ..., ``curtailment_frac.wind``,
        ``emission_factor_tco2_per_mwh``); ``value``, ``unit``, ``source``.
    """
    if check_base_year(year) == 2020:
        return ds.load_official_2020()
    df = ds._read_csv("official_2024.csv", index_col="key")
    ds._check_finite_nonneg(df, "official_2024.csv", ["value"])
    return df


def load_curtailment_rank_2024() -> pd.DataFrame:
    """The five provinces with the highest official 2024 wind and solar curtailment, highest first.

    Returns
    -------
    pandas.DataFrame
        Index ``rank`` (1..5); ``province``, ``source``.
    """
    df = ds._read_csv("curtailment_rank_2024.csv", index_col="rank")
    _check_provinces(df["province"], "curtailment_rank_2024.csv")
    return df
