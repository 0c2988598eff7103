"""Every map draws the bundled province outlines: grid show, the headroom map, the plotly helpers."""

from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import LineCollection, PolyCollection  # noqa: E402

from computegrid.datasets.geo import load_province_shapes  # noqa: E402
from computegrid.datasets.grid import load_corridors, load_provinces, load_sites  # noqa: E402
from computegrid.report import province_map  # noqa: E402
from computegrid.report.grid_map import grid_map_figure, write_grid_map  # noqa: E402
from computegrid.report.headroom import map_figure  # noqa: E402


def _outline_segments(ax) -> list[np.ndarray]:
    lines = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert len(lines) == 1
    return lines[0].get_segments()


def _all_rings():
    return [r for s in load_province_shapes().values() for r in s.rings()]


def test_grid_map_draws_every_province_ring(tmp_path):
    buses = load_provinces()[["latitude_deg", "longitude_deg"]]
    fig = grid_map_figure(buses, load_corridors(), load_sites())
    try:
        ax = fig.axes[0]
        segments, rings = _outline_segments(ax), _all_rings()
        assert len(segments) == len(rings)
        for seg, ring in zip(segments, rings):
            np.testing.assert_allclose(seg, ring)
        assert ax.get_xlim() == province_map.LON_RANGE_DEG
        assert "Natural Earth" in " ".join(t.get_text() for t in ax.texts)
    finally:
        plt.close(fig)
    png = write_grid_map(buses, load_corridors(), load_sites(), tmp_path / "m.png")
    assert png.read_bytes()[:4] == b"\x89PNG"


def _result(shares: dict[str, float]):
    regions = [SimpleNamespace(region=c, headroom_mw=[0.0, s * 1000.0], peak_mw=1000.0) for c, s in shares.items()]
    regions.append(SimpleNamespace(region="north", headroom_mw=[0.0, 5000.0], peak_mw=1000.0))
    return SimpleNamespace(limits_pct=[0.25, 0.5], regions=regions, kinds=["province"] * len(shares) + ["region"],
                           method="peak")


def test_headroom_map_fills_each_province_by_its_share():
    shares = {"XJ": 0.01, "SD": 0.08, "HE": 0.05}  # Hebei has two parts (an exclave between BJ and TJ)
    buses = load_provinces()[["latitude_deg", "longitude_deg"]]
    corridors = pd.DataFrame({"bus0": ["XJ"], "bus1": ["SD"], "capacity_mw": [8000.0]})
    fig = map_figure(_result(shares), buses, corridors)
    try:
        ax = fig.axes[0]
        assert len(_outline_segments(ax)) == len(_all_rings())
        fills = [c for c in ax.collections if isinstance(c, PolyCollection) and c.get_array() is not None]
        assert len(fills) == 1
        shapes = load_province_shapes()
        # in the order of the province table, one value per part
        expected = [shares[c] for c in shapes if c in shares for _ in shapes[c].polygons]
        assert expected == [0.05, 0.05, 0.08, 0.01]
        np.testing.assert_allclose(fills[0].get_array(), expected)
        assert len(fills[0].get_paths()) == sum(len(shapes[c].polygons) for c in shares) == 4
        assert fills[0].get_clim()[0] == 0.0
    finally:
        plt.close(fig)


def test_plotly_outline_trace_breaks_between_rings():
    trace = province_map.outline_trace()
    assert trace.name == "province outlines" and trace.fill == "toself" and trace.hoverinfo == "skip"
    assert sum(v is None for v in trace.x) == sum(v is None for v in trace.y) == len(_all_rings())
    axes = province_map.plotly_map_axes()
    assert axes["yaxis"]["scaleanchor"] == "x"
    # equirectangular at 35.5 deg N: one degree of latitude is 1 / cos(35.5 deg) = 1.228 degrees of longitude
    assert axes["yaxis"]["scaleratio"] == pytest.approx(1.228, abs=1e-3)
