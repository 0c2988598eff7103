"""Grid signals per site and hour: the use case behind ``GET /v1/signals`` and the scheduler.

Stable entry point: :func:`get_signals` returns a tidy frame for some sites and a time
range. Sources, in order of precedence: a co-planning run folder (``run_dir``), a user CSV
(``signals_file``: tidy, Electricity Maps or WattTime shape, see
:mod:`computegrid.io.signals`), else the default: a base-year dispatch of the grid model
(:func:`computegrid.grid.signals.province_signals`, 3-hourly, base year
:data:`DEFAULT_GRID_YEAR`, the validated network of ``grid validate``), solved once and cached
as Parquet under the user cache directory (``$COMPUTEGRID_CACHE_DIR``, else
``$XDG_CACHE_HOME/computegrid``, else ``~/.cache/computegrid``). The first solve takes minutes
(the 2024 base year at 3h: about 10 minutes on two loaded cores); later calls read the cache.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from computegrid.errors import InputError
from computegrid.io.atomic import atomic_write
from computegrid.scheduling.signals import SIGNAL_COLUMNS, SiteSignals, make_signals
from computegrid.scheduling.sites import SiteTable

#: Base year of the default signals: the validated dispatch of this base year
#: (:func:`computegrid.grid.base_year.solve_base_year`, the path of ``grid validate --year``):
#: 2024, whose wind and solar curtailment is calibrated to the official rates (docs/grid-model.md).
DEFAULT_GRID_YEAR = 2024
DEFAULT_GRID_RESOLUTION = "3h"
#: Version of the way the grid signals are derived, part of the cache file's name so that a
#: cache from an older method is never read: 3 = the base year's validated network with its
#: operating rules (proportional wind/solar curtailment; in 2024 also daily DC schedules); 2 = marginal factor from the optimal basis, average
#: factor by flow tracing; 1 = the merit-order heuristic and the local mix.
GRID_SIGNALS_METHOD = 3


def cache_dir() -> Path:
    """The user cache directory of computegrid (not created)."""
    env = os.environ.get("COMPUTEGRID_CACHE_DIR")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "computegrid"


def grid_cache_path(year: int = DEFAULT_GRID_YEAR, resolution: str = DEFAULT_GRID_RESOLUTION) -> Path:
    """Where the grid-derived province signals are cached: the name carries the base year, the
    resolution, the method version, a hash of the base year's parameters and the model's fingerprint
    (:func:`computegrid.io.fingerprint.model_fingerprint`: code and bundled data), so that a
    recalibration of the base year or a new data file gives a new file, never a stale read)."""
    from computegrid.grid.base_year import parameters_key
    from computegrid.io.fingerprint import SIGNALS_PARTS, model_fingerprint

    key = parameters_key(year)
    return (cache_dir() / "signals"
            / f"grid-{year}-{resolution}-m{GRID_SIGNALS_METHOD}-{key}-{model_fingerprint(SIGNALS_PARTS)[:8]}.parquet")


def signal_source(run_dir=None, signals_file=None, year: int = DEFAULT_GRID_YEAR,
                  resolution: str = DEFAULT_GRID_RESOLUTION) -> str:
    """One line naming the signals used (the ``signal_source`` of the scheduler's output)."""
    if run_dir is not None:
        return f"co-planning run {run_dir} (its signals.parquet)"
    if signals_file is not None:
        return f"file {signals_file}"
    return (f"grid model, {year} base-year dispatch ({resolution}); marginal factor: LP sensitivity "
            "of the dispatch, average factor: flow tracing")


def province_grid_signals(year: int = DEFAULT_GRID_YEAR, resolution: str = DEFAULT_GRID_RESOLUTION,
                          compute_if_missing: bool = True) -> pd.DataFrame:
    """Province signals from the grid model, from the cache or solved and cached now.

    Raises
    ------
    InputError
        Not cached and ``compute_if_missing`` is False.
    """
    path = grid_cache_path(year, resolution)
    if path.is_file():
        return pd.read_parquet(path)
    if not compute_if_missing:
        raise InputError("signals", "no cached grid signals",
                         f"give --signals FILE or --run RUN_DIR, or compute them once (cache {path})")
    from computegrid.grid.signals import province_signals

    frame = province_signals(year=year, resolution=resolution)
    atomic_write(path, lambda tmp: frame.to_parquet(tmp, index=False))
    return frame


def site_signals_from_provinces(province_frame: pd.DataFrame, sites: SiteTable) -> SiteSignals:
    """Give each site the signals of its province (the grid model's bus)."""
    parts = []
    for site, prov in sites.frame["province"].items():
        g = province_frame[province_frame["province"] == prov]
        if g.empty:
            raise InputError(f"site {site}: province", prov, "a province of the grid model")
        parts.append(g.drop(columns="province").assign(site=site))
    return make_signals(pd.concat(parts, ignore_index=True), source="grid model signals")


def load_site_signals(sites: SiteTable, *, run_dir=None, signals_file=None,
                      compute_if_missing: bool = True) -> SiteSignals:
    """Signals for every site in ``sites`` from the first source given (see module doc)."""
    if run_dir is not None and signals_file is not None:
        raise InputError("--run/--signals", "both given", "give one source of signals")
    if run_dir is not None:
        from computegrid.io.signals import read_run_signals

        return read_run_signals(run_dir, sites=sites.ids)
    if signals_file is not None:
        from computegrid.io.signals import read_signals_csv

        return read_signals_csv(signals_file, sites=sites)
    return site_signals_from_provinces(province_grid_signals(compute_if_missing=compute_if_missing),
                                       sites)


def get_signals(sites: list[str] | str | None = None, start=None, end=None, *, run_dir=None,
                signals_file=None, site_table: SiteTable | None = None,
                compute_if_missing: bool = True) -> pd.DataFrame:
    """Hourly signals for sites and a time range, as a tidy frame.

    Parameters
    ----------
    sites : str or list of str, optional
        Site ids (default: every site).
    start, end : timestamp-like, optional
        Half-open range ``[start, end)``; naive values are UTC. Default: everything.
    run_dir, signals_file : path, optional
        Source of the signals (default: the cached grid-model dispatch).
    site_table : SiteTable, optional
        Sites (default: the grid model's candidate sites).
    compute_if_missing : bool
        Solve the grid model if its signals are not cached (minutes).

    Returns
    -------
    pandas.DataFrame
        Columns ``timestamp`` (UTC), ``site``, ``curtailed_mw`` [MW], ``price_cny_per_mwh``
        [CNY/MWh], ``co2_avg_kg_per_mwh``, ``co2_marginal_kg_per_mwh`` [kg/MWh], sorted by
        site then time.

    Raises
    ------
    InputError
        Unknown site, ``start`` not before ``end``, or a range with no signals.
    """
    from computegrid.scheduling.sites import default_sites

    table = site_table or default_sites(1)
    want = [sites] if isinstance(sites, str) else (list(sites) if sites else table.ids)
    unknown = [s for s in want if s not in table.ids]
    if unknown:
        raise InputError("site", unknown[0], "one of " + ", ".join(table.ids))
    sub = SiteTable(table.frame.loc[want])
    sig = load_site_signals(sub, run_dir=run_dir, signals_file=signals_file,
                            compute_if_missing=compute_if_missing)
    frame = sig.to_frame()
    t0 = _utc(start, "start")
    t1 = _utc(end, "end")
    if t0 is not None and t1 is not None and not t0 < t1:
        raise InputError("start", str(t0), f"a time before end ({t1})")
    if t0 is not None:
        frame = frame[frame["timestamp"] >= t0]
    if t1 is not None:
        frame = frame[frame["timestamp"] < t1]
    if frame.empty:
        raise InputError("start/end", f"{t0} .. {t1}",
                         f"a range within {sig.timestamps[0]} .. {sig.timestamps[-1]}")
    return frame[["timestamp", "site", *SIGNAL_COLUMNS]].reset_index(drop=True)


def _utc(value, name):
    if value is None:
        return None
    try:
        t = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise InputError(name, value, "an ISO 8601 timestamp") from None
    return t.tz_localize("UTC") if t.tz is None else t.tz_convert("UTC")


def best_window(sites: list[str] | str | None = None, start=None, end=None, duration_h: int = 1,
                signal: str = "co2_marginal_kg_per_mwh", **source) -> dict:
    """The site and start hour with the lowest mean of a signal over a run of ``duration_h``
    hours inside ``[start, end)`` (the Carbon Aware SDK's "best time window", across sites).

    Parameters
    ----------
    sites, start, end : see :func:`get_signals`
    duration_h : int
        Length of the run, whole hours >= 1. [h]
    signal : str
        One of the four signal columns (``curtailed_mw`` is maximised, the others minimised).
    **source
        ``run_dir``, ``signals_file``, ``site_table``, ``compute_if_missing`` as in
        :func:`get_signals`.

    Returns
    -------
    dict
        ``site``, ``start_time`` (UTC ISO 8601), ``duration_h``, ``signal``, ``value`` (the
        window's mean, in the signal's unit).
    """
    import numpy as np

    if signal not in SIGNAL_COLUMNS:
        raise InputError("signal", signal, "one of " + ", ".join(SIGNAL_COLUMNS))
    if not (isinstance(duration_h, (int, np.integer)) and duration_h >= 1):
        raise InputError("duration_h", duration_h, "a whole number of hours >= 1")
    frame = get_signals(sites, start, end, **source)
    sign = -1.0 if signal == "curtailed_mw" else 1.0
    best = None
    for site, g in frame.groupby("site", sort=False):
        v = g[signal].to_numpy(dtype=float)
        if len(v) < duration_h:
            continue
        c = np.concatenate([[0.0], np.cumsum(v)])
        mean = (c[duration_h:] - c[:-duration_h]) / duration_h
        k = int(np.argmin(sign * mean))
        if best is None or sign * mean[k] < sign * best["value"]:
            best = {"site": site, "start_time": g["timestamp"].iat[k].strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "duration_h": int(duration_h), "signal": signal, "value": float(mean[k])}
    if best is None:
        raise InputError("duration_h", duration_h, "a run that fits inside start..end")
    return best
