"""Carbon Aware SDK semantics over computegrid's hourly signals.

The Green Software Foundation Carbon Aware SDK answers two questions that schedulers ask:
"which of these locations has the lowest carbon intensity in this period?"
(``/emissions/bylocations/best``) and "when, in the coming hours, is the best window of a given
length to run?" (``/emissions/forecasts/current``). This module answers both from an hourly
intensity table (``timestamp x site``, g/kWh), so that SDK clients work unchanged against
computegrid.

Calendar: the signals cover one modelled year (e.g. a planning run's 8,760 hours). A request
for other dates is laid on the signals' calendar by hour of the year, cyclically (assumption: the
modelled year stands for any year, as in ``computegrid.scheduling.signals.aligned_index``); the
answer reports the requested dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd

from computegrid.errors import InputError

#: Longest period one request may cover. [h] (assumption: one year, the span of the signals)
MAX_SPAN_H = 8760
#: Forecast horizon of ``current_forecasts`` when no end is given. [h]
#: assumption: 24 h, the day-ahead horizon of WattTime and Electricity Maps forecasts.
FORECAST_HORIZON_H = 24


@dataclass(frozen=True)
class EmissionsPoint:
    """One location and time with its carbon intensity over ``duration_min``."""

    location: str
    time: datetime
    rating_g_per_kwh: float
    duration_min: int


@dataclass(frozen=True)
class Forecast:
    """Forecast of one location: data points (rolling window means) and the optimal ones."""

    location: str
    generated_at: datetime
    requested_at: datetime
    data_start_at: datetime
    data_end_at: datetime
    window_size_min: int
    forecast_data: list[EmissionsPoint]
    optimal_data_points: list[EmissionsPoint]


#: Years a query may name. assumption: far enough either side of any modelled year.
YEAR_RANGE = (1900, 2200)


def check_year(ts: datetime | pd.Timestamp, field: str) -> None:
    """Refuse dates outside :data:`YEAR_RANGE` (pandas cannot represent far dates in ns)."""
    if not YEAR_RANGE[0] <= ts.year <= YEAR_RANGE[1]:
        raise InputError(field, str(ts), f"a date-time in the years {YEAR_RANGE[0]}..{YEAR_RANGE[1]}")


def _utc(ts: datetime | pd.Timestamp, field: str) -> pd.Timestamp:
    check_year(ts, field)
    t = pd.Timestamp(ts)
    if t.tzinfo is None:
        t = t.tz_localize("UTC")
    try:
        return t.tz_convert("UTC")
    except (OverflowError, ValueError) as exc:  # pragma: no cover - extreme dates
        raise InputError(field, str(ts), "a date-time between years 1900 and 2200") from exc


def unique_locations(locations: list[str]) -> list[str]:
    """Locations in lower case, empty ones dropped, each once, in the order given (a location
    repeated 100 times is answered once)."""
    return list(dict.fromkeys(loc.strip().lower() for loc in locations if loc and loc.strip()))


def _check_locations(intensity: pd.DataFrame, locations: list[str], field: str) -> list[str]:
    """The unique locations (matched without regard to case), as ``intensity``'s columns."""
    locations = unique_locations(locations)
    if not locations:
        raise InputError(field, "missing", f"{field} is not set: at least one location")
    columns = {str(c).lower(): c for c in intensity.columns}
    unknown = [loc for loc in locations if loc not in columns]
    if unknown:
        raise InputError(field, unknown[0], "a location of GET /locations")
    return list(dict.fromkeys(columns[loc] for loc in locations))


