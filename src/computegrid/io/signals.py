"""Readers of grid signals for the scheduler: co-planning run folders and user CSV files.

Accepted inputs
---------------

1. A co-planning run folder ``runs/<run-id>/`` with ``signals.parquet`` (written by
   ``computegrid plan``): columns ``timestamp``, ``site``, ``curtailed_mw``,
   ``price_cny_per_mwh``, ``co2_avg_kg_per_mwh``, ``co2_marginal_kg_per_mwh``. Naive
   timestamps are Beijing time (the grid model's). An N-hourly run is expanded to hours by
   repeating each snapshot; the model year's hours are relabelled as a regular hourly
   sequence (the grid model drops 29 February). Runs at representative days cannot drive an
   hourly replay and are rejected.
2. A CSV in the tidy shape above (``timestamp``, ``site`` and any of the four signals).
3. A CSV exported from Electricity Maps (columns ``Datetime (UTC)``, ``Zone Id``,
   ``Carbon Intensity gCO₂eq/kWh (direct)`` or ``... (LCA)``; the API's ``datetime``,
   ``zone``, ``carbonIntensity`` too) or from WattTime (``point_time``, ``region`` or ``ba``,
   ``value`` = marginal operating emissions rate in lb/MWh).

In 2 and 3 the zone or site column holds site ids, or province names or codes (a province's
values then apply to each of its sites). Missing signals: marginal intensity = average
intensity and vice versa (Electricity Maps gives the average, WattTime the marginal one);
``price_cny_per_mwh`` = 0 (the objective is then carbon only); ``curtailed_mw`` = 0.
Naive timestamps in CSV files are UTC.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from computegrid.errors import DataFileError, InputError
from computegrid.io.user_csv import read_user_csv
from computegrid.scheduling.signals import SIGNAL_COLUMNS, SiteSignals, make_signals
from computegrid.units import lb_per_mwh_to_kg_per_mwh

#: Column aliases: (target column, accepted names, factor to the target unit)
_TIME = ("timestamp", "Datetime (UTC)", "datetime", "point_time")
_ZONE = ("site", "Zone Id", "zone", "region", "ba", "province")
_EM_AVG = ("co2_avg_kg_per_mwh", "Carbon Intensity gCO₂eq/kWh (direct)",
           "Carbon Intensity gCO2eq/kWh (direct)", "Carbon Intensity gCO₂eq/kWh (LCA)",
           "Carbon Intensity gCO2eq/kWh (LCA)", "carbonIntensity")


def read_run_signals(run_dir, sites=None) -> SiteSignals:
    """Signals of a co-planning run folder (``signals.parquet``).

    Parameters
    ----------
    run_dir : str or Path
        ``runs/<run-id>``.
    sites : sequence of str, optional
        Keep these sites (all must be present).
    """
    from computegrid.datasets.grid import TIME_ZONE

    path = Path(run_dir) / "signals.parquet"
    if not path.is_file():
        raise InputError("--run", str(run_dir), "a run folder of `computegrid plan` holding "
                                                "signals.parquet")
    try:
        f = pd.read_parquet(path)
    except Exception as exc:  # noqa: BLE001 - any unreadable file is the user's input
        raise DataFileError(str(path), type(exc).__name__, "a readable Parquet file") from None
    missing = [c for c in ("timestamp", "site", *SIGNAL_COLUMNS) if c not in f.columns]
    if missing:
        raise DataFileError(f"{path}: columns", ", ".join(missing) + " missing",
                            "signals need timestamp, site, " + ", ".join(SIGNAL_COLUMNS))
    ts = pd.to_datetime(f["timestamp"])
    if ts.dt.tz is None:
        ts = ts.dt.tz_localize(TIME_ZONE, ambiguous="NaT", nonexistent="shift_forward")
    f = f.assign(timestamp=ts.dt.tz_convert("UTC"))
    f = expand_to_hours(f, str(path))
    sig = make_signals(f, source=str(path))
    return sig.subset(list(sites)) if sites is not None else sig


def expand_to_hours(f: pd.DataFrame, source: str) -> pd.DataFrame:
    """Expand N-hourly snapshots to hourly rows on a regular hourly index.

    Each snapshot's values are repeated for N hours (mean power over the interval). Gaps in
    the snapshot sequence (the grid model drops 29 February) are closed: the hours are
    relabelled consecutively from the first snapshot.
    """
    snaps = pd.DatetimeIndex(pd.unique(f["timestamp"])).sort_values()
    if len(snaps) < 2:
        return f
    step_h = np.diff(snaps.as_unit("s").asi8) / 3600.0
    n_h = int(round(float(np.median(step_h))))
    gap = step_h > 24 * 1.01  # one gap allowed: the grid model's missing 29 February
    if n_h < 1 or not np.all(np.isclose(step_h, n_h) | gap) or gap.sum() > 1:
        raise DataFileError(f"{source}: column timestamp", f"steps of {sorted(set(step_h))[:4]} h",
                            "a regular hourly or N-hourly series (runs at representative days "
                            "cannot drive an hourly replay: re-run plan with --resolution 1h or 3h)")
    pos = {t: i for i, t in enumerate(snaps)}
    idx = f["timestamp"].map(pos).to_numpy()
    t0 = pd.Timestamp(snaps[0])
    rows = np.repeat(np.arange(len(f)), n_h)
    hour = np.repeat(idx * n_h, n_h) + np.tile(np.arange(n_h), len(f))
    out = f.iloc[rows].reset_index(drop=True)
    out["timestamp"] = t0 + pd.to_timedelta(hour, unit="h")
    return out


def read_signals_csv(path, sites=None) -> SiteSignals:
    """Read signals from a CSV file (tidy, Electricity Maps or WattTime shape; see module doc).

    Parameters
    ----------
    path : str or Path
    sites : SiteTable, optional
        Used to map province-level zones to sites and to check every site has signals.
    """
    raw = read_user_csv(path, "--signals")
    f = normalise_signal_columns(raw, str(path))
    if sites is not None:
        f = _zones_to_sites(f, sites, str(path))
    sig = make_signals(f, source=str(path))
    return sig.subset(sites.ids) if sites is not None else sig


def normalise_signal_columns(raw: pd.DataFrame, source: str) -> pd.DataFrame:
    """Rename Electricity Maps / WattTime columns to the tidy signal columns, fill the gaps."""
    def pick(names):
        return next((c for c in names if c in raw.columns), None)

    t, z = pick(_TIME), pick(_ZONE)
    if t is None or z is None:
        raise DataFileError(f"{source}: columns", ", ".join(map(str, raw.columns[:6])),
                            "a time column (timestamp, 'Datetime (UTC)', datetime, point_time) "
                            "and a zone column (site, 'Zone Id', zone, region, ba)")
    out = pd.DataFrame({"timestamp": raw[t], "site": raw[z].astype(str)})
    avg = pick(_EM_AVG)
    marg = "co2_marginal_kg_per_mwh" if "co2_marginal_kg_per_mwh" in raw.columns else None
    if marg is None and "value" in raw.columns:  # WattTime MOER, lb/MWh
        v = pd.to_numeric(raw["value"], errors="coerce")
        out["co2_marginal_kg_per_mwh"] = lb_per_mwh_to_kg_per_mwh(v)
    elif marg is not None:
        out["co2_marginal_kg_per_mwh"] = raw[marg]
    if avg is not None:
        out["co2_avg_kg_per_mwh"] = raw[avg]  # gCO2/kWh equals kgCO2/MWh
    if "co2_avg_kg_per_mwh" not in out and "co2_marginal_kg_per_mwh" not in out:
        raise DataFileError(f"{source}: columns", "no carbon intensity",
                            "co2_avg_kg_per_mwh, co2_marginal_kg_per_mwh, an Electricity Maps "
                            "'Carbon Intensity gCO₂eq/kWh' column or WattTime 'value'")
    if "co2_avg_kg_per_mwh" not in out:
        out["co2_avg_kg_per_mwh"] = out["co2_marginal_kg_per_mwh"]
    if "co2_marginal_kg_per_mwh" not in out:
        out["co2_marginal_kg_per_mwh"] = out["co2_avg_kg_per_mwh"]
    out["price_cny_per_mwh"] = raw["price_cny_per_mwh"] if "price_cny_per_mwh" in raw else 0.0
    out["curtailed_mw"] = raw["curtailed_mw"] if "curtailed_mw" in raw else 0.0
    return out


def _zones_to_sites(f: pd.DataFrame, sites, source: str) -> pd.DataFrame:
    """Map zone values that are provinces to every site of that province."""
    from computegrid.datasets.grid import province_code

    ids = set(sites.ids)
    parts = []
    for zone, g in f.groupby("site", sort=False):
        if zone in ids:
            parts.append(g)
            continue
        try:
            code = province_code(zone)
        except DataFileError:
            r = int(np.argmax((f["site"] == zone).to_numpy()))
            raise DataFileError(f"{source}: row {r + 1}, column site", zone,
                                "a site id (" + ", ".join(sites.ids) + ") or a province") from None
        for s in sites.frame.index[sites.frame["province"] == code]:
            if s not in set(f["site"]):
                parts.append(g.assign(site=s))
    return pd.concat(parts, ignore_index=True) if parts else f
