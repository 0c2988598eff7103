"""End-2024 base-year fleet: national totals equal the official figures; loaders and user fleet files."""

import pytest

from computegrid.datasets import grid_base_year as by
from computegrid.io.fleet_file import read_user_fleet
from computegrid.errors import DataFileError, InputError

# Official end-2024 figures (NEA release of 2025-01-21 and 2025-01 press conference, CEC; issue 14):
# total about 3,350 GW, wind about 520 GW, solar about 890 GW, nuclear about 61 GW, pumped hydro 58.7 GW,
# new-type storage 73.8 GW / 168 GWh, consumption 9,852.1 TWh. Each "about" figure is printed by NEA to
# two or three significant figures, hence the tolerances (half a unit of the last printed digit).
ISSUE_FIGURES_GW = [("total", 3350.0, 0.05 / 33.5), ("wind", 520.0, 0.05 / 5.2), ("solar", 890.0, 0.05 / 8.9),
                    ("nuclear", 61.0, 0.5 / 61.0), ("PHS", 58.7, 0.05 / 58.7), ("battery", 73.8, 0.05 / 73.8)]

COLUMN = {"coal": ["coal_mw", "coal_chp_mw"], "gas": ["gas_mw"], "nuclear": ["nuclear_mw"],
          "hydro": ["hydro_mw"], "PHS": ["phs_mw"], "battery": ["battery_mw"], "onwind": ["onwind_mw"],
          "offwind": ["offwind_mw"], "solar_utility": ["solar_utility_mw"],
          "solar_distributed": ["solar_distributed_mw"]}


@pytest.fixture(scope="module")
def fleet():
    return by.load_fleet_mw(2024)


@pytest.fixture(scope="module")
def national():
    return by.load_national_fleet_2024()


def test_each_carrier_sums_to_its_national_total(fleet, national):
    for carrier, cols in COLUMN.items():
        assert fleet[cols].sum().sum() == pytest.approx(national.at[carrier, "capacity_mw"], rel=1e-6), carrier
    assert fleet["battery_mwh"].sum() == pytest.approx(national.at["battery", "energy_mwh"], rel=1e-6)
    assert len(fleet) == 31 and (fleet.to_numpy() >= 0).all()


def test_national_totals_equal_the_official_figures(fleet, national):
    # new-type storage is not generating capacity: NEA's total leaves it out
    gw = {"total": national["capacity_mw"].drop("battery").sum() / 1e3,
          "wind": (fleet["onwind_mw"].sum() + fleet["offwind_mw"].sum()) / 1e3,
          "solar": fleet["solar_mw"].sum() / 1e3, "nuclear": fleet["nuclear_mw"].sum() / 1e3,
          "PHS": fleet["phs_mw"].sum() / 1e3, "battery": fleet["battery_mw"].sum() / 1e3}
    for key, official, rel in ISSUE_FIGURES_GW:
        assert gw[key] == pytest.approx(official, rel=rel), key
    assert fleet["battery_mwh"].sum() / 1e3 == pytest.approx(168.0, rel=1e-6)
    # NEA total 3,348.62 GW exactly: the carriers plus "other" (biomass and other thermal)
    assert gw["total"] == pytest.approx(3348.62, abs=0.01)


def test_demand_2024_is_the_official_consumption():
    d = by.load_annual_demand_2024_mwh()
    assert len(d) == 31 and d.sum() / 1e6 == pytest.approx(9852.1, abs=0.1)
    assert d.idxmax() == "GD" and d.idxmin() == "XZ"


def test_corridors_2024_add_the_new_lines():
    c20, c24 = by.load_corridors_base_year(2020), by.load_corridors_base_year(2024)
    assert len(c20) == 56 and len(c24) == 58  # HN-JX and FJ-GD are new pairs
    added = c24["capacity_mw"].sum() - c20["capacity_mw"].sum()
    assert added == pytest.approx(5000 + 2000 + 5000 + 5000)


def test_bad_base_year_names_the_available_years():
    with pytest.raises(InputError, match="2020, 2024"):
        by.check_base_year(2031)


@pytest.mark.parametrize("row, message", [("XX,coal,5", "row 2, column province: got 'XX'"),
                                          ("AH,fusion,5", "row 2, column carrier: got 'fusion'"),
                                          ("AH,solar,-5", "row 2, column capacity_mw: got -5")])
