"""Claims service: each claim recomputed, inputs sourced, verdicts as computed."""

import pytest

from computegrid.services.workload.claims import DOES_NOT_HOLD, HOLDS, HOLDS_ONLY_IF, check_claims


@pytest.fixture(scope="module")
def claims():
    return {c.id: c for c in check_claims()}


def test_every_claim_has_sourced_inputs_and_a_verdict(claims):
    assert len(claims) == 4
    for c in claims.values():
        assert c.verdict in (HOLDS, HOLDS_ONLY_IF, DOES_NOT_HOLD)
        assert c.inputs and all(i.source.strip() for i in c.inputs)
        assert c.range_low <= c.range_high


def test_image_claim(claims):
    r = claims["image-vs-smartphone"].result
    assert r["charges_per_image_mean_model"] == pytest.approx(2.907 / 22)
    assert r["charges_per_image_least_efficient_model"] == pytest.approx(11.49 / 22)
    assert r["charges_per_image_least_efficient_model_preprint_charge"] < 1.0


def test_h100_claim(claims):
    r = claims["h100-vs-household"].result
    assert r["energy_kwh_per_year"] == pytest.approx(3740.52)
    assert r["us_households"] < 1 < r["china_households"]


def test_servers_claim(claims):
    r = claims["ai-servers-vs-countries"].result
    assert r["energy_twh_per_year_dgx_a100"] < r["netherlands_twh_per_year"] < r["energy_twh_per_year_dgx_h100"]
    assert r["energy_twh_per_year_dgx_h100"] < r["sweden_twh_per_year"] < r["energy_twh_per_year_dgx_b200"]


def test_growth_claim_crosses_totals_within_two_years(claims):
    c = claims["compute-x10-per-six-months"]
    r = c.result
    assert 60 < r["electricity_growth_per_year_low"] < r["electricity_growth_per_year_high"] < 80
    assert 2024 < r["year_ai_exceeds_china_total_earliest"] <= r["year_ai_exceeds_china_total_latest"] < 2027
    assert r["year_ai_exceeds_world_total_latest"] < 2027
    assert c.years[0]["year"] == 2024 and len(c.years) == 5
