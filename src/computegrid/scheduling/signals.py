"""Grid signals per site and hour, as the scheduler uses them.

Four signals per site and hour (tidy columns, one row per ``timestamp`` x ``site``):

- ``curtailed_mw``: wind and solar power that would otherwise be curtailed near the site [MW];
  load up to it is taken as free and carbon-free (assumption: it would be wasted otherwise);
- ``price_cny_per_mwh``: marginal price at the site's bus [CNY/MWh];
- ``co2_avg_kg_per_mwh``: average CO2 intensity of the site's supply [kg/MWh];
- ``co2_marginal_kg_per_mwh``: CO2 of one more MWh there [kg/MWh].
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from computegrid.errors import DataFileError

SIGNAL_COLUMNS = ("curtailed_mw", "price_cny_per_mwh", "co2_avg_kg_per_mwh", "co2_marginal_kg_per_mwh")


@dataclass(frozen=True)
class SiteSignals:
    """Hourly signals on a regular hourly UTC index.

    Attributes
    ----------
    timestamps : pandas.DatetimeIndex
        Hour starts (tz-aware, UTC, regular, hourly), named ``timestamp``.
    sites : tuple of str
        Site ids, the row order of every array.
    values : dict of str -> ndarray
        :data:`SIGNAL_COLUMNS` -> ``sites x hours`` array in that column's unit.
    """

    timestamps: pd.DatetimeIndex
    sites: tuple
    values: dict

    def to_frame(self) -> pd.DataFrame:
        """Tidy frame: columns timestamp, site, and the four signals."""
        n_t = len(self.timestamps)
        out = pd.DataFrame({
            "timestamp": np.tile(self.timestamps, len(self.sites)),
            "site": np.repeat(np.asarray(self.sites, dtype=object), n_t),
        })
        for c in SIGNAL_COLUMNS:
            out[c] = self.values[c].reshape(-1)
        return out

    def subset(self, sites) -> SiteSignals:
        """Signals of the given sites, in that order (missing sites raise DataFileError)."""
        pos = {s: i for i, s in enumerate(self.sites)}
        missing = [s for s in sites if s not in pos]
        if missing:
            raise DataFileError("signals: column site", missing[0],
                                "signals for every site: have " + ", ".join(self.sites))
        rows = [pos[s] for s in sites]
        return SiteSignals(self.timestamps, tuple(sites), {c: v[rows] for c, v in self.values.items()})


def make_signals(frame: pd.DataFrame, source: str = "signals") -> SiteSignals:
    """Validate a tidy signals frame and pivot it to arrays.

    Parameters
    ----------
    frame : pandas.DataFrame
        Columns ``timestamp``, ``site`` and :data:`SIGNAL_COLUMNS`. Naive timestamps are
        read as UTC. Every site must have the same regular hourly timestamps; values must be
        finite; ``curtailed_mw`` and the intensities >= 0 (prices may be negative).

    Raises
    ------
    DataFileError
        One message naming the first bad row or column.
    """
    missing = [c for c in ("timestamp", "site", *SIGNAL_COLUMNS) if c not in frame.columns]
    if missing:
        raise DataFileError(f"{source}: columns", ", ".join(missing) + " missing",
                            "signals need timestamp, site, " + ", ".join(SIGNAL_COLUMNS))
    if len(frame) == 0:
        raise DataFileError(f"{source}: rows", 0, "at least one hour of signals")
    f = frame.reset_index(drop=True)
    ts = pd.to_datetime(f["timestamp"], errors="coerce", utc=True, format="mixed")
    bad = ts.isna().to_numpy()
    if bad.any():
        r = int(np.argmax(bad))
        raise DataFileError(f"{source}: row {r + 1}, column timestamp", f["timestamp"].iat[r],
                            "an ISO 8601 timestamp")
    f = f.assign(timestamp=ts.dt.as_unit("ns"), site=f["site"].astype(str))
    for c in SIGNAL_COLUMNS:
        v = pd.to_numeric(f[c], errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(v)
        if c != "price_cny_per_mwh":
            bad |= v < 0
        if bad.any():
            r = int(np.argmax(bad))
            allowed = "a finite number" if c == "price_cny_per_mwh" else "a finite number >= 0"
            raise DataFileError(f"{source}: row {r + 1}, column {c}", f[c].iat[r], allowed)
        f[c] = v
    dup = f.duplicated(["timestamp", "site"]).to_numpy()
    if dup.any():
        r = int(np.argmax(dup))
        raise DataFileError(f"{source}: row {r + 1}", f"{f['site'].iat[r]} at {f['timestamp'].iat[r]}",
                            "one row per site and hour")
    sites = tuple(pd.unique(f["site"]))
    idx = pd.DatetimeIndex(np.sort(pd.unique(f["timestamp"])), name="timestamp")
    if idx.tz is None:
        idx = idx.tz_localize("UTC")
    if len(idx) > 1:
        step = np.diff(idx.asi8)
        hour_ns = 3_600_000_000_000
        if not (step == hour_ns).all():
            k = int(np.argmax(step != hour_ns)) + 1
            raise DataFileError(f"{source}: column timestamp", str(idx[k]),
                                "regular hourly timestamps without gaps")
    if idx[0] != idx[0].floor("h"):
        raise DataFileError(f"{source}: column timestamp", str(idx[0]), "timestamps on the hour")
    counts = f.groupby("site", sort=False).size()
    short = counts[counts != len(idx)]
    if len(short):
        raise DataFileError(f"{source}: site {short.index[0]}", f"{int(short.iloc[0])} hours",
                            f"the same {len(idx)} hours for every site")
    wide = {c: f.pivot(index="site", columns="timestamp", values=c).loc[list(sites), idx].to_numpy()
            for c in SIGNAL_COLUMNS}
    return SiteSignals(idx.tz_convert("UTC"), sites, wide)


def aligned_index(signals: SiteSignals, start: pd.Timestamp, first_slot: int,
                  n_slots: int) -> np.ndarray:
    """Column of ``signals`` to use for each slot ``first_slot .. first_slot + n_slots - 1``.

    Slot 0 is the hour starting at ``start``. If the signals cover the slots from 0 on, each
    slot's own hour is used (negative history slots before the signals' first hour wrap to
    its end). Otherwise the trace is laid on the signals' calendar: same hour of the
    year, and the signals repeat cyclically (a one-year signal set replays a trace of any
    year; assumption: one year's signals stand for any year).

    Returns
    -------
    ndarray of int
    """
    ts = signals.timestamps
    n = len(ts)
    start = pd.Timestamp(start).tz_convert("UTC")
    first_h = int(round((start - ts[0]).total_seconds() / 3600.0))
    slots = np.arange(first_slot, first_slot + n_slots)
    direct = first_h + slots
    main = direct[slots >= 0]
    if len(main) and main.min() >= 0 and main.max() < n:
        # the signals cover the trace: its own hours (history before the signals' start,
        # used only by online forecasts of the first day, wraps to the signals' end)
        return np.mod(direct, n)
    # calendar alignment: hour of year of the trace start versus the signals' start
    def hour_of_year(t: pd.Timestamp) -> int:
        return int((t - pd.Timestamp(year=t.year, month=1, day=1, tz="UTC")).total_seconds() // 3600)
    offset = hour_of_year(start) - hour_of_year(ts[0])
    return np.mod(offset + slots, n)
