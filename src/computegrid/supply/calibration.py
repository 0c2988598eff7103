"""Calibration of renewable availability profiles to realised full-load hours.

The atlite profiles of pypsa-china-thu average the capacity factor over all eligible land of a province, so
their mean differs from what the real fleet achieves (Sichuan onshore wind: 0.06 in the profile, 2,537 h
= 0.29 realised in 2020). Each province's profile is scaled so that its *available* full-load hours equal a
target; the shape (timing of high and low output) is kept, values are capped at 1.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from computegrid.errors import InputError


def available_hours_target_h(realised_hours_h, curtailment_frac):
    """Available full-load hours that yield the realised hours after curtailment.

    Parameters
    ----------
    realised_hours_h : float or array_like
        Full-load hours after curtailment (statistics). [h]
    curtailment_frac : float or array_like
        Share of available energy curtailed. [-]

    Returns
    -------
    float or numpy.ndarray
        realised / (1 - curtailment). [h]
    """
    c = np.asarray(curtailment_frac, dtype=float)
    if np.any((c < 0) | (c >= 1)):
        raise InputError("curtailment_frac", curtailment_frac, "a share in [0, 1)")
    return np.asarray(realised_hours_h, dtype=float) / (1.0 - c)


def scale_to_full_load_hours(profile_pu, target_hours_h: float, hours_per_step_h: float = 1.0,
                             tol_h: float = 1e-6):
    """Scale a capacity-factor profile so that its full-load hours equal a target, capped at 1.

    Finds a >= 0 with sum_t min(1, a p_t) x dt = target by bisection (the sum is monotone in a).

    Parameters
    ----------
    profile_pu : array_like or pandas.Series
        Capacity factor per step. [p.u.]
    target_hours_h : float
        Wanted full-load hours of the period. [h]
    hours_per_step_h : float, default 1
        Length of each step. [h]
    tol_h : float
        Tolerance on the full-load hours. [h]

    Returns
    -------
    same type as ``profile_pu``
        The scaled profile. [p.u.]

    Raises
    ------
    InputError
        If the target cannot be reached (more than the number of steps with non-zero output).
    """
    p = np.asarray(profile_pu, dtype=float)
    if target_hours_h < 0:
        raise InputError("target_hours_h", target_hours_h, "a value >= 0")
    reachable = float(np.count_nonzero(p > 0)) * hours_per_step_h
    if target_hours_h > reachable + tol_h:
        raise InputError("target_hours_h", target_hours_h,
                         f"at most {reachable:.0f} h (steps with non-zero output)")

    def hours(a: float) -> float:
        return float(np.minimum(1.0, a * p).sum() * hours_per_step_h)

    lo, hi = 0.0, 1.0
    while hours(hi) < target_hours_h:
        hi *= 2.0
        if hi > 1e9:
            break
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if hours(mid) < target_hours_h:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-12 * max(hi, 1.0) or abs(hours(hi) - target_hours_h) < tol_h:
            break
    out = np.minimum(1.0, hi * p)
    if isinstance(profile_pu, pd.Series):
        return pd.Series(out, index=profile_pu.index, name=profile_pu.name)
    return out


def full_load_hours_h(profile_pu, hours_per_step_h: float = 1.0) -> float:
    """Full-load hours of a capacity-factor profile: sum of p x dt. [h]"""
    return float(np.asarray(profile_pu, dtype=float).sum() * hours_per_step_h)


def scale_to_national_hours(hours_h, capacity_mw, national_hours_h: float | None):
    """Scale provincial full-load hours by one factor so that their capacity-weighted mean equals a
    national figure (keeps the provincial pattern, sets the level).

    Parameters
    ----------
    hours_h : pandas.Series
        Provincial full-load hours. [h]
    capacity_mw : pandas.Series
        Weights, on the same index. [MW]
    national_hours_h : float or None
        National full-load hours; ``None`` returns ``hours_h`` unchanged. [h]

    Returns
    -------
    pandas.Series
        Scaled hours. [h]
    """
    if national_hours_h is None:
        return hours_h
    w = np.asarray(capacity_mw, dtype=float)
    h = np.asarray(hours_h, dtype=float)
    if w.sum() <= 0 or (w * h).sum() <= 0:
        raise InputError("capacity_mw", float(w.sum()), "a positive total capacity with positive hours")
    return hours_h * (national_hours_h * w.sum() / (w * h).sum())