def test_bad_user_fleet_rows(tmp_path, row, message):
    path = tmp_path / "fleet.csv"
    path.write_text("province,carrier,capacity_mw\nBJ,gas,100\n" + row + "\n")
    with pytest.raises(DataFileError) as err:
        read_user_fleet(path, 2024)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_user_fleet_replaces_one_value(tmp_path):
    path = tmp_path / "fleet.csv"
    path.write_text("province,carrier,capacity_mw\nBJ,gas,100\n")
    fleet = read_user_fleet(path, 2024)
    assert fleet.at["BJ", "gas_mw"] == 100.0
    assert fleet.at["SH", "gas_mw"] == by.load_fleet_mw(2024).at["SH", "gas_mw"]


def test_network_2024_carries_the_fleet_and_the_demand():
    from computegrid.grid.network import build_network

    n = build_network(2024, "24h", base_year=2024)
    w = n.snapshot_weightings.generators
    assert float(n.loads_t.p_set.mul(w, axis=0).sum().sum()) / 1e6 == pytest.approx(9852.1, rel=1e-6)
    hydro_gw = (n.generators.loc[n.generators.carrier == "hydro", "p_nom"].sum()
                + n.storage_units.loc[n.storage_units.carrier == "hydro", "p_nom"].sum()) / 1e3
    assert hydro_gw == pytest.approx(377.26, rel=1e-6)
    bat = n.storage_units[n.storage_units.carrier == "battery"]
    assert bat.p_nom.sum() / 1e3 == pytest.approx(73.76) and (bat.p_nom * bat.max_hours).sum() / 1e3 == \
        pytest.approx(168.0)
    assert n.generators.loc[n.generators.carrier == "nuclear", "p_nom"].sum() / 1e3 == pytest.approx(60.83)
    assert len(n.links) == 58
    # the default (base year 2020) is unchanged: 56 corridors, no run-of-river generators
    n20 = build_network(2020, "24h")
    assert len(n20.links) == 56 and not (n20.generators.carrier == "hydro").any()


def test_solar_split_follows_gem_utility_and_consumption(fleet):
    # utility solar: GEM Global Solar Power Tracker shares; distributed: 2024 consumption shares
    from computegrid.datasets import grid as ds

    gem = ds._read_csv("gem_solar_by_province_2026.csv", index_col="province")["operating_mw"]
    assert gem.sum() == 574_070
    util = fleet["solar_utility_mw"]
    assert (util / util.sum()).to_numpy() == pytest.approx((gem / gem.sum()).reindex(util.index).to_numpy(),
                                                             abs=1e-6)
    dist, demand = fleet["solar_distributed_mw"], by.load_annual_demand_2024_mwh().reindex(util.index)
    assert (dist / dist.sum()).to_numpy() == pytest.approx((demand / demand.sum()).to_numpy(), abs=1e-6)
    # Qinghai no longer holds 2020's 6.3 % of all solar (56 GW); Xinjiang leads the utility plants
    assert fleet.at["QH", "solar_mw"] / 1e3 == pytest.approx(36.9, abs=0.1)
    assert util.idxmax() == "XJ"


def test_captive_coal_is_a_part_of_coal(fleet):
    coal = fleet["coal_mw"] + fleet["coal_chp_mw"]
    assert (fleet["coal_captive_mw"] <= coal + 1e-6).all()
    # GEM Captive flag: about 127 GW (IHS Markit: 142 GW at end-2017); Xinjiang has the largest share
    assert fleet["coal_captive_mw"].sum() / 1e3 == pytest.approx(127.0, abs=0.5)
    assert (fleet["coal_captive_mw"] / coal).idxmax() == "XJ"


def test_captive_coal_minimum_raises_the_must_run():
    from dataclasses import replace

    from computegrid.grid.inputs import hourly_inputs
    from computegrid.grid.parameters import base_year_parameters

    params = base_year_parameters(2024)
    with_captive = hourly_inputs(2024, params, base_year=2024).p_min_pu
    without = hourly_inputs(2024, replace(params, captive_coal_min_pu=None), base_year=2024).p_min_pu
    fleet = by.load_fleet_mw(2024).loc["XJ"]
    f = fleet["coal_captive_mw"] / (fleet["coal_mw"] + fleet["coal_chp_mw"])
    # outside the heating season, where demand does not cap it: (1 - f) x 0.4 + f x 0.6
    assert with_captive["XJ coal"].max() == pytest.approx((1 - f) * 0.4 + f * 0.6)
    assert without["XJ coal"].max() == pytest.approx(0.4)
    assert (with_captive["YN coal"] == without["YN coal"]).all()  # Yunnan: no captive units tracked
