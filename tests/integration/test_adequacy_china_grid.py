"""Adequacy on the 31-province grid model (coarse 120-hour steps, a few seconds per solve)."""

import pytest

from computegrid.grid.adequacy import prepared_network, solve_adequacy_case
from computegrid.supply.capacity_outlook import national_capacity_gw

pytestmark = pytest.mark.slow
RES = "120h"


def test_fleet_scaled_to_the_capacity_outlook():
    n = prepared_network("china", 2030, RES, "planned")
    target = national_capacity_gw(2030, "planned")
    gen = n.generators.groupby("carrier").p_nom.sum()
    sto = n.storage_units.groupby("carrier").p_nom.sum()
    for carrier in ("coal", "gas", "nuclear", "onwind", "offwind", "solar"):
        assert gen[carrier] == pytest.approx(target[carrier] * 1e3, rel=1e-9)
    for carrier in ("hydro", "PHS", "battery"):
        assert sto[carrier] == pytest.approx(target[carrier] * 1e3, rel=1e-9)


def test_a_huge_ai_load_is_unserved_and_a_small_one_is_not():
    small = solve_adequacy_case(2030, {"NM": 2_000.0}, 1.1, resolution=RES, supply="planned")
    assert small["status"] == "optimal"
    assert small["unserved_energy_twh"] < 1e-4
    huge = solve_adequacy_case(2030, {"GD": 400_000.0}, 1.1, resolution=RES, supply="planned")
    assert huge["unserved_energy_twh"] > 100.0
    assert "GD" in huge["provinces_short"]
    assert huge["reserve_margin_min_frac"] < small["reserve_margin_min_frac"]
