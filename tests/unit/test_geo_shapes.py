"""Bundled province outlines (Natural Earth 10m admin-1, simplified): coverage, positions, areas, size."""

import json

import numpy as np
import pytest

from computegrid.datasets import geo
from computegrid.datasets.grid import load_provinces, load_sites
from computegrid.errors import DataFileError
from computegrid.facility.latency import EARTH_RADIUS_KM


def _area_km2(shape: geo.ProvinceShape) -> float:
    """Spherical polygon area (Chamberlain & Duquette, JPL Publication 07-03, 2007), holes subtracted."""
    def ring(r):
        lon, lat = np.radians(r[:, 0]), np.radians(r[:, 1])
        return abs(np.sum((lon[1:] - lon[:-1]) * (2 + np.sin(lat[:-1]) + np.sin(lat[1:])))) * EARTH_RADIUS_KM ** 2 / 2
    return sum(ring(p[0]) - sum(ring(h) for h in p[1:]) for p in shape.polygons)


def test_31_provinces_in_the_order_of_the_province_table():
    shapes = geo.load_province_shapes()
    assert list(shapes) == list(load_provinces().index)
    assert all(s.province == c and s.polygons for c, s in shapes.items())
    assert shapes["NM"].name == "InnerMongolia"


def test_each_seat_of_government_lies_in_its_own_province_and_no_other():
    for code, row in load_provinces().iterrows():
        assert geo.province_at(row.longitude_deg, row.latitude_deg) == code


def test_sites_lie_in_or_next_to_the_province_of_their_bus():
    # 0.05 deg = the simplification tolerance: Hangzhou's seat is on the Qiantang estuary, and the Yangtze
    # delta demonstration zone straddles Shanghai, Jiangsu and Zhejiang (its bus is Shanghai's).
    shapes = geo.load_province_shapes()
    dist = {k: shapes[r.province].distance_deg(r.longitude_deg, r.latitude_deg) for k, r in load_sites().iterrows()}
    assert max(dist.values()) < 0.05, dist
    assert sum(d == 0.0 for d in dist.values()) >= 12


def test_places_outside_the_31_provinces_are_in_none():
    # Taipei, Hong Kong, Ulaanbaatar, the Bohai Sea
    for lon, lat in [(121.56, 25.04), (114.17, 22.30), (106.92, 47.92), (120.0, 39.0)]:
        assert geo.province_at(lon, lat) is None


def test_areas_match_official_figures():
    # Official land areas [km^2] from the provincial governments, as collected in Wikipedia's "List of
    # Chinese administrative divisions by area" (Sichuan 486,100; Qinghai 722,300; Chongqing 82,400;
    # Beijing 16,411; Tianjin 11,917; Shanghai 6,340.5; Xinjiang 1,664,900; Tibet 1,228,400; Inner
    # Mongolia 1,183,000). Natural Earth draws de facto lines (Tibet lacks the area India administers).
    area = {c: _area_km2(s) for c, s in geo.load_province_shapes().items()}
    for code, km2 in {"SC": 486_100, "QH": 722_300, "CQ": 82_400, "BJ": 16_411, "TJ": 11_917}.items():
        assert area[code] == pytest.approx(km2, rel=0.05), code
    assert area["SH"] == pytest.approx(6_340.5, rel=0.10)  # islands under 100 km^2 dropped
    ranked = sorted(area, key=area.get)
    # the five largest and three smallest as officially; Tibet and Inner Mongolia (1,228,400 and
    # 1,183,000 officially) swap places on de facto lines
    assert ranked[-1] == "XJ" and set(ranked[-5:]) == {"SC", "QH", "NM", "XZ", "XJ"}
    assert ranked[:3] == ["SH", "TJ", "BJ"]
    # State Council: land area about 9.6 million km^2, which includes Taiwan (36,000) and claimed areas
    assert sum(area.values()) == pytest.approx(9.6e6, rel=0.05)


def test_contains_and_distance_on_a_square_with_a_hole():
    outer = np.array([[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]], float)
    hole = np.array([[1, 1], [3, 1], [3, 3], [1, 3], [1, 1]], float)
    s = geo.ProvinceShape("XX", "test", ((outer, hole),))
    assert s.contains(0.5, 0.5) and not s.contains(2, 2) and not s.contains(5, 2)
    assert s.distance_deg(0.5, 2) == 0.0
    assert s.distance_deg(2, 2) == pytest.approx(1.0)
    assert s.distance_deg(7, 8) == pytest.approx(5.0)
    assert s.bounds_deg() == (0.0, 0.0, 4.0, 4.0)


def test_outline_lines_break_between_rings():
    shapes = geo.load_province_shapes()
    lon, lat = geo.outline_lines_deg({"BJ": shapes["BJ"], "TJ": shapes["TJ"]})
    n_rings = len(shapes["BJ"].rings()) + len(shapes["TJ"].rings())
    assert np.isnan(lon).sum() == n_rings == np.isnan(lat).sum()
    assert np.nanmin(lon) >= 115 and np.nanmax(lon) <= 119


def test_bundled_file_is_small_and_from_natural_earth():
    f = geo.province_shapes_file()
    size = len(f.read_bytes())
    assert 20_000 < size < 300_000
    doc = json.loads(f.read_text(encoding="utf-8"))
    assert "Natural Earth" in doc["source"]
    assert {x["properties"]["ne_iso_3166_2"] for x in doc["features"]} == {f"CN-{c}" for c in load_provinces().index}


@pytest.fixture()
def bad_file(tmp_path, monkeypatch):
    def write(doc):
        p = tmp_path / "shapes.geojson"
        p.write_text(json.dumps(doc) if not isinstance(doc, str) else doc, encoding="utf-8")
        monkeypatch.setattr(geo, "province_shapes_file", lambda: p)
        geo._shapes.cache_clear()
    yield write
    geo._shapes.cache_clear()


def _feature(code, coords):
    return {"type": "Feature", "id": code, "geometry": {"type": "Polygon", "coordinates": coords}}


def test_bad_files_name_the_feature_and_the_value(bad_file):
    square = [[[116, 39], [117, 39], [117, 40], [116, 40], [116, 39]]]
    cases = [("not json", "readable GeoJSON"),
             ({"features": [_feature("BJ", square)]}, "missing"),
             ({"features": [_feature("HK", square)]}, "feature id: got 'HK'"),
             ({"features": [_feature("BJ", [[[116, 39], [117, 39], [116, 39]]])]}, "closed ring"),
             ({"features": [_feature("BJ", [[[16, 39], [117, 39], [117, 40], [16, 39]]])]}, "got [16.0, 39.0]")]
    for doc, text in cases:
        bad_file(doc)
        with pytest.raises(DataFileError) as err:
            geo.load_province_shapes()
        assert text in str(err.value), str(err.value)
