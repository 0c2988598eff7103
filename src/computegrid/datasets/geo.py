"""Loader of the bundled outlines of China's 31 mainland provinces (for maps only).

The file ``computegrid/datasets/data/geo/china_provinces.geojson`` holds one MultiPolygon per province
(longitude, latitude [deg], WGS84) from Natural Earth's 1:10m admin-1 states and provinces (public domain),
simplified to 0.05 deg by ``tools/build_province_shapes.py``; origin and processing in its ``SOURCE.txt``
and in docs/data-sources.md (section "Maps"). Feature ids are the province codes of
:func:`computegrid.datasets.grid.load_provinces`. The loaders validate the file and raise
:class:`computegrid.errors.DataFileError` naming the feature and the value.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

from computegrid.datasets.grid import load_provinces
from computegrid.errors import DataFileError

#: File of the province outlines, under ``computegrid/datasets/data/geo/``.
SHAPES_FILE = "china_provinces.geojson"
#: Box every vertex must lie in: mainland China and Hainan, (lon_min, lat_min, lon_max, lat_max) [deg].
CHINA_BOX_DEG = (73.0, 18.0, 136.0, 54.0)
_DATA = "data/geo"


@dataclass(frozen=True)
class ProvinceShape:
    """Outline of one province.

    Attributes
    ----------
    province : str
        Two-letter code (``load_provinces()`` index).
    name : str
        English name as in ``provinces.csv``.
    polygons : tuple of tuple of numpy.ndarray
        One entry per part (mainland, islands); each part is its exterior ring followed by its holes,
        every ring an ``(n, 2)`` array of longitude, latitude [deg], closed (first point = last point).
    """

    province: str
    name: str
    polygons: tuple[tuple[np.ndarray, ...], ...]

    def rings(self) -> list[np.ndarray]:
        """All rings, exteriors and holes, as ``(n, 2)`` arrays of longitude, latitude [deg]."""
        return [ring for part in self.polygons for ring in part]

    def bounds_deg(self) -> tuple[float, float, float, float]:
        """(lon_min, lat_min, lon_max, lat_max) [deg]."""
        xy = np.vstack(self.rings())
        return float(xy[:, 0].min()), float(xy[:, 1].min()), float(xy[:, 0].max()), float(xy[:, 1].max())

    def contains(self, lon_deg: float, lat_deg: float) -> bool:
        """Whether the point lies inside the province (even-odd rule over all rings, so holes count)."""
        crossings = 0
        for ring in self.rings():
            x0, y0 = ring[:-1, 0], ring[:-1, 1]
            x1, y1 = ring[1:, 0], ring[1:, 1]
            spans = (y0 > lat_deg) != (y1 > lat_deg)
            with np.errstate(divide="ignore", invalid="ignore"):
                x_cross = x0 + (lat_deg - y0) * (x1 - x0) / (y1 - y0)
            crossings += int(np.count_nonzero(spans & (lon_deg < x_cross)))
        return crossings % 2 == 1

    def distance_deg(self, lon_deg: float, lat_deg: float) -> float:
        """Planar distance from the point to the province: 0 inside, else to the nearest edge. [deg]"""
        if self.contains(lon_deg, lat_deg):
            return 0.0
        best = np.inf
        p = np.array([lon_deg, lat_deg])
        for ring in self.rings():
            a, b = ring[:-1], ring[1:]
            ab = b - a
            length2 = np.maximum((ab ** 2).sum(axis=1), 1e-18)
            t = np.clip(((p - a) * ab).sum(axis=1) / length2, 0.0, 1.0)
            best = min(best, float(np.sqrt((((a + t[:, None] * ab) - p) ** 2).sum(axis=1)).min()))
        return best


def province_shapes_file():
    """The bundled GeoJSON file as an ``importlib.resources`` traversable (served as is by the API)."""
    return resources.files("computegrid.datasets").joinpath(_DATA, SHAPES_FILE)


def _ring(coords, where: str) -> np.ndarray:
    try:
        ring = np.asarray(coords, dtype=float)
    except (TypeError, ValueError):
        raise DataFileError(f"{SHAPES_FILE}: {where}", str(coords)[:60], "a list of [lon, lat] pairs") from None
    if ring.ndim != 2 or ring.shape[1] != 2 or len(ring) < 4 or not np.array_equal(ring[0], ring[-1]):
        raise DataFileError(f"{SHAPES_FILE}: {where}", f"{len(ring)} points",
                            "a closed ring of at least 4 [lon, lat] points")
    lon_min, lat_min, lon_max, lat_max = CHINA_BOX_DEG
    bad = ~np.isfinite(ring).all(axis=1) | (ring[:, 0] < lon_min) | (ring[:, 0] > lon_max) \
        | (ring[:, 1] < lat_min) | (ring[:, 1] > lat_max)
    if bad.any():
        raise DataFileError(f"{SHAPES_FILE}: {where}", ring[np.argmax(bad)].tolist(),
                            f"a point in lon {lon_min}..{lon_max}, lat {lat_min}..{lat_max} deg")
    ring.setflags(write=False)
    return ring


def _shape(feature: dict, names) -> ProvinceShape:
    code = feature.get("id")
    if code not in names.index:
        raise DataFileError(f"{SHAPES_FILE}: feature id", code, "a province code of provinces.csv")
    geom = feature.get("geometry") or {}
    if geom.get("type") == "Polygon":
        parts = [geom.get("coordinates")]
    elif geom.get("type") == "MultiPolygon":
        parts = geom.get("coordinates")
    else:
        raise DataFileError(f"{SHAPES_FILE}: feature {code}, geometry type", geom.get("type"),
                            "Polygon or MultiPolygon")
    if not parts or not all(parts):
        raise DataFileError(f"{SHAPES_FILE}: feature {code}, coordinates", parts, "at least one ring")
    polygons = tuple(tuple(_ring(r, f"feature {code}, part {i}, ring {j}") for j, r in enumerate(part))
                     for i, part in enumerate(parts))
    return ProvinceShape(province=code, name=str(names.at[code, "name"]), polygons=polygons)


@lru_cache(maxsize=1)
def _shapes() -> dict[str, ProvinceShape]:
    try:
        doc = json.loads(province_shapes_file().read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DataFileError(SHAPES_FILE, type(exc).__name__, "a readable GeoJSON FeatureCollection") from None
    names = load_provinces()
    shapes = [_shape(f, names) for f in doc.get("features", [])]
    by_code = {s.province: s for s in shapes}
    if len(by_code) != len(shapes) or set(by_code) != set(names.index):
        missing = sorted(set(names.index) - set(by_code))
        raise DataFileError(f"{SHAPES_FILE}: features", f"{len(shapes)} (missing {missing})",
                            "exactly one feature per province of provinces.csv (31)")
    return {code: by_code[code] for code in names.index}


def load_province_shapes() -> dict[str, ProvinceShape]:
    """Outlines of the 31 mainland provinces, in the order of ``load_provinces()``.

    Returns
    -------
    dict of str to ProvinceShape
        Province code -> outline (longitude, latitude [deg]). The shapes are read once and shared:
        treat the arrays as read-only.
    """
    return dict(_shapes())


def province_at(lon_deg: float, lat_deg: float) -> str | None:
    """Code of the province whose outline contains the point, or None (sea, abroad). [deg]"""
    for code, shape in _shapes().items():
        lon_min, lat_min, lon_max, lat_max = shape.bounds_deg()
        if lon_min <= lon_deg <= lon_max and lat_min <= lat_deg <= lat_max and shape.contains(lon_deg, lat_deg):
            return code
    return None


def outline_lines_deg(shapes: dict[str, ProvinceShape] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Every ring of the given outlines (default: all provinces) as one line broken by NaN.

    Returns
    -------
    tuple of numpy.ndarray
        Longitudes and latitudes [deg], ready for ``ax.plot(lon, lat)`` or a plotly line trace.
    """
    rings = [r for s in (shapes or _shapes()).values() for r in s.rings()]
    gap = np.array([[np.nan, np.nan]])
    xy = np.vstack([part for r in rings for part in (r, gap)])
    return xy[:, 0], xy[:, 1]
