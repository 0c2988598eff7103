"""de Vries, "The growing energy footprint of artificial intelligence", Joule 7(10), 2023:
1.5 million AI servers at full use draw 85.4-134.0 TWh/yr (DGX A100 6.5 kW, DGX H100 10.2 kW).

Tolerance: the paper prints one decimal (+-0.05 TWh); the inputs (1.5 million, 6.5 kW, 10.2 kW,
8,760 h) are the paper's exact assumptions.
"""

import pytest

from computegrid.datasets.workload import load_country_electricity, load_hardware_catalog
from computegrid.workload.energy import fleet_energy_twh_per_year


@pytest.mark.parametrize("server,twh", [("dgx-a100", 85.4), ("dgx-h100", 134.0)])
def test_fleet_range(server, twh):
    spec = load_hardware_catalog().get(server, kind="server")
    assert fleet_energy_twh_per_year(1.5e6, spec.power_w, 1.0) == pytest.approx(twh, abs=0.05)


def test_range_brackets_the_netherlands():
    """The paper compares the range with the Netherlands, Argentina and Sweden [secondary];
    the Netherlands' and Argentina's annual electricity (codecarbon/OWID, 2023) lie inside it
    or just above, Sweden above."""
    c = load_country_electricity().set_index("iso_code")["electricity_generation_twh"]
    assert 85.4 < c["NLD"] < 134.0
    assert c["SWE"] > 134.0
    assert 85.4 < c["ARG"] < 1.2 * 134.0
