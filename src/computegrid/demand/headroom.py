"""Curtailment-enabled headroom of a region's load: the method of Norris et al. (2025), vectorised.

How much constant new load ``dL`` a region can connect without new capacity, if that load accepts
curtailment in the hours where the augmented load would exceed the highest seasonal peak already
served. Pure numpy/scipy; no I/O.

Definitions (Norris et al. [1]_, section "Data and Method", pp. 15-17, and Appendix C, p. 38):

- summer threshold ``T_s`` = maximum load in June-August over all years of the data; it applies from
  April to October; winter threshold ``T_w`` = maximum load in December-February over all years; it
  applies from November to March (p. 16, note 20);
- hourly curtailment ``c_t = min(dL, max(0, D_t + dL - T_t))`` [MW] (Appendix C; the cap at ``dL``
  matters only in shoulder months, where ``D_t`` can exceed its season's threshold: the new load can
  lose at most all of itself);
- yearly rate ``r_y = sum_{t in y} c_t / (dL x H_y)``, ``H_y`` the hours of year ``y`` in the data
  (Appendix C writes ``L x 8,760``; here a leap year counts its 8,784 hours, and a partial first or
  last year the hours it has); average rate ``r = mean_y r_y`` (p. 17, "Year-by-Year Curtailment
  Analysis");
- headroom at a limit ``f`` = the ``dL`` with ``r(dL) = f``, found with
  ``scipy.optimize.root_scalar`` (p. 16, note 19) on a bracket where ``r - f`` changes sign.

``r`` is continuous and non-decreasing in ``dL``: hour by hour ``c_t / dL = min(1, max(0, 1 - g_t / dL))``
with the gap ``g_t = T_t - D_t``, so the root is unique once any hour is curtailed. :class:`RateCurve`
evaluates ``r`` from the sorted gaps of each year in O(log n) per call.

References
----------
.. [1] T. H. Norris, T. Profeta, D. Patino-Echeverri, A. Cowie-Haskell, "Rethinking Load Growth:
   Assessing the Potential for Integration of Large Flexible Loads in US Power Systems," NI R 25-01,
   Nicholas Institute for Energy, Environment & Sustainability, Duke University, February 2025
   (CC BY-NC 4.0), https://hdl.handle.net/10161/32077.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import root_scalar

#: Months whose maximum sets the summer threshold (June-August; Norris et al. 2025, p. 16, note 20).
SUMMER_PEAK_MONTHS = (6, 7, 8)
#: Months whose maximum sets the winter threshold (December-February; ibid.).
WINTER_PEAK_MONTHS = (12, 1, 2)
#: Months the summer threshold applies to (April-October: summer plus its shoulder months; ibid.).
SUMMER_APPLIES_MONTHS = (4, 5, 6, 7, 8, 9, 10)
#: Curtailment limits of the paper, in percent of the new load's potential energy (p. 16). [%]
DEFAULT_LIMITS_PCT = (0.25, 0.5, 1.0, 5.0)
#: Share of the new load that a curtailed hour keeps, for the "retaining 50 %" count (p. 17). [-]
RETAINED_SHARE = 0.5
#: Absolute tolerance of the root finder. [MW]
ROOT_XTOL_MW = 1e-6


def seasonal_thresholds_mw(load_mw: np.ndarray, month: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Summer and winter peak thresholds of each region.

    Parameters
    ----------
    load_mw : numpy.ndarray
        ``hours x regions`` (or one region as a 1-d array). [MW]
    month : numpy.ndarray
        Calendar month (1-12) of each hour. [-]

    Returns
    -------
    summer_mw, winter_mw : numpy.ndarray
        Maximum load in June-August and in December-February over all hours given, per region; NaN
        where the data hold no hour of that season. [MW]
    """
    load = np.asarray(load_mw, dtype=float)
    month = np.asarray(month)
    out = []
    for months in (SUMMER_PEAK_MONTHS, WINTER_PEAK_MONTHS):
        mask = np.isin(month, months)
        if mask.any():
            out.append(load[mask].max(axis=0))
        else:
            out.append(np.full(load.shape[1:], np.nan))
    return out[0], out[1]


def threshold_series_mw(summer_mw, winter_mw, month: np.ndarray) -> np.ndarray:
    """Threshold that applies in each hour: summer from April to October, winter otherwise.

    Returns
    -------
    numpy.ndarray
        ``hours x regions`` (``hours`` for scalar thresholds). [MW]
    """
    summer = np.isin(np.asarray(month), SUMMER_APPLIES_MONTHS)
    shape = (-1,) + (1,) * np.ndim(summer_mw)
    return np.where(summer.reshape(shape), summer_mw, winter_mw)


def hourly_curtailment_mw(load_mw, threshold_mw, new_load_mw) -> np.ndarray:
    """Curtailment of the new load in each hour, ``min(dL, max(0, D + dL - T))``.

    Parameters
    ----------
    load_mw : array_like
        Existing load ``D``. [MW]
    threshold_mw : array_like
        Threshold ``T`` of each hour (broadcast against ``load_mw``). [MW]
    new_load_mw : float or array_like
        Constant new load ``dL``, per region (broadcast along the last axis). [MW]

    Returns
    -------
    numpy.ndarray
        Curtailed power of the new load. [MW]
    """
    dl = np.asarray(new_load_mw, dtype=float)
    return np.minimum(dl, np.maximum(0.0, np.asarray(load_mw, dtype=float) + dl - threshold_mw))


