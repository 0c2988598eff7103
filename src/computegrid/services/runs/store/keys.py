"""API-key policy: scopes, expiry and limits, checked before a key is stored.

Scopes are ordered: ``read`` (open data, estimates, sites, best placement and schedules),
``plan`` (read, plus planning runs of its own), ``admin`` (plan, plus every run and publishing
runs to the open endpoints). A key has one scope and every scope below it.
"""

from __future__ import annotations

import math
import re

from computegrid.errors import InputError

#: Key scopes, weakest first.
SCOPES = ("read", "plan", "admin")

#: Largest per-key request rate an operator may grant. [1/s]
#: assumption: 10,000/s is above what one server process answers (about 200/s measured in
#: docs/service.md), so it never limits a real client, while staying a finite bucket.
MAX_RATE_LIMIT_PER_S = 10_000.0

#: Longest lifetime of a key. [s] assumption: 10 years, a bound on typing errors (``--expires-in``).
MAX_EXPIRES_IN_S = 10 * 365 * 86_400.0

#: Time resolutions a key may be allowed, finest first: whole hours dividing one day. [h]
RESOLUTION_STEPS_H = (1, 2, 3, 4, 6, 8, 12, 24)

_UNIT_S = {"s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 7 * 86_400, "y": 365 * 86_400}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdwy])\s*$")


def check_scope(scope: str) -> str:
    """``scope`` if it is one of :data:`SCOPES`."""
    if scope not in SCOPES:
        raise InputError("--scope", scope, "one of " + ", ".join(SCOPES))
    return scope


def scope_allows(held: str, needed: str) -> bool:
    """Whether a key of scope ``held`` may do what needs ``needed``."""
    return SCOPES.index(held) >= SCOPES.index(needed)


def check_rate_limit(rate_limit_per_s: float) -> float:
    """A finite request rate in (0, :data:`MAX_RATE_LIMIT_PER_S`]. [1/s]"""
    rate = float(rate_limit_per_s)
    if not (math.isfinite(rate) and 0 < rate <= MAX_RATE_LIMIT_PER_S):
        raise InputError("--rate-limit-per-s", rate_limit_per_s,
                         f"a finite number > 0 and <= {MAX_RATE_LIMIT_PER_S:g}")
    return rate


def check_expires_in_s(expires_in_s: float | None) -> float | None:
    """A finite lifetime in (0, :data:`MAX_EXPIRES_IN_S`] seconds, or ``None`` (no expiry). [s]"""
    if expires_in_s is None:
        return None
    value = float(expires_in_s)
    if not (math.isfinite(value) and 0 < value <= MAX_EXPIRES_IN_S):
        raise InputError("--expires-in", expires_in_s, "a duration > 0 and at most 10 years")
    return value


def parse_expires_in(text: str) -> float | None:
    """``"90d"``, ``"12h"``, ``"30m"``, ``"1y"`` -> seconds; ``"never"`` -> ``None``. [s]"""
    if text.strip().lower() == "never":
        return None
    m = _DURATION.match(text.lower())
    if not m:
        raise InputError("--expires-in", text, "a duration such as 90d, 12h, 30m, 1y, or never")
    return check_expires_in_s(float(m.group(1)) * _UNIT_S[m.group(2)])


def check_min_resolution_h(hours: int) -> int:
    """The finest resolution a key's runs may use, one of :data:`RESOLUTION_STEPS_H`. [h]"""
    if hours not in RESOLUTION_STEPS_H:
        raise InputError("--min-resolution-h", hours,
                         "one of " + ", ".join(map(str, RESOLUTION_STEPS_H)))
    return int(hours)
