"""The grid signals the HTTP service serves: from a signals file or the newest planning run.

A signals file is the tidy table of :mod:`computegrid.scheduling.signals` (``timestamp``,
``site``, ``curtailed_mw``, ``price_cny_per_mwh``, ``co2_avg_kg_per_mwh``,
``co2_marginal_kg_per_mwh``) as CSV or Parquet; a planning run writes it as
``runs/<run-id>/signals.parquet``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from computegrid import units
from computegrid.errors import InputError
from computegrid.scheduling.signals import SIGNAL_COLUMNS, SiteSignals, make_signals

SIGNALS_FILE = "signals.parquet"


@dataclass(frozen=True)
class SignalFeed:
    """Validated hourly signals with where they came from."""

    source: str
    generated_at: datetime
    signals: SiteSignals
    _intensity: dict = field(default_factory=dict, repr=False, compare=False)

    def intensity_g_per_kwh(self, kind: str = "marginal") -> pd.DataFrame:
        """Carbon intensity, ``timestamp x site`` (computed once per feed). [g/kWh]

        ``marginal`` (CO2 of one more MWh, what the Carbon Aware SDK's sources report) or
        ``average``. Treat the frame as read-only: it is shared between requests.
        """
        if kind not in self._intensity:
            column = {"marginal": "co2_marginal_kg_per_mwh", "average": "co2_avg_kg_per_mwh"}[kind]
            values = units.kg_per_mwh_to_g_per_kwh(self.signals.values[column])
            self._intensity[kind] = pd.DataFrame(values.T, index=self.signals.timestamps,
                                                 columns=list(self.signals.sites))
        return self._intensity[kind]

    def hours(self, start: datetime | None, end: datetime | None) -> tuple[pd.DatetimeIndex, np.ndarray]:
        """Hours ``[start, end)`` and the signal columns that stand for them.

        Without ``start``: the signals' own hours. Dates outside the signals are laid on the
        signals' calendar by hour of the year (assumption: the modelled year stands for any year).
        """
        from computegrid.scheduling.signals import aligned_index

        ts = self.signals.timestamps
        if start is None:
            if end is not None:
                raise InputError("query.start", "missing", "a start time when end is given")
            return ts, np.arange(len(ts))
        t0 = _utc(start, "start").floor("h")
        t1 = _utc(end, "end") if end is not None else t0 + pd.Timedelta(hours=24)
        if t1 <= t0:
            raise InputError("query.end", str(end), "a time after start")
        n = int(np.ceil((t1 - t0) / pd.Timedelta(hours=1)))
        if n > len(ts):
            raise InputError("query.end", str(end), f"at most {len(ts)} h after start")
        idx = pd.date_range(t0, periods=n, freq="h", name="timestamp")
        return idx, aligned_index(self.signals, t0, 0, n)


def _utc(value, field: str) -> pd.Timestamp:
    from computegrid.services.signals.carbon_aware import check_year

    check_year(value, "query." + field)
    t = pd.Timestamp(value)
    return t.tz_localize("UTC") if t.tzinfo is None else t.tz_convert("UTC")


def to_hourly(frame: pd.DataFrame) -> pd.DataFrame:
    """Expand N-hourly signals (a planning run at N-hour resolution) to consecutive hours.

    Each value is the mean over its interval starting at the label, so it stands for every hour
    of the interval (repeated N, the most common step). A planning run's model year has 8,760
    hours even when labelled on a leap year (29 February is skipped); such gaps are closed by
    labelling the hours consecutively from the first label, so that hour k of the model year is
    hour k of the served year. Frames with steps that are not multiples of N are returned
    unchanged (``make_signals`` then reports them).
    """
    if "timestamp" not in frame.columns or len(frame) == 0:
        return frame
    ts = pd.to_datetime(frame["timestamp"], errors="coerce", utc=True, format="mixed")
    if ts.isna().any():
        return frame
    labels = pd.DatetimeIndex(ts).unique().sort_values().as_unit("ns")
    if len(labels) < 2:
        return frame
    hour_ns = 3_600_000_000_000
    steps = np.diff(labels.asi8)
    values, counts = np.unique(steps, return_counts=True)
    step = int(values[np.argmax(counts)])
    if step % hour_ns or (steps % step).any():
        return frame
    n = step // hour_ns
    if n == 1 and (steps == step).all():
        return frame
    position = pd.Series(np.arange(len(labels)), index=labels)
    k = position.reindex(pd.DatetimeIndex(ts).as_unit("ns")).to_numpy()
    out = frame.loc[frame.index.repeat(n)].copy()
    hours = np.repeat(k * n, n) + np.tile(np.arange(n), len(frame))
    out["timestamp"] = labels[0] + pd.to_timedelta(hours, unit="h")
    return out.reset_index(drop=True)


def read_signal_feed(path: Path) -> SignalFeed:
    """Read a signals file (``.csv`` / ``.parquet``) or a run folder holding ``signals.parquet``."""
    path = Path(path)
    file = path / SIGNALS_FILE if path.is_dir() else path
    if not file.exists():
        raise InputError("--signals", str(path), "a signals .csv/.parquet file or a run folder with "
                         + SIGNALS_FILE)
    if file.suffix == ".parquet":
        frame = pd.read_parquet(file)
    elif file.suffix == ".csv":
        frame = pd.read_csv(file)
    else:
        raise InputError("--signals", str(path), "a .csv or .parquet file")
    signals = make_signals(to_hourly(frame), source=file.name)
    generated = datetime.fromtimestamp(file.stat().st_mtime, UTC)
    return SignalFeed(source=str(file.parent.name if path.is_dir() else file.name),
                      generated_at=generated, signals=signals)


class SignalFeedCache:
    """Keeps the current feed in memory; reloads when the source file or the newest run changes.

    Parameters
    ----------
    signals_path : Path, optional
        A fixed signals file or run folder. Without it, the newest succeeded planning run that
        wrote ``signals.parquet`` is used.
    runs_dir : Path
        Folder of planning-run results.
    """

    def __init__(self, signals_path: Path | None, runs_dir: Path):
        self.signals_path = Path(signals_path) if signals_path else None
        self.runs_dir = Path(runs_dir)
        self._lock = threading.Lock()
        self._key: tuple | None = None
        self._feed: SignalFeed | None = None

    def current(self, newest_run_ids: list[str]) -> SignalFeed | None:
        """The feed to serve, or ``None`` when there are no signals yet.

        ``newest_run_ids``: ids of succeeded planning runs, newest first.
        """
        source = self.signals_path
        if source is None:
            source = next((self.runs_dir / r for r in newest_run_ids
                           if (self.runs_dir / r / SIGNALS_FILE).exists()), None)
            if source is None:
                return None
        file = source / SIGNALS_FILE if source.is_dir() else source
        key = (str(file), file.stat().st_mtime_ns if file.exists() else None)
        with self._lock:
            if key != self._key:
                self._feed = read_signal_feed(source)
                self._key = key
            return self._feed


__all__ = ["SIGNAL_COLUMNS", "SignalFeed", "SignalFeedCache", "read_signal_feed"]