def yearly_curtailment_rate(curtailment_mw: np.ndarray, new_load_mw, year: np.ndarray
                            ) -> tuple[np.ndarray, np.ndarray]:
    """Curtailed energy of each year over the new load's potential energy in that year.

    Parameters
    ----------
    curtailment_mw : numpy.ndarray
        ``hours x regions`` hourly curtailment (mean power over each hour). [MW]
    new_load_mw : float or numpy.ndarray
        ``dL`` per region (> 0). [MW]
    year : numpy.ndarray
        Calendar year of each hour. [-]

    Returns
    -------
    years : numpy.ndarray
        The distinct years, ascending. [-]
    rate : numpy.ndarray
        ``years x regions`` rates ``sum_t c_t x 1 h / (dL x H_y)``. [-]
    """
    years, inverse, hours = np.unique(np.asarray(year), return_inverse=True, return_counts=True)
    cur = np.asarray(curtailment_mw, dtype=float)
    energy_mwh = np.zeros((len(years),) + cur.shape[1:])
    np.add.at(energy_mwh, inverse, cur)  # one hour per row: MW x 1 h = MWh
    potential_mwh = np.asarray(new_load_mw, dtype=float) * hours.reshape((-1,) + (1,) * (cur.ndim - 1))
    return years, energy_mwh / potential_mwh


@dataclass(frozen=True)
class RateCurve:
    """Average curtailment rate of one region as a function of the new load, from sorted gaps.

    Attributes
    ----------
    gaps_mw : tuple of numpy.ndarray
        Per year, the sorted gaps ``g_t = T_t - D_t``. [MW]
    cumsum_mw : tuple of numpy.ndarray
        Per year, cumulative sums of the sorted gaps, starting at 0. [MW]
    """

    gaps_mw: tuple
    cumsum_mw: tuple

    @classmethod
    def from_gaps(cls, gap_mw: np.ndarray, year: np.ndarray) -> RateCurve:
        """Build from one region's hourly gaps ``T_t - D_t`` [MW] and the year of each hour."""
        gap = np.asarray(gap_mw, dtype=float)
        year = np.asarray(year)
        gaps, sums = [], []
        for y in np.unique(year):
            g = np.sort(gap[year == y])
            gaps.append(g)
            sums.append(np.concatenate(([0.0], np.cumsum(g))))
        return cls(tuple(gaps), tuple(sums))

    def rate(self, new_load_mw: float) -> float:
        """Average over the years of the yearly rates at ``dL`` (> 0). [-]

        ``sum_t c_t / dL = #(g <= 0) + #(0 < g < dL) - sum_{0 < g < dL} g / dL`` per year.
        """
        dl = float(new_load_mw)
        total = 0.0
        for g, s in zip(self.gaps_mw, self.cumsum_mw):
            i0 = int(np.searchsorted(g, 0.0, side="right"))  # g <= 0: fully curtailed
            i1 = int(np.searchsorted(g, dl, side="left"))  # g < dL: partly curtailed
            partial = (i1 - i0) - (s[i1] - s[i0]) / dl
            total += (i0 + partial) / len(g)
        return total / len(self.gaps_mw)

    def rate_at_zero(self) -> float:
        """Limit of the rate as ``dL -> 0+``: the share of hours at or above their threshold. [-]"""
        return float(np.mean([np.searchsorted(g, 0.0, side="right") / len(g) for g in self.gaps_mw]))

    def headroom_mw(self, limit_frac: float) -> float:
        """The ``dL`` whose average rate equals ``limit_frac`` (0 if even a tiny load exceeds it). [MW]"""
        if not 0.0 < limit_frac < 1.0:
            raise ValueError(f"limit_frac must be in (0, 1), got {limit_frac}")
        if self.rate_at_zero() >= limit_frac:
            return 0.0
        g_max = max(float(g[-1]) for g in self.gaps_mw)
        # at dL >= g_max / (1 - f) every hour has c_t / dL >= 1 - g_t / dL >= f, so r - f >= 0
        hi = max(g_max, 1.0) / (1.0 - limit_frac) * 1.01
        lo = hi * 1e-12
        if self.rate(lo) >= limit_frac:
            return 0.0
        sol = root_scalar(lambda x: self.rate(x) - limit_frac, bracket=(lo, hi), method="brentq",
                          xtol=ROOT_XTOL_MW, rtol=1e-12)
        return float(sol.root)


@dataclass(frozen=True)
class CurtailmentStats:
    """Curtailment of one region at one new load (field names are JSON fields of ``headroom``).

    Attributes
    ----------
    rate_frac : float
        Average over the years of the yearly curtailment rates. [-]
    curtailed_hours_per_year : float
        Hours with any curtailment, mean over the years. [h/yr]
    mean_event_duration_h : float
        Mean length of an event, a run of consecutive curtailed hours within one year (NaN: none). [h]
    hours_retaining_50pct_frac : float
        Share of the curtailed hours in which the new load keeps at least half of itself (NaN: none). [-]
    """

    rate_frac: float
    curtailed_hours_per_year: float
    mean_event_duration_h: float
    hours_retaining_50pct_frac: float


