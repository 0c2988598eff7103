"""Parameter distributions for the demand outlook: validated, sampled in one vectorised call.

A parameter is either a fixed number or a distribution given as a mapping with a ``dist`` key:

- ``{dist: fixed, value: v}`` (a bare number means the same),
- ``{dist: uniform, low: a, high: b}`` with ``a < b``,
- ``{dist: triangular, low: a, mode: m, high: b}`` with ``a <= m <= b`` and ``a < b``,
- ``{dist: lognormal, median: m, sigma: s}`` with ``m > 0`` and ``s > 0`` (``sigma`` is the standard
  deviation of the natural log; only for parameters without an upper bound).

Every parameter also has physical bounds (a fraction lies in [0, 1], a PUE is at least 1, an energy
is positive). A distribution whose support leaves those bounds is impossible and raises
:class:`~computegrid.errors.InputError` before anything is sampled.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from computegrid.errors import InputError

#: Distribution names and the keys each one needs.
DIST_KEYS: dict[str, tuple[str, ...]] = {
    "fixed": ("value",),
    "uniform": ("low", "high"),
    "triangular": ("low", "mode", "high"),
    "lognormal": ("median", "sigma"),
}


@dataclass(frozen=True)
class Bounds:
    """Physical bounds of a parameter: ``low <= x <= high`` (``open_low``: ``low < x``)."""

    low: float = -math.inf
    high: float = math.inf
    open_low: bool = False

    def describe(self) -> str:
        left = "(" if self.open_low else "["
        return f"values in {left}{self.low:g}, {self.high:g}]"

    def contains(self, value: float) -> bool:
        if not math.isfinite(value):
            return False
        if self.open_low and value <= self.low:
            return False
        return self.low <= value <= self.high


@dataclass(frozen=True)
class Distribution:
    """One validated parameter distribution.

    Parameters
    ----------
    kind : str
        One of ``fixed``, ``uniform``, ``triangular``, ``lognormal``.
    params : tuple of (str, float)
        The distribution's parameters in the order of :data:`DIST_KEYS`.
    source : str
        Where the numbers come from (citation or "assumption: ...").
    """

    kind: str
    params: tuple[tuple[str, float], ...]
    source: str = ""

    def p(self, key: str) -> float:
        return dict(self.params)[key]

    def support(self) -> tuple[float, float]:
        """Smallest and largest value the distribution can draw."""
        if self.kind == "fixed":
            v = self.p("value")
            return v, v
        if self.kind in ("uniform", "triangular"):
            return self.p("low"), self.p("high")
        return 0.0, math.inf  # lognormal

    def median(self) -> float:
        """Median of the distribution (used by the deterministic central path)."""
        if self.kind == "fixed":
            return self.p("value")
        if self.kind == "uniform":
            return 0.5 * (self.p("low") + self.p("high"))
        if self.kind == "lognormal":
            return self.p("median")
        a, m, b = self.p("low"), self.p("mode"), self.p("high")
        if m >= 0.5 * (a + b):
            return a + math.sqrt(0.5 * (b - a) * (m - a))
        return b - math.sqrt(0.5 * (b - a) * (b - m))

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Draw ``n`` values (float64)."""
        if self.kind == "fixed":
            return np.full(n, self.p("value"))
        if self.kind == "uniform":
            return rng.uniform(self.p("low"), self.p("high"), n)
        if self.kind == "triangular":
            return rng.triangular(self.p("low"), self.p("mode"), self.p("high"), n)
        return self.p("median") * np.exp(self.p("sigma") * rng.standard_normal(n))


def parse_distribution(spec: object, name: str, bounds: Bounds) -> Distribution:
    """Validate one parameter specification and return its :class:`Distribution`.

    Parameters
    ----------
    spec : float or mapping
        A number, or a mapping with ``dist`` and that distribution's keys (and an optional
        ``source``).
    name : str
        The parameter's name, used in error messages (``iea-base.china.pue``).
    bounds : Bounds
        Physical bounds the whole support must respect.

    Raises
    ------
    InputError
        Unknown distribution, missing or non-numeric keys, inverted ranges, non-positive spread, or
        a support outside the physical bounds.
    """
    if isinstance(spec, bool):
        raise InputError(name, spec, "a number or a distribution mapping")
    if isinstance(spec, (int, float)):
        spec = {"dist": "fixed", "value": spec}
    if not isinstance(spec, Mapping):
        raise InputError(name, spec, "a number or a mapping with 'dist'")
    kind = spec.get("dist", "fixed" if "value" in spec else None)
    if kind not in DIST_KEYS:
        raise InputError(f"{name}.dist", kind, f"one of {', '.join(DIST_KEYS)}")
    allowed_keys = set(DIST_KEYS[kind]) | {"dist", "source"}
    extra = sorted(set(spec) - allowed_keys)
    if extra:
        raise InputError(name, ", ".join(extra), f"keys of a {kind} distribution: "
                         f"{', '.join(DIST_KEYS[kind])}, source")
    values: list[tuple[str, float]] = []
    for key in DIST_KEYS[kind]:
        if key not in spec:
            raise InputError(f"{name}.{key}", "missing", f"a {kind} distribution needs "
                             f"{', '.join(DIST_KEYS[kind])}")
        raw = spec[key]
        if isinstance(raw, bool) or not isinstance(raw, (int, float)) or not math.isfinite(raw):
            raise InputError(f"{name}.{key}", raw, "a finite number")
        values.append((key, float(raw)))
    dist = Distribution(kind, tuple(values), str(spec.get("source", "")))
    p = dict(values)
    if kind == "uniform" and not p["low"] < p["high"]:
        raise InputError(name, f"low={p['low']:g}, high={p['high']:g}", "low < high")
    if kind == "triangular" and not (p["low"] <= p["mode"] <= p["high"] and p["low"] < p["high"]):
        raise InputError(name, f"low={p['low']:g}, mode={p['mode']:g}, high={p['high']:g}",
                         "low <= mode <= high and low < high")
    if kind == "lognormal":
        if not p["median"] > 0:
            raise InputError(f"{name}.median", p["median"], "a median > 0")
        if not p["sigma"] > 0:
            raise InputError(f"{name}.sigma", p["sigma"], "sigma > 0 (use 'fixed' for no spread)")
        if math.isfinite(bounds.high):
            raise InputError(f"{name}.dist", kind, f"a bounded distribution ({bounds.describe()}); "
                             "lognormal has no upper bound")
    if kind == "lognormal":
        if bounds.low > 0:
            raise InputError(f"{name}.dist", kind, f"a bounded distribution ({bounds.describe()}); "
                             "lognormal draws come arbitrarily close to 0")
        return dist
    lo, hi = dist.support()
    if not (bounds.contains(lo) and bounds.contains(hi)):
        raise InputError(name, f"support [{lo:g}, {hi:g}]", bounds.describe())
    return dist
