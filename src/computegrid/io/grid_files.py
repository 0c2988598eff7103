"""Readers of user-supplied grid data: regions, sites, demand, profiles (CSV/YAML), renewables.ninja CSV and
atlite profile netCDF.

Every reader validates the whole file before returning and raises :class:`DataFileError` on the first
problem, naming the file, the column, the row (1 = first data row) and the value: missing columns, unit
suffixes other than the documented ones, NaN, negative capacity, unknown provinces, time indexes with gaps
or duplicates, capacity factors outside [0, 1]. Nothing is returned half-loaded.

File formats
------------
regions (CSV or YAML list of mappings)
    ``province`` (code), ``name``, ``latitude_deg``, ``longitude_deg``.
sites (CSV or YAML)
    ``site``, ``province`` (a known code), ``latitude_deg``, ``longitude_deg``, ``pue`` (>= 1),
    ``capacity_max_mw`` (>= 0); optional ``kind``, ``side``, ``name``, ``capex_*_cny_per_kw_it``.
demand (CSV)
    ``timestamp`` (ISO 8601, regular steps, no gaps) and one column per province named ``<code>_mw``
    (``_kw`` and ``_gw`` are converted to MW). [MW]
profiles (CSV)
    ``timestamp`` and columns ``<code>_<carrier>_pu`` with carrier in onwind, offwind, solar. [p.u.]
renewables.ninja (CSV)
    The site's download: ``#`` metadata lines (JSON with ``capacity``), then ``time,[local_time,]electricity``
    in kW for the stated capacity; returned as capacity factor. [p.u.]
atlite (netCDF)
    Variable ``profile(time, bus)`` [p.u.], as written by atlite/PyPSA-Eur ``profile_*.nc``; bus names are
    province names or codes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from computegrid.errors import DataFileError
from computegrid.grid.carriers import VRE_CARRIERS
from computegrid.units import KW_PER_MW, MW_PER_GW

PROFILE_CARRIERS = VRE_CARRIERS


def _name(path) -> str:
    return Path(path).name


def _read_table(path) -> pd.DataFrame:
    path = Path(path)
    if not path.exists():
        raise DataFileError(str(path), "missing", "an existing file")
    suffix = path.suffix.lower()
    try:
        if suffix in (".yaml", ".yml"):
            import yaml

            data = yaml.safe_load(path.read_text())
            if isinstance(data, dict):
                data = next(iter(data.values())) if len(data) == 1 else [data]
            if not isinstance(data, list):
                raise DataFileError(_name(path), type(data).__name__, "a YAML list of mappings")
            return pd.DataFrame(data)
        if suffix == ".csv":
            return pd.read_csv(path, comment=None)
    except DataFileError:
        raise
    except Exception as exc:  # noqa: BLE001 - parse errors become one line
        raise DataFileError(_name(path), str(exc).splitlines()[0][:120], "a readable CSV/YAML file") from None
    raise DataFileError(_name(path), suffix, "a .csv, .yaml or .yml file")


def _require(df: pd.DataFrame, file: str, columns: Iterable[str]) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise DataFileError(f"{file}: column {missing[0]}", "missing",
                            "required columns: " + ", ".join(columns))


def _numeric(df: pd.DataFrame, file: str, column: str, lo: float | None = None, hi: float | None = None,
             what: str = "a number") -> np.ndarray:
    values = pd.to_numeric(df[column], errors="coerce").to_numpy(dtype=float)
    for i, (raw, v) in enumerate(zip(df[column].to_numpy(), values)):
        if not np.isfinite(v):
            raise DataFileError(f"{file}: column {column}, row {i + 1}", raw, what)
        if (lo is not None and v < lo) or (hi is not None and v > hi):
            bounds = f"{what} in [{lo if lo is not None else '-inf'}, {hi if hi is not None else 'inf'}]"
            raise DataFileError(f"{file}: column {column}, row {i + 1}", raw, bounds)
    return values


def _known_provinces(provinces) -> list[str]:
    if provinces is None:
        from computegrid.datasets.grid import load_provinces

        return list(load_provinces().index)
    return list(provinces)


def read_regions(path) -> pd.DataFrame:
    """Regions (buses) file -> DataFrame indexed by ``province`` with name and coordinates [deg]."""
    file = _name(path)
    df = _read_table(path)
    _require(df, file, ("province", "name", "latitude_deg", "longitude_deg"))
    df["latitude_deg"] = _numeric(df, file, "latitude_deg", -90, 90, "a latitude")
    df["longitude_deg"] = _numeric(df, file, "longitude_deg", -180, 180, "a longitude")
    codes = df["province"].astype(str)
    dup = codes.duplicated()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        raise DataFileError(f"{file}: column province, row {i + 1}", codes.iloc[i], "unique region codes")
    df["province"] = codes
    return df.set_index("province")


def read_sites(path, provinces=None) -> pd.DataFrame:
    """Sites file -> DataFrame indexed by ``site`` (see module docstring for columns)."""
    file = _name(path)
    df = _read_table(path)
    _require(df, file, ("site", "province", "latitude_deg", "longitude_deg", "pue", "capacity_max_mw"))
    known = set(_known_provinces(provinces))
    for i, p in enumerate(df["province"].astype(str)):
        if p not in known:
            raise DataFileError(f"{file}: column province, row {i + 1}", p,
                                "a province code of the model (" + ", ".join(sorted(known)) + ")")
    df["latitude_deg"] = _numeric(df, file, "latitude_deg", -90, 90, "a latitude")
    df["longitude_deg"] = _numeric(df, file, "longitude_deg", -180, 180, "a longitude")
    df["pue"] = _numeric(df, file, "pue", 1.0, 5.0, "a PUE")
    df["capacity_max_mw"] = _numeric(df, file, "capacity_max_mw", 0.0, None, "an IT capacity in MW")
    for col in [c for c in df.columns if c.endswith("_cny_per_kw_it")]:
        df[col] = _numeric(df, file, col, 0.0, None, "a cost >= 0")
    dup = df["site"].astype(str).duplicated()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        raise DataFileError(f"{file}: column site, row {i + 1}", df["site"].iloc[i], "unique site ids")
    return df.set_index("site")


def _time_index(df: pd.DataFrame, file: str, column: str = "timestamp") -> pd.DatetimeIndex:
    _require(df, file, (column,))
    idx = pd.to_datetime(df[column], errors="coerce")
    bad = idx.isna().to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise DataFileError(f"{file}: column {column}, row {i + 1}", df[column].iloc[i], "an ISO 8601 time")
    idx = pd.DatetimeIndex(idx)
    if len(idx) < 2:
        raise DataFileError(f"{file}: column {column}", len(idx), "at least two time steps")
    step = idx[1] - idx[0]
    diffs = idx[1:] - idx[:-1]
    wrong = np.flatnonzero(diffs != step)
    if step <= pd.Timedelta(0) or len(wrong):
        i = int(wrong[0]) + 1 if len(wrong) else 1
        raise DataFileError(f"{file}: column {column}, row {i + 1}", str(idx[i]),
                            f"regular steps of {step} without gaps or duplicates (previous row {idx[i - 1]})")
    idx.name = "timestamp"
    return idx


def read_demand(path, provinces=None) -> pd.DataFrame:
    """Demand CSV -> ``timestamp x province`` [MW]."""
    file = _name(path)
    df = _read_table(path)
    idx = _time_index(df, file)
    known = set(_known_provinces(provinces))
    factors = {"mw": 1.0, "kw": 1.0 / KW_PER_MW, "gw": MW_PER_GW}
    out = {}
    for col in df.columns:
        if col == "timestamp":
            continue
        code, _, unit = str(col).rpartition("_")
        if unit.lower() not in factors or not code:
            raise DataFileError(f"{file}: column {col}", col,
                                "power columns named <province>_mw (or _kw, _gw); energy units such as "
                                "_mwh are not accepted")
        if code not in known:
            raise DataFileError(f"{file}: column {col}", code, "a province code of the model")
        out[code] = _numeric(df, file, col, 0.0, None, "a demand >= 0") * factors[unit.lower()]
    if not out:
        raise DataFileError(f"{file}: columns", list(df.columns), "at least one <province>_mw column")
    return pd.DataFrame(out, index=idx).rename_axis(columns="province")


def read_profiles(path, provinces=None) -> pd.DataFrame:
    """Profile CSV -> ``timestamp x (carrier, province)`` capacity factors [p.u.]."""
    file = _name(path)
    df = _read_table(path)
    idx = _time_index(df, file)
    known = set(_known_provinces(provinces))
    out = {}
    for col in df.columns:
        if col == "timestamp":
            continue
        parts = str(col).split("_")
        if len(parts) != 3 or parts[2] != "pu" or parts[1] not in PROFILE_CARRIERS:
            raise DataFileError(f"{file}: column {col}", col,
                                "columns named <province>_<carrier>_pu, carrier in " + ", ".join(PROFILE_CARRIERS))
        if parts[0] not in known:
            raise DataFileError(f"{file}: column {col}", parts[0], "a province code of the model")
        out[(parts[1], parts[0])] = _numeric(df, file, col, 0.0, 1.0, "a capacity factor (p.u., not %)")
    return pd.DataFrame(out, index=idx).rename_axis(columns=["carrier", "province"])


def read_renewables_ninja(path) -> pd.Series:
    """renewables.ninja CSV download -> capacity factor series with a UTC index [p.u.]."""
    path = Path(path)
    file = _name(path)
    if not path.exists():
        raise DataFileError(str(path), "missing", "an existing file")
    capacity_kw = 1.0
    lines = path.read_text().splitlines()
    for line in lines:
        if not line.startswith("#"):
            break
        text = line.lstrip("#").strip()
        if text.startswith("{"):
            try:
                meta = json.loads(text)
            except json.JSONDecodeError:
                continue
            capacity_kw = float(meta.get("params", meta).get("capacity", capacity_kw))
            unit = meta.get("units", {}).get("electricity")
            if unit is not None and unit != "kW":
                raise DataFileError(f"{file}: metadata units.electricity", unit, "kW")
    if not capacity_kw > 0:
        raise DataFileError(f"{file}: metadata capacity", capacity_kw, "a capacity > 0 kW")
    df = pd.read_csv(path, comment="#")
    _require(df, file, ("time", "electricity"))
    idx = _time_index(df, file, column="time").tz_localize("UTC")
    values = _numeric(df, file, "electricity", 0.0, capacity_kw * (1 + 1e-6), f"output in kW <= capacity "
                      f"{capacity_kw} kW") / capacity_kw
    return pd.Series(values, index=idx, name="capacity_factor_pu")


def read_atlite_profile(path, provinces=None) -> pd.DataFrame:
    """atlite profile netCDF -> ``time x province`` capacity factors [p.u.] (bus names mapped to codes)."""
    import xarray as xr

    path = Path(path)
    file = _name(path)
    if not path.exists():
        raise DataFileError(str(path), "missing", "an existing file")
    try:
        ds = xr.open_dataset(path)
    except Exception as exc:  # noqa: BLE001
        raise DataFileError(file, str(exc).splitlines()[0][:120], "a readable netCDF file") from None
    with ds:
        if "profile" not in ds:
            raise DataFileError(f"{file}: variable profile", "missing", "a variable profile(time, bus)")
        prof = ds["profile"]
        if set(prof.dims) != {"time", "bus"}:
            raise DataFileError(f"{file}: variable profile", list(prof.dims), "dimensions (time, bus)")
        frame = prof.transpose("time", "bus").to_pandas()
    from computegrid.datasets.grid import province_code

    known = set(_known_provinces(provinces))
    cols = []
    for b in frame.columns:
        try:
            code = province_code(str(b)) if str(b) not in known else str(b)
        except DataFileError:
            raise DataFileError(f"{file}: bus", str(b), "a province name or code of the model") from None
        cols.append(code)
    frame.columns = pd.Index(cols, name="province")
    idx = _time_index(pd.DataFrame({"timestamp": frame.index}), file)
    frame.index = idx
    values = frame.to_numpy(dtype=float)
    bad = ~np.isfinite(values) | (values < 0) | (values > 1 + 1e-6)
    if bad.any():
        r, c = np.argwhere(bad)[0]
        raise DataFileError(f"{file}: bus {frame.columns[c]}, row {r + 1}", values[r, c],
                            "a capacity factor in [0, 1]")
    return frame