def curtailment_stats(curtailment_mw: np.ndarray, new_load_mw: float, year: np.ndarray,
                      step_h: float = 1.0) -> CurtailmentStats:
    """Rate, hours, event duration and retained share of one region's curtailment series.

    Parameters
    ----------
    curtailment_mw : numpy.ndarray
        Curtailment of the new load in each step, in time order (:func:`hourly_curtailment_mw`, or a
        dispatch model's result). [MW]
    new_load_mw : float
        ``dL`` (0 gives no curtailment). [MW]
    year : numpy.ndarray
        Calendar year of each step. [-]
    step_h : float, default 1.0
        Length of each step (3 for a 3-hourly model). [h]

    Returns
    -------
    CurtailmentStats
        An event is a run of consecutive curtailed steps within one year.
    """
    year = np.asarray(year)
    if new_load_mw <= 0:
        return CurtailmentStats(0.0, 0.0, float("nan"), float("nan"))
    cur = np.asarray(curtailment_mw, dtype=float)
    years, rates = yearly_curtailment_rate(cur, new_load_mw, year)
    on = cur > 0.0
    # an event starts in a curtailed step whose predecessor is not curtailed or lies in another year
    new_year = np.concatenate(([True], year[1:] != year[:-1]))
    starts = on & (new_year | ~np.concatenate(([False], on[:-1])))
    n_on, n_events = int(on.sum()), int(starts.sum())
    kept = int((on & (cur <= (1.0 - RETAINED_SHARE) * new_load_mw)).sum())
    return CurtailmentStats(
        rate_frac=float(rates.mean()),
        curtailed_hours_per_year=n_on * step_h / len(years),
        mean_event_duration_h=n_on * step_h / n_events if n_events else float("nan"),
        hours_retaining_50pct_frac=kept / n_on if n_on else float("nan"))


def load_factor(load_mw: np.ndarray) -> np.ndarray:
    """Mean load over peak load, per region (the paper's aggregate load factor, p. 18). [-]"""
    load = np.asarray(load_mw, dtype=float)
    return load.mean(axis=0) / load.max(axis=0)


@dataclass(frozen=True)
class RegionHeadroom:
    """Headroom of one region at each limit (field names are the JSON fields of ``headroom``).

    Lists hold one entry per limit, in the order of the limits. ``rate_at_zero_frac`` is the rate as
    ``dL -> 0``: the share of hours at or above their season's threshold (shoulder-month loads above
    the June-August or December-February peak); where it reaches a limit, the headroom there is 0.
    Thresholds in [MW].
    """

    region: str
    peak_mw: float
    load_factor: float
    headroom_mw: list
    curtailed_hours_per_year: list
    mean_event_duration_h: list
    hours_retaining_50pct_frac: list
    summer_threshold_mw: float
    winter_threshold_mw: float
    rate_at_zero_frac: float


def region_headroom(region: str, load_mw: np.ndarray, month: np.ndarray, year: np.ndarray,
                    limits_frac) -> RegionHeadroom:
    """Headroom and curtailment statistics of one region at each limit.

    Parameters
    ----------
    region : str
        Name of the region.
    load_mw : numpy.ndarray
        Hourly load of the region, in time order. [MW]
    month, year : numpy.ndarray
        Calendar month and year of each hour. [-]
    limits_frac : sequence of float
        Curtailment limits, each in (0, 1). [-]

    Returns
    -------
    RegionHeadroom
    """
    load = np.asarray(load_mw, dtype=float)
    summer, winter = seasonal_thresholds_mw(load, month)
    threshold = threshold_series_mw(summer, winter, month)
    curve = RateCurve.from_gaps(threshold - load, year)
    heads, stats = [], []
    for f in limits_frac:
        h = curve.headroom_mw(float(f))
        heads.append(h)
        stats.append(curtailment_stats(hourly_curtailment_mw(load, threshold, h), h, year))
    return RegionHeadroom(
        region=str(region), peak_mw=float(load.max()), load_factor=float(load_factor(load)),
        headroom_mw=heads, curtailed_hours_per_year=[s.curtailed_hours_per_year for s in stats],
        mean_event_duration_h=[s.mean_event_duration_h for s in stats],
        hours_retaining_50pct_frac=[s.hours_retaining_50pct_frac for s in stats],
        summer_threshold_mw=float(summer), winter_threshold_mw=float(winter),
        rate_at_zero_frac=curve.rate_at_zero())


def headroom_table(load_mw: np.ndarray, regions, month: np.ndarray, year: np.ndarray,
                   limits_frac) -> list[RegionHeadroom]:
    """:func:`region_headroom` of every column of ``hours x regions`` load. [MW]"""
    load = np.asarray(load_mw, dtype=float)
    return [region_headroom(r, load[:, i], month, year, limits_frac) for i, r in enumerate(regions)]
