"""Loaders of the bundled data of China's power system (31 mainland provinces).

All files live in ``computegrid/datasets/data/grid/``; origins, commits and licences are listed in
``docs/data-sources.md`` (section "Grid"); ``tools/prepare_grid_data.py`` rebuilds them from the upstream
files. Every loader validates what it returns (shape, NaN, sign) and raises
:class:`computegrid.errors.DataFileError` naming the file, column, row and value.

Time series use the calendar of the weather year 2020 (the year of the wind and solar profiles) in
Beijing time (``Asia/Shanghai``), with 29 February removed so that a year has 8,760 hourly steps; the index
is a tz-aware ``DatetimeIndex`` named ``timestamp`` and each value is the mean power over the hour starting
at its label.

Province codes are the two-letter codes of pypsa-china-pik's ``province_codes.csv`` (AH, BJ, ... ZJ).
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd

from computegrid.errors import DataFileError

#: Weather year of the bundled wind and solar profiles (ERA5 2020 via atlite, pypsa-china-thu).
WEATHER_YEAR = 2020
#: Time zone of all bundled time series (China Standard Time, UTC+8).
TIME_ZONE = "Asia/Shanghai"
#: Years of the provincial annual demand table (pypsa-china-pik).
DEMAND_YEARS = tuple(range(2020, 2061, 5))
#: Backbone nodes whose coordinates are wrong in the Internet Topology Zoo source (topohub SOURCE notes).
BACKBONE_BAD_NODES = ("Hong Kong", "Xianggang", "Chengdou")

_DATA = "data/grid"


def _path(name: str):
    return resources.files("computegrid.datasets").joinpath(_DATA, name)


def _read_csv(name: str, **kwargs) -> pd.DataFrame:
    with resources.as_file(_path(name)) as p:
        return pd.read_csv(p, **kwargs)


def _read_parquet(name: str) -> pd.DataFrame:
    with resources.as_file(_path(name)) as p:
        return pd.read_parquet(p)


def _check_finite_nonneg(frame: pd.DataFrame, file: str, columns=None) -> None:
    cols = list(frame.columns if columns is None else columns)
    values = frame[cols].to_numpy(dtype=float)
    bad = ~np.isfinite(values) | (values < 0)
    if bad.any():
        r, c = np.argwhere(bad)[0]
        raise DataFileError(f"{file}: column {cols[c]}, row {frame.index[r]}", values[r, c],
                            "a finite value >= 0")


def model_timestamps(n_hours: int = 8760) -> pd.DatetimeIndex:
    """Hourly timestamps of the model year (weather year 2020, 29 February removed, Beijing time).

    Returns
    -------
    pandas.DatetimeIndex
        8,760 tz-aware hourly labels named ``timestamp``.
    """
    idx = pd.date_range(f"{WEATHER_YEAR}-01-01", periods=8784, freq="h", tz=TIME_ZONE)
    idx = idx[~((idx.month == 2) & (idx.day == 29))][:n_hours]
    idx.name = "timestamp"
    return idx


@lru_cache(maxsize=1)
def _provinces() -> pd.DataFrame:
    df = _read_csv("provinces.csv", index_col="province", dtype={"adcode": str})
    if len(df) != 31:
        raise DataFileError("provinces.csv: rows", len(df), "31 mainland provinces")
    return df


def load_provinces() -> pd.DataFrame:
    """The 31 mainland provinces.

    Returns
    -------
    pandas.DataFrame
        Index ``province`` (two-letter code); columns ``name`` (as in pypsa-china-pik), ``name_zh``,
        ``latitude_deg``, ``longitude_deg`` (seat of the provincial government, cpca adcodes.csv) [deg],
        ``adcode``.
    """
    return _provinces().copy()


def province_code(name: str) -> str:
    """Province code of a name (``"Inner Mongolia"``, ``"InnerMongolia"``, ``"NM"`` -> ``"NM"``)."""
    prov = _provinces()
    key = str(name).replace(" ", "").replace("_", "").replace("-", "").lower()
    for code, row in prov.iterrows():
        if key in (code.lower(), row["name"].lower()):
            return code
    raise DataFileError("province", name, "one of " + ", ".join(prov.index))


def load_sites() -> pd.DataFrame:
    """Candidate data-centre sites: the 10 East-Data-West-Computing clusters and 4 metro areas.

    Returns
    -------
    pandas.DataFrame
        Index ``site`` (kebab-case id); columns ``province`` (code of the bus the site attaches to),
        ``name``, ``kind`` (``edwc-cluster`` or ``metro``), ``side`` (``east`` or ``west``),
        ``latitude_deg``, ``longitude_deg`` [deg], ``pue`` [-], ``capacity_max_mw`` (IT power cap) [MW],
        ``capex_facility_cny_per_kw_it`` and ``capex_it_cny_per_kw_it`` (overnight cost per kW of IT
        power) [CNY/kW], ``lifetime_facility_yr``, ``lifetime_it_yr`` [yr], ``discount_rate_frac`` [-],
        ``source``, and the derived ``capex_cny_per_kw_it`` (facility + IT) [CNY/kW] and
        ``capex_annualised_cny_per_kw_it_yr`` (each part annualised over its own lifetime) [CNY/kW/yr].

    Notes
    -----
    Cluster coordinates and PUE caps come from ``edwc_clusters.csv`` (NDRC approvals); metro PUE is the
    national ceiling for new large data centres (1.3). Capacity caps and costs are assumptions documented in
    ``docs/grid-model.md`` (section "Sites").
    """
    df = _read_csv("sites.csv", index_col="site")
    prov = _provinces()
    unknown = ~df["province"].isin(prov.index)
    if unknown.any():
        raise DataFileError(f"sites.csv: column province, row {df.index[unknown][0]}",
                            df.loc[unknown, "province"].iloc[0], "a province code")
    _check_finite_nonneg(df, "sites.csv", ["pue", "capacity_max_mw", "capex_facility_cny_per_kw_it",
                                           "capex_it_cny_per_kw_it"])
    df["capex_cny_per_kw_it"] = df["capex_facility_cny_per_kw_it"] + df["capex_it_cny_per_kw_it"]
    df["capex_annualised_cny_per_kw_it_yr"] = (
        df["capex_facility_cny_per_kw_it"] * annuity_factor(df["discount_rate_frac"], df["lifetime_facility_yr"])
        + df["capex_it_cny_per_kw_it"] * annuity_factor(df["discount_rate_frac"], df["lifetime_it_yr"]))
    return df


def annuity_factor(discount_rate_frac, lifetime_yr):
    """Capital recovery factor r / (1 - (1 + r)^-n); 1/n where r = 0. [1/yr]"""
    r = np.asarray(discount_rate_frac, dtype=float)
    n = np.asarray(lifetime_yr, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        f = np.where(r > 0, r / (1 - (1 + r) ** (-n)), 1.0 / n)
    return f if f.ndim else float(f)


def load_edwc_clusters() -> pd.DataFrame:
    """The 10 East-Data-West-Computing clusters as published (facts/edwc_clusters.csv), province as code."""
    df = _read_csv("edwc_clusters.csv")
    df["province"] = df["province"].map(province_code)
    return df


def load_hourly_demand_mw(year: int | None = None) -> pd.DataFrame:
    """Hourly electricity demand of the 31 provinces.

    Parameters
    ----------
    year : int, optional
        Target year 2020..2060: each province's profile is scaled to its annual demand of that year
        (:func:`annual_demand_mwh`). ``None`` returns the raw 2018 profile (NDRC data, pypsa-china-pik).

    Returns
    -------
    pandas.DataFrame
        ``timestamp x province``, mean power per hour. [MW]
    """
    raw = _read_parquet("demand_hourly_2018_mw.parquet").astype(float)
    if raw.shape != (8760, 31):
        raise DataFileError("demand_hourly_2018_mw.parquet: shape", raw.shape, "8760 x 31")
    raw.index = model_timestamps()
    raw.columns.name = "province"
    _check_finite_nonneg(raw, "demand_hourly_2018_mw.parquet")
    if year is None:
        return raw
    target = annual_demand_mwh(year)
    return raw * (target / raw.sum()).reindex(raw.columns)


def load_annual_demand_mwh() -> pd.DataFrame:
    """Provincial annual electricity demand 2020..2060 every 5 years (pypsa-china-pik). [MWh]

    Returns
    -------
    pandas.DataFrame
        ``province x year`` (int columns). [MWh]
    """
    df = _read_csv("demand_annual_mwh.csv", index_col="province")
    df.columns = [int(c) for c in df.columns]
    _check_finite_nonneg(df, "demand_annual_mwh.csv")
    return df


def annual_demand_mwh(year: int) -> pd.Series:
    """Provincial annual demand of one year, linear between the 5-yearly values. [MWh]"""
    table = load_annual_demand_mwh()
    if not (DEMAND_YEARS[0] <= int(year) <= DEMAND_YEARS[-1]):
        from computegrid.errors import InputError

        raise InputError("year", year, f"a year from {DEMAND_YEARS[0]} to {DEMAND_YEARS[-1]}")
    years = np.array(table.columns, dtype=float)
    values = np.array([np.interp(float(year), years, row) for row in table.to_numpy(float)])
    return pd.Series(values, index=table.index, name=f"demand_{year}_mwh")


def load_corridors() -> pd.DataFrame:
    """The 56 existing inter-provincial transmission corridors (pypsa-china-pik edges_current.csv).

    Returns
    -------
    pandas.DataFrame
        Index ``corridor`` (``"AH-JS"``); columns ``bus0``, ``bus1`` (province codes), ``capacity_mw``. [MW]
    """
    df = _read_csv("corridors.csv")
    prov = _provinces().index
    for col in ("bus0", "bus1"):
        bad = ~df[col].isin(prov)
        if bad.any():
            raise DataFileError(f"corridors.csv: column {col}, row {int(np.argmax(bad))}",
                                df.loc[bad, col].iloc[0], "a province code")
    _check_finite_nonneg(df, "corridors.csv", ["capacity_mw"])
    df.index = pd.Index(df["bus0"] + "-" + df["bus1"], name="corridor")
    return df


def load_capacity_mw() -> pd.DataFrame:
    """Installed capacity by province and technology, about 2020 (year-end stock).

    Returns
    -------
    pandas.DataFrame
        Index ``province``; columns [MW]: ``coal_mw`` (condensing coal), ``coal_chp_mw`` (coal combined heat
        and power), ``gas_mw`` (pypsa-china-thu China_current_capacity.csv); ``nuclear_mw``, ``phs_mw``
        (pypsa-china-pik); ``hydro_incl_phs_mw`` (CEC/NBS year-end 2020, plants >= 6 MW, including pumped
        storage; Tianjin and Tibet, absent there, from pypsa-china-thu, flagged in
        ``hydro_incl_phs_from_thu``); ``onwind_mw``, ``offwind_mw``, ``solar_mw`` (pypsa-china-thu);
        ``battery_mw`` (pypsa-china-thu, 2020 column, zero); and the derived ``hydro_mw`` =
        max(hydro_incl_phs_mw - phs_mw, 0) (conventional hydro).
    """
    df = _read_csv("capacity_2020_mw.csv", index_col="province")
    num = [c for c in df.columns if c.endswith("_mw")]
    _check_finite_nonneg(df, "capacity_2020_mw.csv", num)
    df["hydro_mw"] = (df["hydro_incl_phs_mw"] - df["phs_mw"]).clip(lower=0.0)
    return df


def load_renewable_profiles() -> pd.DataFrame:
    """Hourly 2020 capacity factors of onshore wind, offshore wind and solar PV (uncalibrated).

    ERA5 reanalysis converted by atlite (pypsa-china-thu), averaged over each province's eligible land.
    The source holds 8,784 hours; its time labels are Beijing time already (solar output peaks at the
    12:00 label in eastern provinces, where solar noon is about 12:00 CST; checked in the tests), so no
    shift is applied; 29 February is removed.

    Returns
    -------
    pandas.DataFrame
        ``timestamp x (carrier, province)`` with carrier in ``onwind``, ``offwind``, ``solar``;
        offwind only for the 11 coastal provinces. [p.u.]
    """
    raw = _read_parquet("renewable_profiles_2020.parquet")
    raw = raw.drop(columns=["time_local"]).astype(float)
    if len(raw) != 8784:
        raise DataFileError("renewable_profiles_2020.parquet: rows", len(raw), "8784 hours of 2020")
    values = raw.to_numpy()
    local = pd.date_range(f"{WEATHER_YEAR}-01-01", periods=8784, freq="h", tz=TIME_ZONE)
    keep = ~((local.month == 2) & (local.day == 29))
    out = pd.DataFrame(values[keep], index=model_timestamps(),
                       columns=pd.MultiIndex.from_tuples([tuple(c.split(":")) for c in raw.columns],
                                                         names=["carrier", "province"]))
    _check_finite_nonneg(out, "renewable_profiles_2020.parquet")
    if (out.to_numpy() > 1 + 1e-6).any():
        raise DataFileError("renewable_profiles_2020.parquet", float(out.max().max()), "values <= 1")
    return out


def load_full_load_hours() -> pd.DataFrame:
    """Realised 2020 full-load hours of wind and solar by province (CEC/NEA statistics).

    Returns
    -------
    pandas.DataFrame
        Index ``province``; ``wind_full_load_hours_h``, ``solar_full_load_hours_h``. [h]
    """
    df = _read_csv("full_load_hours_2020.csv", index_col="province")
    _check_finite_nonneg(df, "full_load_hours_2020.csv",
                         ["wind_full_load_hours_h", "solar_full_load_hours_h"])
    return df


def load_grid_emission_factors() -> pd.Series:
    """Official 2023 provincial average grid CO2 emission factors (MEE & NBS Announcement 2025 No. 47,
    Table 3, via codecarbon 3.3.2), for reporting. 30 provinces (Tibet absent). [gCO2/kWh]"""
    df = _read_csv("grid_emission_factors_2023.csv", index_col="province")
    _check_finite_nonneg(df, "grid_emission_factors_2023.csv", ["emission_factor_gco2_per_kwh"])
    return df["emission_factor_gco2_per_kwh"].rename("emission_factor_gco2_per_kwh")


def load_backbone(name: str, drop_bad_nodes: bool = True) -> tuple[pd.DataFrame, pd.DataFrame]:
    """An internet backbone graph of China (Internet Topology Zoo via topohub).

    Parameters
    ----------
    name : {"chinanet", "cernet"}
        China Telecom ChinaNet (38 nodes, 62 links) or CERNET (37 nodes, 54 links).
    drop_bad_nodes : bool, default True
        Drop the nodes whose coordinates are wrong in the source (Hong Kong/Xianggang, Chengdou).

    Returns
    -------
    nodes : pandas.DataFrame
        Index node id; columns ``name``, ``latitude_deg``, ``longitude_deg``. [deg]
    edges : pandas.DataFrame
        Columns ``source``, ``target``, ``length_km`` (great-circle length of each link). [km]
    """
    key = str(name).lower()
    if key not in ("chinanet", "cernet"):
        from computegrid.errors import InputError

        raise InputError("name", name, "one of chinanet, cernet")
    with resources.as_file(_path(f"{key}.json")) as p:
        graph = json.loads(p.read_text())
    nodes = pd.DataFrame([{"id": n["id"], "name": n["name"], "longitude_deg": n["pos"][0],
                           "latitude_deg": n["pos"][1]} for n in graph["nodes"]]).set_index("id")
    edges = pd.DataFrame([{"source": e["source"], "target": e["target"], "length_km": e["dist"]}
                          for e in graph["edges"]])
    if drop_bad_nodes:
        nodes = nodes[~nodes["name"].isin(BACKBONE_BAD_NODES)]
        edges = edges[edges["source"].isin(nodes.index) & edges["target"].isin(nodes.index)]
    return nodes, edges.reset_index(drop=True)


def load_official_2020() -> pd.DataFrame:
    """Official 2020 national figures used to validate the base year, one source per row.

    Returns
    -------
    pandas.DataFrame
        Index ``key`` (``generation_twh.coal``, ..., ``curtailment_frac.wind``,
        ``emission_factor_tco2_per_mwh``); columns ``value``, ``unit``, ``source``.
    """
    df = _read_csv("official_2020.csv", index_col="key")
    _check_finite_nonneg(df, "official_2020.csv", ["value"])
    return df
