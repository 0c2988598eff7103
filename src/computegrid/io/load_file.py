"""Reader of a user's hourly load file for ``computegrid headroom --load-file``.

Format (CSV): a ``timestamp`` column (ISO 8601, one row per hour, strictly increasing by one hour, one
UTC offset for the whole file or none) and one column per region holding the mean load over the hour
starting at the timestamp, in MW. Every value must be a finite number >= 0. The file must hold at least
one hour in June-August and one in December-February (the two seasons whose peaks set the thresholds).

Every problem raises :class:`computegrid.errors.DataFileError` naming the file, the column, the row
(1 = first data row) and the value; nothing is returned half-loaded.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from computegrid.errors import DataFileError
from computegrid.io.user_csv import read_user_csv

TIME_COLUMN = "timestamp"
_HOUR = pd.Timedelta(hours=1)


def _parse_times(raw: pd.Series, file: str) -> pd.DatetimeIndex:
    text = raw.astype("string")
    try:
        idx = pd.to_datetime(text, format="ISO8601", errors="coerce")
    except (ValueError, TypeError):  # mixed UTC offsets (for example across a daylight-saving change)
        raise DataFileError(f"{file}: column {TIME_COLUMN}", f"{raw.iloc[0]} ...",
                            "timestamps with one UTC offset for the whole file (or none)") from None
    bad = np.flatnonzero(idx.isna().to_numpy())
    if len(bad):
        i = int(bad[0])
        raise DataFileError(f"{file}: column {TIME_COLUMN}, row {i + 1}", raw.iloc[i],
                            "an ISO 8601 time such as 2024-07-01T13:00")
    return pd.DatetimeIndex(idx, name=TIME_COLUMN)


def _check_hourly(idx: pd.DatetimeIndex, file: str) -> None:
    """Order first, then duplicates, then gaps: a row out of order also leaves a gap before it."""
    diffs = idx[1:] - idx[:-1]
    zero = pd.Timedelta(0)
    for bad, allowed in ((diffs < zero, "timestamps in increasing order (row {i} is {prev})"),
                         (diffs == zero, "each hour once (duplicate of row {i})"),
                         (diffs != _HOUR, "hourly steps without gaps (row {i} is {prev})")):
        wrong = np.flatnonzero(np.asarray(bad))
        if len(wrong):
            i = int(wrong[0]) + 1  # 0-based position of the offending row; row i + 1 in the file
            raise DataFileError(f"{file}: column {TIME_COLUMN}, row {i + 1}", str(idx[i]),
                                allowed.format(i=i, prev=idx[i - 1]))


def _values(df: pd.DataFrame, columns: list, file: str) -> np.ndarray:
    raw = df[columns]
    values = raw.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    missing = raw.isna().to_numpy()
    problems = ((missing, "a load in MW (the value is missing)"),
                (~np.isfinite(values) & ~missing, "a number (load in MW)"),
                (values < 0, "a load >= 0 MW"))
    bad = np.zeros(values.shape, dtype=bool)
    for mask, _ in problems:
        bad |= mask
    if bad.any():
        r, c = np.argwhere(bad)[0]  # the first bad cell, row by row
        allowed = next(text for mask, text in problems if mask[r, c])
        value = "" if missing[r, c] else raw.iat[r, c]
        raise DataFileError(f"{file}: column {columns[c]}, row {r + 1}", value, allowed)
    return values


def read_hourly_load(path) -> pd.DataFrame:
    """Read and validate an hourly load file.

    Parameters
    ----------
    path : str or pathlib.Path
        CSV file (see the module docstring).

    Returns
    -------
    pandas.DataFrame
        ``timestamp x region`` mean load per hour, index named ``timestamp`` (tz-aware if the file gives
        an offset, in that offset's wall-clock time). [MW]
    """
    file = Path(path).name
    df = read_user_csv(path, "--load-file", "an existing CSV file with a timestamp column and one "
                                            "column per region in MW")
    if TIME_COLUMN not in df.columns:
        raise DataFileError(f"{file}: column {TIME_COLUMN}", "missing",
                            f"a '{TIME_COLUMN}' column (ISO 8601, hourly); columns found: "
                            + ", ".join(map(str, df.columns)))
    regions = [c for c in df.columns if c != TIME_COLUMN]
    if not regions:
        raise DataFileError(f"{file}: columns", TIME_COLUMN, "at least one region column in MW")
    if len(df) < 2:
        raise DataFileError(f"{file}: rows", len(df), "at least two hours of data")
    dup = pd.Index(regions).duplicated()
    if dup.any():
        raise DataFileError(f"{file}: columns", regions[int(np.flatnonzero(dup)[0])], "unique region names")
    idx = _parse_times(df[TIME_COLUMN], file)
    _check_hourly(idx, file)
    values = _values(df, regions, file)
    months = idx.month
    for months_needed, season in (((6, 7, 8), "June-August"), ((12, 1, 2), "December-February")):
        if not np.isin(months, months_needed).any():
            raise DataFileError(f"{file}: column {TIME_COLUMN}", f"{idx[0]} .. {idx[-1]}",
                                f"at least one hour in {season} (its peak sets a seasonal threshold)")
    return pd.DataFrame(values, index=idx, columns=pd.Index([str(c) for c in regions], name="region"))
