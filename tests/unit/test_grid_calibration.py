"""Calibration of wind/solar availability to realised 2020 full-load hours."""

import numpy as np
import pytest

from computegrid.datasets import grid as ds
from computegrid.errors import InputError
from computegrid.grid.network import calibrated_profiles
from computegrid.grid.parameters import DEFAULT_PARAMETERS as P
from computegrid.supply.calibration import (
    available_hours_target_h,
    full_load_hours_h,
    scale_to_full_load_hours,
)


def test_scale_hits_target_and_caps_at_one():
    rng = np.random.default_rng(0)
    p = rng.uniform(0, 0.2, 8760)
    out = scale_to_full_load_hours(p, 2500.0)
    assert full_load_hours_h(out) == pytest.approx(2500.0, abs=1e-3)
    assert out.max() <= 1.0
    # below the cap the shape is kept: the ratio is one constant
    ratio = out[out < 1] / p[out < 1]
    assert np.ptp(ratio) < 1e-9


def test_scale_rejects_unreachable_target():
    p = np.r_[np.zeros(8000), np.full(760, 0.5)]
    with pytest.raises(InputError):
        scale_to_full_load_hours(p, 1000.0)


def test_available_hours_target():
    assert available_hours_target_h(1930.0, 0.035) == pytest.approx(2000.0, rel=1e-3)
    with pytest.raises(InputError):
        available_hours_target_h(1000.0, 1.0)


def test_calibrated_profiles_reproduce_realised_hours_after_curtailment():
    prof = calibrated_profiles()
    flh = ds.load_full_load_hours()
    for prov in flh.index:
        wind_avail = full_load_hours_h(prof[("onwind", prov)])
        solar_avail = full_load_hours_h(prof[("solar", prov)])
        # modelled hours after the national 2020 curtailment equal the realised statistics
        assert wind_avail * (1 - P.wind_curtailment_frac) == pytest.approx(
            flh.at[prov, "wind_full_load_hours_h"], abs=0.01)
        assert solar_avail * (1 - P.solar_curtailment_frac) == pytest.approx(
            flh.at[prov, "solar_full_load_hours_h"], abs=0.01)
    # Sichuan onshore wind: raw atlite mean 0.06 (about 530 h), realised 2,537 h
    raw = ds.load_renewable_profiles()[("onwind", "SC")]
    assert full_load_hours_h(raw) < 600 < full_load_hours_h(prof[("onwind", "SC")])
