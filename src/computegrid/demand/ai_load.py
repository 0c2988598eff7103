"""AI load model: latency classes, their time flexibility and where their demand originates.

AI work is split into classes (``online`` inference, ``batch`` inference and data processing,
``training``). Each class has a share of the AI IT energy, a round-trip latency limit between the
province where its demand arises and the site that serves it, a time window within which its energy
must be delivered, and a per-hour floor. The co-optimisation in :mod:`computegrid.grid.coplan`
turns these into linear constraints; this module holds the pure arithmetic (no PyPSA, no I/O beyond
reading the packaged origin-weight table).

References
----------
.. [1] D. Patterson et al., "The Carbon Footprint of Machine Learning Training Will Plateau, Then
   Shrink," IEEE Computer 55(7), 2022: at Google 2019-2021, about 3/5 of ML energy was inference
   and 2/5 training.
.. [2] National Bureau of Statistics of China, provincial statistical communiques 2023 (GDP by
   province, preliminary accounting) [secondary: transcribed, rounded to 0.01 trillion CNY].
.. [3] State Council Information Office, 2024-08-13: east-west latency between hub nodes
   "generally met the 20 ms target" [secondary].
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from importlib import resources

import numpy as np
import pandas as pd

from computegrid.errors import InputError

WINDOWS = ("hour", "day", "week", "horizon")
PROFILES = ("measured", "diurnal", "flat")

#: NBS four-region division: the ten provinces of the eastern region (codes ISO 3166-2:CN).
EASTERN_PROVINCES = ("BJ", "TJ", "HE", "SH", "JS", "ZJ", "FJ", "SD", "GD", "HI")


@dataclass(frozen=True)
class LoadClass:
    """One class of AI work.

    Parameters
    ----------
    name : str
        Class name (``online``, ``batch``, ``training`` or any other label).
    share_frac : float
        Share of the total AI IT energy. [-]
    rtt_max_ms : float or None
        Largest round-trip time allowed between the origin province and the serving site;
        ``None`` means any site. [ms]
    window : str
        Time flexibility: ``hour`` (served as it arises), ``day`` (each day's energy within the
        day), ``week`` (each calendar week) or ``horizon`` (the whole modelled period).
    floor_frac : float
        Per-hour floor of the class's load at a site, as a fraction of the load that the site
        would carry if the class ran on its profile without shifting. [-]
    profile : str
        Shape of the demand as it arises: ``measured`` (the 24 values of
        ``hourly_profile_frac``), ``diurnal`` (the assumed cosine of
        :func:`diurnal_profile_frac`) or ``flat``.
    hourly_profile_frac : tuple of float or None
        Relative demand in each local hour 0..23 with mean 1; required for ``measured``
        (the planning service fills it from
        :func:`computegrid.datasets.workload.load_llm_hourly_profile`). [-]
    """

    name: str
    share_frac: float
    rtt_max_ms: float | None
    window: str
    floor_frac: float = 0.0
    profile: str = "flat"
    hourly_profile_frac: tuple[float, ...] | None = None

    def __post_init__(self) -> None:
        field = f"classes.{self.name}"
        if not (0.0 <= self.share_frac <= 1.0):
            raise InputError(f"{field}.share_frac", self.share_frac, "allowed: 0 to 1")
        if self.rtt_max_ms is not None and not (self.rtt_max_ms > 0 and math.isfinite(self.rtt_max_ms)):
            raise InputError(f"{field}.rtt_max_ms", self.rtt_max_ms, "allowed: a positive number or null")
        if self.window not in WINDOWS:
            raise InputError(f"{field}.window", self.window, f"allowed: {', '.join(WINDOWS)}")
        if not (0.0 <= self.floor_frac <= 1.0):
            raise InputError(f"{field}.floor_frac", self.floor_frac, "allowed: 0 to 1")
        if self.profile not in PROFILES:
            raise InputError(f"{field}.profile", self.profile, f"allowed: {', '.join(PROFILES)}")
        if self.profile == "measured":
            check_hourly_profile(self.hourly_profile_frac, f"{field}.hourly_profile_frac")

    @property
    def shiftable(self) -> bool:
        """True when the class may move its energy in time (window longer than one hour)."""
        return self.window != "hour"


def diurnal_profile_frac(hour_of_day: np.ndarray, amplitude_frac: float = 0.3,
                         peak_hour: float = 21.0) -> np.ndarray:
    """Relative demand of user-facing inference by hour of day, mean 1 over a day.

    Parameters
    ----------
    hour_of_day : array of float
        Local hour (China Standard Time, one zone for all provinces). [h]
    amplitude_frac : float, default 0.3
        Half the peak-to-trough swing relative to the mean. [-]
        Assumption: user traffic in China peaks in the evening and bottoms out before dawn; a
        cosine with +/-30 % swing peaking at 21:00 stands in for a measured national profile,
        which we have not found in a citable, licensed form.
    peak_hour : float, default 21.0
        Hour of the daily peak. [h]

    Returns
    -------
    array of float
        Relative demand with mean 1 over 24 h. [-]
    """
    hour = np.asarray(hour_of_day, dtype=float)
    return 1.0 + amplitude_frac * np.cos(2.0 * np.pi * (hour - peak_hour) / 24.0)


def check_hourly_profile(values: tuple[float, ...] | None, field: str) -> None:
    """Check a profile by local hour: 24 finite values >= 0 with mean 1 (within 1e-6)."""
    arr = np.asarray(values if values is not None else (), dtype=float)
    if arr.shape != (24,) or not np.all(np.isfinite(arr)) or arr.min() < 0 or abs(arr.mean() - 1) > 1e-6:
        raise InputError(field, values, "allowed: 24 finite values >= 0 with mean 1")


def hourly_profile_at(hour_of_day: np.ndarray, hourly_frac: tuple[float, ...]) -> np.ndarray:
    """Relative demand at local hours from a 24-value step profile (value of the hour begun). [-]"""
    hour = np.floor(np.asarray(hour_of_day, dtype=float)).astype(int) % 24
    return np.asarray(hourly_frac, dtype=float)[hour]


def class_profile_frac(load_class: LoadClass, timestamps: pd.DatetimeIndex,
                       interval_h: float) -> pd.Series:
    """Demand profile of a class on a model's snapshots, mean 1 over whole days.

    A snapshot holds the mean over ``interval_h`` hours starting at its label, so the diurnal
    curve is averaged over the hours that the interval covers.

    Parameters
    ----------
    load_class : LoadClass
        The class.
    timestamps : pandas.DatetimeIndex
        Snapshot labels (interval starts, local time). [-]
    interval_h : float
        Length of each snapshot interval. [h]

    Returns
    -------
    pandas.Series
        Relative demand per snapshot, index ``timestamp``. [-]
    """
    idx = pd.DatetimeIndex(timestamps)
    if load_class.profile == "flat":
        values = np.ones(len(idx))
    else:
        start_h = idx.hour.to_numpy() + idx.minute.to_numpy() / 60.0
        n_sub = max(int(round(interval_h)), 1)
        offsets = (np.arange(n_sub) + 0.5) * interval_h / n_sub
        hours = start_h[:, None] + offsets[None, :]
        values = (hourly_profile_at(hours, load_class.hourly_profile_frac) if load_class.profile == "measured"
                  else diurnal_profile_frac(hours)).mean(axis=1)
    return pd.Series(values, index=idx.rename("timestamp"), name=f"{load_class.name}_profile_frac")


def validate_classes(classes: tuple[LoadClass, ...]) -> None:
    """Check that class names are unique and shares add to 1 (within 1e-6)."""
    names = [c.name for c in classes]
    if len(set(names)) != len(names) or not names:
        raise InputError("classes", names, "allowed: one or more classes with distinct names")
    total = sum(c.share_frac for c in classes)
    if abs(total - 1.0) > 1e-6:
        raise InputError("classes.*.share_frac", round(total, 6), "allowed: shares that add up to 1")


def load_origin_weights() -> pd.Series:
    """Default weights of the provinces where AI demand originates: provincial GDP 2023 [2]_.

    Returns
    -------
    pandas.Series
        Weights summing to 1, index ``province`` (ISO 3166-2:CN two-letter codes). [-]
    """
    path = resources.files("computegrid.demand") / "data" / "ai_origin_weights.csv"
    with path.open("r", encoding="utf-8") as fh:
        table = pd.read_csv(fh, index_col="province")
    gdp = table["gdp_2023_trn_cny"].astype(float)
    return (gdp / gdp.sum()).rename("weight_frac")


def normalise_weights(weights: pd.Series | dict, field: str = "origin_weights") -> pd.Series:
    """Validate origin weights (non-negative, finite, positive sum) and scale them to sum 1."""
    w = pd.Series(weights, dtype=float)
    bad = w[~np.isfinite(w.to_numpy()) | (w.to_numpy() < 0)]
    if len(bad):
        raise InputError(f"{field}.{bad.index[0]}", bad.iloc[0], "allowed: a weight >= 0")
    if w.sum() <= 0:
        raise InputError(field, "all zero", "allowed: at least one positive weight")
    w.index.name = "province"
    return (w / w.sum()).rename("weight_frac")


def class_demand_mw(classes: tuple[LoadClass, ...], it_energy_mwh_per_year: float,
                    origin_weights: pd.Series, hours_per_year: float = 8760.0) -> pd.DataFrame:
    """Mean IT power of each class arising in each origin province.

    Parameters
    ----------
    classes : tuple of LoadClass
        The classes (shares add up to 1).
    it_energy_mwh_per_year : float
        Total AI IT energy (before PUE). [MWh/yr]
    origin_weights : pandas.Series
        Share of demand arising in each province (sums to 1). [-]
    hours_per_year : float, default 8760
        Hours in the year. [h]

    Returns
    -------
    pandas.DataFrame
        Mean IT power, index ``class``, columns ``province``. [MW]
    """
    if not (it_energy_mwh_per_year >= 0 and math.isfinite(it_energy_mwh_per_year)):
        raise InputError("ai_it_energy_twh_per_year", it_energy_mwh_per_year, "allowed: a number >= 0")
    validate_classes(classes)
    mean_mw = it_energy_mwh_per_year / hours_per_year
    shares = pd.Series({c.name: c.share_frac for c in classes})
    out = pd.DataFrame(np.outer(shares.to_numpy(), origin_weights.to_numpy()) * mean_mw,
                       index=pd.Index(shares.index, name="class"),
                       columns=pd.Index(origin_weights.index, name="province"))
    return out


def allowed_pairs(rtt_ms: pd.DataFrame, rtt_max_ms: float | None) -> pd.DataFrame:
    """Which sites may serve which origin under a latency limit.

    Parameters
    ----------
    rtt_ms : pandas.DataFrame
        Round-trip time, index origin province, columns site. [ms]
    rtt_max_ms : float or None
        Limit; ``None`` allows every site. [ms]

    Returns
    -------
    pandas.DataFrame
        Boolean, same shape as ``rtt_ms``.
    """
    if rtt_max_ms is None:
        return pd.DataFrame(True, index=rtt_ms.index, columns=rtt_ms.columns)
    return rtt_ms <= rtt_max_ms


def check_reachable(classes: tuple[LoadClass, ...], demand_mw: pd.DataFrame,
                    rtt_ms: pd.DataFrame) -> None:
    """Raise InputError when an origin with demand has no site within a class's limit."""
    for c in classes:
        if c.rtt_max_ms is None:
            continue
        ok = allowed_pairs(rtt_ms, c.rtt_max_ms).any(axis=1)
        has_demand = demand_mw.loc[c.name] > 0
        for origin in demand_mw.columns[has_demand.to_numpy()]:
            if origin not in ok.index:
                raise InputError(f"origin_weights.{origin}", origin, "allowed: a province of the model")
            if not ok[origin]:
                best = float(rtt_ms.loc[origin].min())
                raise InputError(f"classes.{c.name}.rtt_max_ms", c.rtt_max_ms,
                                 f"no site is within reach of origin {origin} (nearest {best:.1f} ms); "
                                 "raise the limit, add a site or set that origin's weight to 0")
