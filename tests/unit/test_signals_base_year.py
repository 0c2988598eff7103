"""The default signals come from the validated 2024 base year, and their cache name changes with the
year, the method and the base year's parameters (a recalibration never reads a stale cache)."""

import dataclasses

import pytest

from computegrid.grid import base_year
from computegrid.services.signals import grid_signals as gs


def test_default_is_the_2024_base_year_and_named_in_the_source():
    assert gs.DEFAULT_GRID_YEAR == 2024
    assert "2024 base-year dispatch" in gs.signal_source()


def test_cache_name_carries_year_method_and_parameters(monkeypatch, tmp_path):
    monkeypatch.setenv("COMPUTEGRID_CACHE_DIR", str(tmp_path))
    p24, p20 = gs.grid_cache_path(), gs.grid_cache_path(2020)
    assert p24.parent == tmp_path / "signals"
    assert p24.name.startswith(f"grid-2024-3h-m{gs.GRID_SIGNALS_METHOD}-") and p24 != p20
    assert base_year.parameters_key(2024) in p24.name
    # another calibration of the base year: another file
    real = base_year.base_year_parameters(2024)
    monkeypatch.setattr(base_year, "base_year_parameters",
                        lambda y: dataclasses.replace(real, gas_min_pu=real.gas_min_pu + 0.01))
    assert gs.grid_cache_path() != p24


def test_base_year_network_carries_its_operating_rules():
    from computegrid.errors import InputError
    from computegrid.grid.parameters import base_year_parameters

    import dataclasses

    p20 = base_year_parameters(2020)
    assert callable(base_year.operating_rules(p20))  # proportional curtailment in both years
    assert base_year.operating_rules(dataclasses.replace(p20, proportional_curtailment=False)) is None
    assert callable(base_year.operating_rules(base_year_parameters(2024)))  # and daily DC schedules
    with pytest.raises(InputError, match="available base years"):
        base_year.base_year_network(2030, "24h")
