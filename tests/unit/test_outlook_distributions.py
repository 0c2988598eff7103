"""Outlook parameter distributions: impossible parameters are rejected, draws respect the bounds."""

import math

import numpy as np
import pytest

from computegrid.demand.distributions import Bounds, parse_distribution
from computegrid.errors import InputError

FRAC = Bounds(0.0, 1.0)
POS = Bounds(0.0, math.inf, open_low=True)
PUE = Bounds(1.0, 5.0)


@pytest.mark.parametrize("spec, bounds", [
    ({"dist": "uniform", "low": 0.7, "high": 0.4}, FRAC),            # inverted range
    ({"dist": "uniform", "low": 0.5, "high": 0.5}, FRAC),            # no spread
    ({"dist": "uniform", "low": 0.5, "high": 1.2}, FRAC),            # a fraction above 1
    ({"dist": "triangular", "low": 1.1, "mode": 1.6, "high": 1.5}, PUE),  # mode outside
    ({"dist": "triangular", "low": 0.9, "mode": 1.2, "high": 1.5}, PUE),  # PUE below 1
    ({"dist": "lognormal", "median": 2.0, "sigma": 0.0}, POS),       # no spread
    ({"dist": "lognormal", "median": -1.0, "sigma": 0.2}, POS),      # negative median
    ({"dist": "lognormal", "median": 0.5, "sigma": 0.2}, FRAC),      # unbounded draw for a fraction
    ({"dist": "normal", "mean": 1.0, "sd": 0.1}, POS),               # unknown distribution
    ({"dist": "uniform", "low": 0.1}, FRAC),                         # missing key
    ({"dist": "uniform", "low": 0.1, "high": "x"}, FRAC),            # not a number
    ({"dist": "uniform", "low": 0.1, "high": 0.2, "mode": 0.15}, FRAC),  # stray key
    (-3.0, POS),                                                     # fixed value out of bounds
    (float("nan"), POS),
])
def test_impossible_parameters_raise_input_error(spec, bounds):
    with pytest.raises(InputError) as info:
        parse_distribution(spec, "s.world.p", bounds)
    assert "\n" not in str(info.value)
    assert str(info.value).startswith("s.world.p")


def test_draws_stay_inside_support_and_median_is_right():
    rng = np.random.default_rng(1)
    tri = parse_distribution({"dist": "triangular", "low": 1.1, "mode": 1.3, "high": 1.6}, "p", PUE)
    x = tri.sample(rng, 50_000)
    assert x.min() >= 1.1 and x.max() <= 1.6
    assert np.median(x) == pytest.approx(tri.median(), abs=0.005)
    uni = parse_distribution({"dist": "uniform", "low": 0.4, "high": 0.7}, "p", FRAC)
    assert uni.median() == pytest.approx(0.55)
    logn = parse_distribution({"dist": "lognormal", "median": 2.0, "sigma": 0.3}, "p", POS)
    assert np.median(logn.sample(rng, 50_000)) == pytest.approx(2.0, rel=0.01)
    fixed = parse_distribution(3.5, "p", POS)
    assert np.all(fixed.sample(rng, 4) == 3.5) and fixed.median() == 3.5
