"""The headroom's default demand is the base year's own: 2024 is the official provincial consumption on the
bundled hourly shape, the same demand as the grid model's 2024 base-year network."""

import pytest

from computegrid.datasets.grid_base_year import load_annual_demand_2024_mwh
from computegrid.services.outlook.headroom import BASE_YEAR, china_load_mw, china_source


def test_default_is_the_2024_base_year_with_its_official_consumption():
    assert BASE_YEAR == 2024
    provinces, grids = china_load_mw(2024)
    official = load_annual_demand_2024_mwh()
    assert provinces.sum().to_dict() == pytest.approx(official.reindex(provinces.columns).to_dict(), rel=1e-9)
    # NEA's national 2024 consumption, 9,852.1 TWh (the file is scaled to it)
    assert provinces.to_numpy().sum() / 1e6 == pytest.approx(9852.1, rel=1e-3)
    assert grids.to_numpy().sum() == pytest.approx(provinces.to_numpy().sum(), rel=1e-12)
    assert "9,852.1 TWh" in china_source(2024) and "pypsa-china-pik" in china_source(2030)


def test_other_years_keep_the_projection():
    from computegrid.datasets.grid import annual_demand_mwh

    provinces, _ = china_load_mw(2030)
    assert provinces.sum().to_dict() == pytest.approx(annual_demand_mwh(2030).reindex(provinces.columns).to_dict(),
                                                      rel=1e-9)
    # 2024 is not the projection's interpolated 2024
    assert china_load_mw(2024)[0].to_numpy().sum() != pytest.approx(annual_demand_mwh(2024).sum(), rel=1e-3)


def test_curtailment_cost_is_the_sites_value_of_lost_compute():
    """250,000 CNY/kW of IT annualised over 5 years at 7 % (sites.csv), per hour, over the median PUE 1.25;
    the grid module's default is the same figure."""
    from computegrid.grid.headroom import DEFAULT_CURTAILMENT_COST_CNY_PER_MWH
    from computegrid.services.outlook.headroom import curtailment_cost_cny_per_mwh

    annuity = 0.07 / (1 - 1.07 ** -5)
    expected = 250_000 * 1e3 * annuity / 8760 / 1.25
    assert curtailment_cost_cny_per_mwh() == pytest.approx(expected, rel=1e-9)
    assert DEFAULT_CURTAILMENT_COST_CNY_PER_MWH == pytest.approx(expected, abs=1.0)
