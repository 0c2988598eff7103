"""Input checks shared by the estimators and the services.

Each check accepts a scalar, a numpy array or a pandas Series and raises
:class:`computegrid.errors.InputError` naming the field, the first offending value and what is
allowed. The checks are vectorised (one pass of numpy comparisons), so estimating a million runs
stays cheap.
"""

from __future__ import annotations

import numpy as np

from computegrid.errors import InputError


def _first_bad(values: np.ndarray, bad: np.ndarray, original=None) -> object:
    if original is not None and np.ndim(original) == 0:
        return original
    flat = np.ravel(values)[np.ravel(bad)]
    item = flat[0]
    return item.item() if hasattr(item, "item") else item


def _as_float_array(value, field: str) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise InputError(field, value, "a number") from None
    return arr


def _require(value, field: str, is_bad, allowed: str) -> None:
    """Raise ``InputError`` naming the first element for which ``is_bad`` holds (NaN and inf too)."""
    arr = _as_float_array(value, field)
    bad = ~np.isfinite(arr) | is_bad(arr)
    if bad.any():
        raise InputError(field, _first_bad(arr, bad, value), allowed)


def require_positive(value, field: str) -> None:
    """Raise unless every element is a finite number > 0. [-]"""
    _require(value, field, lambda a: a <= 0, "a finite number > 0")


def require_non_negative(value, field: str) -> None:
    """Raise unless every element is a finite number >= 0. [-]"""
    _require(value, field, lambda a: a < 0, "a finite number >= 0")


def require_fraction(value, field: str) -> None:
    """Raise unless every element lies in (0, 1]. [-]"""
    _require(value, field, lambda a: (a <= 0) | (a > 1), "a fraction in (0, 1]")


def require_at_least_one(value, field: str) -> None:
    """Raise unless every element is a finite number >= 1 (a count such as a PUE). [-]"""
    _require(value, field, lambda a: a < 1, "a finite number >= 1")


def require_count(value, field: str) -> None:
    """Raise unless every element is a whole number >= 1. [-]"""
    _require(value, field, lambda a: (a < 1) | (np.floor(a) != a), "a whole number >= 1")
