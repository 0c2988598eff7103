"""de Vries, "The growing energy footprint of artificial intelligence", Joule 7(10), 2023:
1.5 million NVIDIA AI servers shipped by 2027 at full use draw 85.4-134.0 TWh/yr (DGX A100 6.5 kW and
DGX H100 10.2 kW maximum x 8,760 h).

Reproduced with the fleet estimator of the workload package (merged from branch ``workload``) and
with the outlook's own bottom-up fleet path (vintage model: one year's shipments, lifetime 1 year,
utilisation 1, PUE 1). Tolerance: the paper prints one decimal -> 0.05 TWh.
"""

import pytest

from computegrid.demand.fleet import installed_fleet
from computegrid.workload.energy import fleet_energy_twh_per_year

SERVERS = 1.5e6
CASES = [(6_500.0, 85.4), (10_200.0, 134.0)]  # server maximum [W], TWh/yr


@pytest.mark.parametrize("server_power_w, published_twh", CASES)
def test_fleet_estimator_reproduces_de_vries(server_power_w, published_twh):
    assert fleet_energy_twh_per_year(SERVERS, server_power_w, 1.0) == pytest.approx(published_twh, abs=0.05)


@pytest.mark.parametrize("server_power_w, published_twh", CASES)
def test_outlook_bottom_up_path_reproduces_de_vries(server_power_w, published_twh):
    n_units, power_w = installed_fleet([2027], 2027, [SERVERS], [0.0], [1.0], [server_power_w], [0.0])
    energy = fleet_energy_twh_per_year(n_units, power_w, 1.0, pue=1.0)
    assert energy[0, 0] == pytest.approx(published_twh, abs=0.05)