def _hours(intensity: pd.DataFrame, start: pd.Timestamp, n_hours: int) -> np.ndarray:
    """Row positions in ``intensity`` of the hours ``start .. start + n_hours - 1``."""
    idx = intensity.index
    n = len(idx)
    first = int((start - idx[0]) // pd.Timedelta(hours=1))
    if 0 <= first and first + n_hours <= n:
        return np.arange(first, first + n_hours)

    def hour_of_year(t: pd.Timestamp) -> int:
        return int((t - pd.Timestamp(year=t.year, month=1, day=1, tz="UTC")) // pd.Timedelta(hours=1))

    offset = hour_of_year(start) - hour_of_year(idx[0])
    return np.mod(offset + np.arange(n_hours), n)


def _values(intensity: pd.DataFrame, locations: list[str], rows: np.ndarray) -> np.ndarray:
    """``intensity`` at row positions ``rows`` and columns ``locations``, copying only those
    cells (selecting the columns first copies every hour of the year: about 1 ms a request)."""
    position = {c: i for i, c in enumerate(intensity.columns)}
    return intensity.to_numpy(dtype=float)[np.ix_(rows, [position[c] for c in locations])]


def _window_means(values: np.ndarray, window_h: int) -> np.ndarray:
    """Mean over each window of ``window_h`` hours starting at each hour (``len - window + 1``)."""
    if window_h <= 1:
        return values
    c = np.concatenate([[0.0], np.cumsum(values)])
    return (c[window_h:] - c[:-window_h]) / window_h


def _window_hours(minutes: int | None, field: str) -> int:
    if minutes is None or minutes == 0:
        return 1
    if minutes < 0 or minutes > MAX_SPAN_H * 60:
        raise InputError(field, minutes, f"minutes in 0..{MAX_SPAN_H * 60}")
    return max(1, int(np.ceil(minutes / 60)))


def best_emissions(intensity: pd.DataFrame, locations: list[str],
                   start: datetime | None = None, end: datetime | None = None,
                   duration_min: int = 0) -> list[EmissionsPoint]:
    """Every tied best point (see :func:`best_emissions_capped`, which this calls uncapped)."""
    return best_emissions_capped(intensity, locations, start, end, duration_min)[0]


def best_emissions_capped(intensity: pd.DataFrame, locations: list[str],
                          start: datetime | None = None, end: datetime | None = None,
                          duration_min: int = 0, max_points: int | None = None
                          ) -> tuple[list[EmissionsPoint], int]:
    """The lowest-intensity location(s) and time(s), as ``/emissions/bylocations/best``.

    Parameters
    ----------
    intensity : pandas.DataFrame
        Hourly carbon intensity, index ``timestamp`` (UTC, regular), one column per site. [g/kWh]
    locations : list of str
        Site ids to compare.
    start, end : datetime, optional
        Period of possible start times (``end`` exclusive). Without ``start``: the signals' own
        hours. With ``start`` and no ``end``: the one hour at ``start``.
    duration_min : int, default 0
        Length of the workload; the rating is the mean over ``ceil(duration / 60)`` hours
        starting at each time (0: one hour). [min]
    max_points : int, optional
        Build at most this many points (the earliest); ``None``: all.

    Returns
    -------
    points : list of EmissionsPoint
        The (location, time) pairs whose rating equals the minimum (within 1e-9 g/kWh), earliest
        first, at most ``max_points``; empty if the period is empty. As the SDK, every tied
        point is returned unless capped.
    total : int
        How many points tie, capped or not.
    """
    locations = _check_locations(intensity, locations, "location")
    window_h = _window_hours(duration_min, "durationMinutes")
    if start is None:
        if end is not None:
            raise InputError("time", "missing", "a start time when toTime is given")
        t0 = intensity.index[0]
        n_start = len(intensity.index) - window_h + 1
    else:
        t0 = _utc(start, "time").floor("h")
        t1 = _utc(end, "toTime") if end is not None else t0 + pd.Timedelta(hours=1)
        if t1 < t0:
            raise InputError("toTime", str(end), "a time after time")
        n_start = int(np.ceil((t1 - t0) / pd.Timedelta(hours=1)))
        if n_start > MAX_SPAN_H:
            raise InputError("toTime", str(end), f"at most {MAX_SPAN_H} h after time")
    if n_start <= 0:
        return [], 0
    rows = _hours(intensity, t0, n_start + window_h - 1)
    block = _values(intensity, locations, rows)
    means = np.stack([_window_means(block[:, j], window_h) for j in range(len(locations))], axis=1)
    best = float(np.min(means))
    dur = int(duration_min) if duration_min else 60
    tied = np.isclose(means, best, rtol=0, atol=1e-9)
    hits = np.argwhere(tied)  # row-major: time, location
    if max_points is not None:
        hits = hits[:max_points]  # the earliest; the points beyond are never built
    times = _hour_times(t0, n_start)
    return [EmissionsPoint(location=locations[j], time=times[i],
                           rating_g_per_kwh=float(means[i, j]), duration_min=dur)
            for i, j in hits.tolist()], int(tied.sum())


def _hour_times(t0: pd.Timestamp, n: int) -> np.ndarray:
    """``n`` consecutive hours from ``t0`` as Python datetimes (built at once, not one by one:
    8,760 ``Timestamp + Timedelta`` cost 150 ms, this 5 ms)."""
    return pd.date_range(t0, periods=n, freq="h").to_pydatetime()


def current_forecasts(intensity: pd.DataFrame, locations: list[str], now: datetime,
                      data_start_at: datetime | None = None, data_end_at: datetime | None = None,
                      window_size_min: int | None = None,
                      max_points: int | None = None) -> list[Forecast]:
    """Forecast per location with its optimal window, as ``/emissions/forecasts/current``.

    With ``max_points``, a query whose forecasts would hold more points (locations x forecast
    points) is refused before any point is built.

    The forecast is generated at the top of the current hour and covers
    :data:`FORECAST_HORIZON_H` hours; ``data_start_at`` / ``data_end_at`` narrow it (or move it,
    up to :data:`MAX_SPAN_H` hours). Each forecast point is the mean intensity of the window of
    ``window_size_min`` starting at that hour (default: one hour, the duration of one data
    point); a window must end by ``data_end_at``.

    Returns
    -------
    list of Forecast
        One per location, in the order given.
    """
    locations = _check_locations(intensity, locations, "location")
    window_h = _window_hours(window_size_min, "windowSize")
    generated = _utc(now, "now").floor("h")
    t0 = _utc(data_start_at, "dataStartAt") if data_start_at is not None else generated
    t1 = (_utc(data_end_at, "dataEndAt") if data_end_at is not None
          else t0 + pd.Timedelta(hours=FORECAST_HORIZON_H))
    if t1 < t0:
        raise InputError("dataEndAt", str(data_end_at), "a time after dataStartAt")
    first = t0.floor("h")
    n_hours = int(np.ceil((t1 - first) / pd.Timedelta(hours=1)))
    if n_hours > MAX_SPAN_H:
        raise InputError("dataEndAt", str(data_end_at), f"at most {MAX_SPAN_H} h after dataStartAt")
    n_points = n_hours - window_h + 1
    if max_points is not None and len(locations) * max(n_points, 0) > max_points:
        raise InputError("dataEndAt", str(data_end_at),
                         f"a period x locations of at most {max_points} points")
    rows = _hours(intensity, first, max(n_hours, 1))
    window_min = int(window_size_min) if window_size_min else 60
    out = []
    for loc in locations:
        values = intensity[loc].to_numpy(dtype=float)[rows]
        points = []
        if n_points > 0:
            means = _window_means(values[:n_hours], window_h)[:n_points].tolist()
            times = _hour_times(first, n_points)
            points = [EmissionsPoint(loc, times[i], v, window_min) for i, v in enumerate(means)]
        optimal = []
        if points:  # every tied point, as the SDK's GetOptimalEmissions
            best = min(p.rating_g_per_kwh for p in points)
            optimal = [p for p in points if abs(p.rating_g_per_kwh - best) <= 1e-9]
        out.append(Forecast(location=loc, generated_at=generated.to_pydatetime(),
                            requested_at=_utc(now, "now").to_pydatetime(),
                            data_start_at=t0.to_pydatetime(), data_end_at=t1.to_pydatetime(),
                            window_size_min=window_min, forecast_data=points,
                            optimal_data_points=optimal))
    return out


def _period(start: datetime, end: datetime | None, start_field: str,
            end_field: str) -> tuple[pd.Timestamp, int]:
    """First hour and number of hours of ``[start, end)``; without ``end`` (or ``end == start``)
    the one hour at ``start``, as the SDK (its end defaults to its start)."""
    t0 = _utc(start, start_field).floor("h")
    if end is None:
        return t0, 1
    t1 = _utc(end, end_field)
    if t1 < _utc(start, start_field):
        raise InputError(start_field, str(start), f"{start_field} must be before {end_field}")
    n = max(1, int(np.ceil((t1 - t0) / pd.Timedelta(hours=1))))
    if n > MAX_SPAN_H:
        raise InputError(end_field, str(end), f"at most {MAX_SPAN_H} h after {start_field}")
    return t0, n


def emissions_data(intensity: pd.DataFrame, locations: list[str], start: datetime,
                   end: datetime | None = None, max_points: int | None = None
                   ) -> list[EmissionsPoint]:
    """Hourly intensity of each location in ``[start, end)``, as ``/emissions/bylocations``.

    Raises
    ------
    InputError
        Unknown location, end before start, or more than ``max_points`` points.
    """
    locations = _check_locations(intensity, locations, "location")
    t0, n = _period(start, end, "time", "toTime")
    if max_points is not None and n * len(locations) > max_points:
        raise InputError("toTime", str(end), f"a period x locations of at most {max_points} "
                         "hourly points (a shorter period or fewer locations)")
    values = _values(intensity, locations, _hours(intensity, t0, n)).tolist()
    times = _hour_times(t0, n)
    return [EmissionsPoint(loc, times[i], values[i][j], 60)
            for j, loc in enumerate(locations) for i in range(n)]


def average_intensity(intensity: pd.DataFrame, location: str, start: datetime,
                      end: datetime) -> float:
    """Time-weighted mean intensity of one location over ``[start, end)`` (each hour weighted by
    its overlap with the period), as ``/emissions/average-carbon-intensity``. [g/kWh]"""
    (loc,) = _check_locations(intensity, [location], "location")[:1]
    s, e = _utc(start, "startTime"), _utc(end, "endTime")
    if not s < e:
        raise InputError("startTime", str(start), "startTime must be before endTime")
    t0, n = _period(start, end, "startTime", "endTime")
    hour = pd.Timedelta(hours=1)
    starts = t0 + hour * np.arange(n)
    overlap = np.array([(min(h + hour, e) - max(h, s)) / hour for h in starts])
    values = intensity[loc].to_numpy(dtype=float)[_hours(intensity, t0, n)]
    return float(np.sum(values * overlap) / np.sum(overlap))


def location_catalog() -> dict[str, dict]:
    """Every site and province as a location with its coordinates, as the SDK's ``/locations``:
    ``{id: {"latitude", "longitude", "name"}}`` (ids as in
    :mod:`computegrid.services.signals.signal_feed`; a site keeps a name it shares with a province)."""
    from computegrid.datasets.grid import load_provinces
    from computegrid.services.signals.signal_feed import province_location
    from computegrid.services.plan.site_catalog import list_sites

    out = {s.site: {"latitude": s.latitude_deg, "longitude": s.longitude_deg, "name": s.site}
           for s in list_sites()}
    for _, row in load_provinces().iterrows():
        loc = province_location(row["name"])
        out.setdefault(loc, {"latitude": float(row["latitude_deg"]),
                             "longitude": float(row["longitude_deg"]), "name": loc})
    return out


def timespan_hms(minutes: int) -> str:
    """A duration as .NET's TimeSpan JSON form: ``hh:mm:ss`` (``d.hh:mm:ss`` from one day)."""
    td = timedelta(minutes=int(minutes))
    days, rem = divmod(int(td.total_seconds()), 86400)
    h, rem = divmod(rem, 3600)
    m, s = divmod(rem, 60)
    return (f"{days}." if days else "") + f"{h:02d}:{m:02d}:{s:02d}"


def utc_now() -> datetime:
    """The current time (UTC); one place, so that tests can pass their own ``now``."""
    return datetime.now(UTC)
