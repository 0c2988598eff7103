"""The documented capacity-growth path of the adequacy check."""

import pytest

from computegrid.errors import InputError
from computegrid.supply.capacity_outlook import CARRIERS, load_capacity_outlook_gw, national_capacity_gw


def test_every_anchor_has_a_source_and_every_carrier_is_covered():
    table = load_capacity_outlook_gw()
    assert table["source"].str.len().min() > 10
    assert set(table["carrier"]) == set(CARRIERS)


def test_interpolation_targets_and_frozen_fleet():
    assert national_capacity_gw(2027)["battery"] == pytest.approx(180.0)     # NDRC/NEA 2027 target
    assert national_capacity_gw(2030)["PHS"] == pytest.approx(120.0)         # NEA pumped-storage plan
    c2035 = national_capacity_gw(2035)
    assert c2035["onwind"] + c2035["offwind"] + c2035["solar"] == pytest.approx(3600.0)  # 2035 NDC
    assert national_capacity_gw(2032)["nuclear"] == pytest.approx(110 + 2 / 5 * 40)
    assert national_capacity_gw(2035, "frozen") == national_capacity_gw(2024)
    wind_solar_2030 = sum(national_capacity_gw(2030)[c] for c in ("onwind", "offwind", "solar"))
    assert wind_solar_2030 >= 1200.0  # above the 2030 target of the 2020 pledge


@pytest.mark.parametrize("year, supply", [(2023, "planned"), (2036, "planned"), (2030, "unplanned")])
def test_bad_requests(year, supply):
    with pytest.raises(InputError):
        national_capacity_gw(year, supply)
