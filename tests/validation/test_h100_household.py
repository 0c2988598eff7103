"""H100 per year (P. Churnock, Microsoft, via Tom's Hardware [secondary]): 700 W at 61 % annual
utilisation -> about 3,740 kWh/yr; households: US 10,715 kWh/yr (EIA 2020); China 1.35e12 kWh
(NEA 2023) / 494.16 million households (census 2020) -> about 2,732 kWh/yr (derived).

Tolerance: "about 3,740" printed to the tens digit -> +-5 kWh; "about 2,732" to units -> +-0.5 kWh.
"""

import pytest

from computegrid import units
from computegrid.datasets.workload import load_hardware_catalog
from computegrid.workload.comparisons import (
    CHINA_HOUSEHOLD_KWH_PER_YEAR,
    US_HOUSEHOLD_KWH_PER_YEAR,
    households_equivalent,
)
from computegrid.workload.energy import accelerator_energy_kwh


def test_h100_year():
    h100 = load_hardware_catalog().get("h100-sxm")
    assert h100.power_w == 700.0
    kwh = accelerator_energy_kwh(h100.power_w, 0.61, units.HOURS_PER_YEAR)
    assert kwh == pytest.approx(3740, abs=5)


def test_households():
    assert US_HOUSEHOLD_KWH_PER_YEAR == 10_715
    assert CHINA_HOUSEHOLD_KWH_PER_YEAR == pytest.approx(2732, abs=0.5)
    assert households_equivalent(3740.52, US_HOUSEHOLD_KWH_PER_YEAR) == pytest.approx(0.349, abs=5e-4)
    assert households_equivalent(3740.52, CHINA_HOUSEHOLD_KWH_PER_YEAR) == pytest.approx(1.369, abs=5e-4)
