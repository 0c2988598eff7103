"""IEA, "Energy and AI" (2025), base case [secondary]: data centres 415 TWh (2024) -> 945 TWh (2030)
worldwide; China 102 -> 277 TWh. Reproduced as an implied growth rate by the iea-base scenario.

Tolerance from printed precision: each figure is printed to the unit (3 significant figures), so it
may be off by 0.5 TWh; the ratio 945/415 is then known to 0.5/415 + 0.5/945 = 0.17% (world) and
0.5/102 + 0.5/277 = 0.67% (China), and the six-year growth rate to a sixth of that, times (1 + g):
0.033 and 0.13 percentage points.
"""

import numpy as np
import pytest

from computegrid.demand.outlook import OUTLOOK_YEARS, central_path, implied_growth_frac_per_year, simulate
from computegrid.demand.scenarios import load_scenarios

CASES = {  # region: (2024 TWh, 2030 TWh, growth tolerance [1/yr])
    "world": (415.0, 945.0, (0.5 / 415 + 0.5 / 945) / 6 * 1.15),
    "china": (102.0, 277.0, (0.5 / 102 + 0.5 / 277) / 6 * 1.19),
}


def test_published_implied_growth_rate():
    # (945 / 415)^(1/6) - 1 = 14.70 %/yr, the figure IEA rounds to "about 15% per year"
    assert implied_growth_frac_per_year(415.0, 945.0, 6) == pytest.approx(0.1470, abs=5e-5)


@pytest.mark.parametrize("region", list(CASES))
def test_iea_base_central_path_reproduces_growth(region):
    e2024, e2030, tol = CASES[region]
    path = central_path(load_scenarios()["iea-base"]).energy_twh[region][0]
    i24, i30 = OUTLOOK_YEARS.index(2024), OUTLOOK_YEARS.index(2030)
    assert path[i24] == pytest.approx(e2024, abs=0.5)
    g_model = implied_growth_frac_per_year(path[i24], path[i30], 6)
    g_published = implied_growth_frac_per_year(e2024, e2030, 6)
    assert g_model == pytest.approx(g_published, abs=tol)


@pytest.mark.parametrize("region", list(CASES))
def test_published_2030_inside_monte_carlo_band(region):
    _, e2030, _ = CASES[region]
    d = simulate(load_scenarios()["iea-base"], 20_000, seed=0)
    col = OUTLOOK_YEARS.index(2030)
    p5, p50, p95 = np.percentile(d.energy_twh[region][:, col], (5, 50, 95))
    assert p5 < e2030 < p95
    assert p50 == pytest.approx(e2030, rel=0.05)  # the MC median stays near the central path
