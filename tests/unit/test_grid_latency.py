"""Latency model against the worked examples of REFERENCES.md section 6 and the backbone route factors."""

import numpy as np
import pandas as pd
import pytest

from computegrid.datasets.grid import load_backbone, load_provinces, load_sites
from computegrid.errors import InputError
from computegrid.facility.latency import (
    great_circle_km,
    latency_matrix_ms,
    route_factors,
    rtt_ms,
    summarise_route_factors,
)

# REFERENCES.md section 6, k = 1.5: "Beijing-Zhongwei about 15 ms, Shanghai-Qingyang about 20 ms,
# Shanghai-Zhongwei about 24 ms". Printed to whole milliseconds -> tolerance 0.5 ms.
WORKED_EXAMPLES_MS = [("beijing", "zhongwei", 15.0), ("shanghai", "qingyang", 20.0),
                      ("shanghai", "zhongwei", 24.0)]


@pytest.mark.parametrize(("a", "b", "expected_ms"), WORKED_EXAMPLES_MS)
def test_rtt_matches_references_worked_examples(a, b, expected_ms):
    sites = load_sites()
    got = rtt_ms(sites.at[a, "latitude_deg"], sites.at[a, "longitude_deg"],
                 sites.at[b, "latitude_deg"], sites.at[b, "longitude_deg"], route_factor=1.5)
    assert got == pytest.approx(expected_ms, abs=0.5)


def test_great_circle_known_distance():
    # one degree of latitude on the mean sphere = 2 pi R / 360 = 111.195 km
    assert great_circle_km(0.0, 0.0, 1.0, 0.0) == pytest.approx(111.195, rel=1e-4)
    assert great_circle_km(30.0, 120.0, 30.0, 120.0) == 0.0


def test_rtt_is_linear_in_route_factor_and_adds_equipment():
    a = rtt_ms(39.9, 116.4, 31.2, 121.5, route_factor=1.0, equipment_ms=0.0)
    b = rtt_ms(39.9, 116.4, 31.2, 121.5, route_factor=2.0, equipment_ms=1.0)
    assert b == pytest.approx(2 * a + 1.0)


def test_rtt_rejects_route_factor_below_one():
    with pytest.raises(InputError):
        rtt_ms(0, 0, 1, 1, route_factor=0.9)


def test_latency_matrix_shape_and_symmetry():
    prov, sites = load_provinces(), load_sites()
    m = latency_matrix_ms(prov, sites)
    assert m.shape == (31, len(sites))
    assert list(m.columns) == list(sites.index)
    # a site's own province seat is near: Beijing metro sits at the Beijing seat -> equipment delay only
    assert m.at["BJ", "beijing"] == pytest.approx(0.2, abs=0.01)
    assert (m.to_numpy() > 0).all() and np.isfinite(m.to_numpy()).all()
    # Urumqi to Shanghai is the far end of the table (> 40 ms at k = 1.5)
    assert m.at["XJ", "shanghai"] > 40


def test_latency_matrix_requires_coordinates():
    with pytest.raises(InputError):
        latency_matrix_ms(pd.DataFrame({"lat": [1.0]}), load_sites())


# REFERENCES.md section 6: median route factor 1.34 on ChinaNet and 1.45 on CERNET (link-by-link
# great-circle lengths). Printed to 2 decimals -> tolerance 0.01.
def test_route_factor_chinanet_median():
    nodes, edges = load_backbone("chinanet")
    s = summarise_route_factors(route_factors(nodes, edges))
    assert s["median"] == pytest.approx(1.34, abs=0.01)


def test_route_factor_cernet_median_as_published_and_cleaned():
    nodes, edges = load_backbone("cernet", drop_bad_nodes=False)
    assert summarise_route_factors(route_factors(nodes, edges))["median"] == pytest.approx(1.45, abs=0.01)
    # without the two nodes with wrong coordinates the median falls to about 1.38
    nodes, edges = load_backbone("cernet")
    assert 1.3 < summarise_route_factors(route_factors(nodes, edges))["median"] < 1.45


def test_default_route_factor_is_conservative():
    for name in ("chinanet", "cernet"):
        nodes, edges = load_backbone(name)
        assert summarise_route_factors(route_factors(nodes, edges))["median"] < 1.5
