"""The grid signals the HTTP service serves: a signals file, the newest published planning run,
or by default the base-year dispatch of the grid model, built once in the background.

Locations: every candidate site (its id, e.g. ``zhangjiakou``) and, in the default signals,
every province (its English name in lower case, e.g. ``ningxia``, ``innermongolia``). Three
sites carry a province's name (``beijing``, ``shanghai``, ``chongqing``); there the id names the
site, whose signals in the default source are its province's.

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

#: Builder of the default signals: the base-year dispatch (cached on disk by
#: :func:`computegrid.services.signals.grid_signals.province_grid_signals`), for every site and province.
DEFAULT_SIGNALS_BUILDER = "computegrid.services.signals.signal_feed:default_signals_frame"

#: Seconds a client is told to wait while the default signals are being built. [s]
#: assumption: 30 s, a small fraction of the build (minutes, docs/service.md).
BUILDING_RETRY_AFTER_S = 30


class SignalsNotReady(Exception):
    """No signals to serve yet; ``retry_after_s`` is set while the default signals are built."""

    def __init__(self, message: str, retry_after_s: int | None = None):
        super().__init__(message)
        self.retry_after_s = retry_after_s


def province_location(name: str) -> str:
    """Location id of a province: its English name in lower case (``InnerMongolia`` ->
    ``innermongolia``)."""
    return name.strip().lower().replace(" ", "")


def default_signals_frame() -> pd.DataFrame:
    """Signals of every site and province from the cached base-year dispatch (solved, and
    cached, on the first call; one process solves while the others wait on a lock file)."""
    import fcntl

    from computegrid.datasets.grid import load_provinces
    from computegrid.scheduling.sites import default_sites
    from computegrid.services.signals.grid_signals import grid_cache_path, province_grid_signals

    lock_path = grid_cache_path().with_suffix(".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        frame = province_grid_signals()
    names = load_provinces()["name"].map(province_location)
    sites = default_sites(1).frame["province"]
    provinces = frame.assign(site=frame["province"].map(names))
    provinces = provinces[~provinces["site"].isin(sites.index)]  # the site keeps the name
    parts = [provinces] + [frame[frame["province"] == prov].assign(site=site)
                           for site, prov in sites.items()]
    return pd.concat(parts, ignore_index=True).drop(columns="province")


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
    """Keeps the current feed in memory; reloads when the source file or the newest published
    run changes; builds the default signals once, in a background thread, when there is neither.

    Parameters
    ----------
    signals_path : Path, optional
        A fixed signals file or run folder.
    runs_dir : Path
        Folder of planning-run results.
    builder : str, optional
        ``module:function`` returning the default signals frame; ``None``: no default.
    """

    def __init__(self, signals_path: Path | None, runs_dir: Path, builder: str | None = None):
        self.signals_path = Path(signals_path) if signals_path else None
        self.runs_dir = Path(runs_dir)
        self.builder = builder
        self._lock = threading.Lock()
        self._key: tuple | None = None
        self._feed: SignalFeed | None = None
        self._default: SignalFeed | None = None
        self._building: threading.Thread | None = None
        self._build_error: str | None = None
        self.build_seconds: float | None = None

    def current(self, published_run_ids: list[str]) -> SignalFeed:
        """The feed to serve.

        ``published_run_ids``: ids of published succeeded planning runs, newest first.

        Raises
        ------
        SignalsNotReady
            No signals yet (with ``retry_after_s`` while the default signals are built).
        """
        source = self.signals_path
        if source is None:
            source = next((self.runs_dir / r for r in published_run_ids
                           if (self.runs_dir / r / SIGNALS_FILE).exists()), None)
            if source is None:
                return self._default_feed()
        file = source / SIGNALS_FILE if source.is_dir() else source
        key = (str(file), file.stat().st_mtime_ns if file.exists() else None)
        with self._lock:
            if key != self._key:
                self._feed = read_signal_feed(source)
                self._key = key
            return self._feed

    def _default_feed(self) -> SignalFeed:
        with self._lock:
            if self._default is not None:
                return self._default
            if self.builder is None:
                raise SignalsNotReady("no grid signals yet: publish a planning run "
                                      "(computegrid runs publish RUN_ID) or start the server "
                                      "with --signals FILE")
            if self._building is None or (not self._building.is_alive() and self._build_error):
                self._build_error = None
                self._building = threading.Thread(target=self._build, name="default-signals",
                                                  daemon=True)
                self._building.start()
            error = self._build_error
        if error:
            raise SignalsNotReady(f"building the default grid signals failed ({error}); "
                                  "retrying", BUILDING_RETRY_AFTER_S)
        raise SignalsNotReady("the default grid signals (base-year dispatch) are being built; "
                              "retry later", BUILDING_RETRY_AFTER_S)

    def _build(self) -> None:
        import multiprocessing
        import time
        from concurrent.futures import ProcessPoolExecutor

        t0 = time.perf_counter()
        try:
            # In a child process, so that the solve does not hold this process's GIL while
            # requests are answered. Normal CPU priority: measured at nice 10 on a busy host it
            # got 36 s of CPU in 14 minutes (docs/service.md, "First start").
            with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
                frame = pool.submit(_call, str(self.builder)).result()
            feed = SignalFeed(source="default: base-year grid dispatch",
                              generated_at=datetime.now(UTC),
                              signals=make_signals(to_hourly(frame), source="default signals"))
        except Exception as exc:  # noqa: BLE001 - reported to clients, the build is retried
            with self._lock:
                self._build_error = f"{type(exc).__name__}: {exc}"[:300]
            return
        with self._lock:
            self._default = feed
            self.build_seconds = time.perf_counter() - t0


def _call(builder: str) -> pd.DataFrame:
    """Call ``module:function`` (in the builder's child process)."""
    import importlib

    module_name, _, fn_name = builder.partition(":")
    return getattr(importlib.import_module(module_name), fn_name)()


__all__ = ["SIGNAL_COLUMNS", "SignalFeed", "SignalFeedCache", "SignalsNotReady",
           "read_signal_feed"]
