"""Chinese government figures [secondary]: data-centre use about 77 TWh (2022), 150-200 TWh (2025),
about 400 TWh (2030). The china-official scenario's P5-P95 band must contain the official 2030 range.

Tolerance from printed precision: "about 400 TWh" is printed to one significant figure, so any value in
[350, 450) is the published figure; that whole range must lie inside the band. The 2022 base is
printed to the unit (0.5 TWh); the 2025 range is given as 150-200.
"""

import numpy as np
import pytest

from computegrid.demand.outlook import central_path, simulate
from computegrid.demand.scenarios import load_scenarios

YEARS = tuple(range(2022, 2036))


@pytest.fixture(scope="module")
def draws():
    return simulate(load_scenarios()["china-official"], 20_000, seed=0, years=YEARS)


def test_official_2030_range_inside_p5_p95(draws):
    p5, p50, p95 = np.percentile(draws.energy_twh["china"][:, YEARS.index(2030)], (5, 50, 95))
    assert p5 <= 350.0 and 450.0 <= p95
    assert 350.0 <= p50 < 450.0


def test_official_2025_range_holds_the_median(draws):
    p50 = np.percentile(draws.energy_twh["china"][:, YEARS.index(2025)], 50)
    assert 150.0 <= p50 <= 200.0


def test_official_2022_base():
    path = central_path(load_scenarios()["china-official"], YEARS)
    assert path.energy_twh["china"][0, 0] == pytest.approx(77.0, abs=0.5)
