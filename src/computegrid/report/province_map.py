"""The province outlines under every map of the project, for matplotlib and for plotly.

The outlines are the bundled Natural Earth admin-1 shapes (:mod:`computegrid.datasets.geo`); the maps use
plain longitude/latitude axes with the aspect of an equirectangular projection at the map's middle
latitude, so nothing is fetched from the internet (plotly's own geo base maps come from a CDN).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from computegrid.datasets.geo import load_province_shapes, outline_lines_deg

#: Extent of the maps of China: (lon_min, lon_max), (lat_min, lat_max) [deg].
LON_RANGE_DEG = (72.5, 135.5)
LAT_RANGE_DEG = (17.0, 54.0)
OUTLINE_COLOUR = "#7f8c8d"
LAND_COLOUR = "#f2f3f4"
#: Caption for maps drawn on the outlines.
OUTLINE_CREDIT = "province outlines: Natural Earth (public domain), simplified"


def aspect_ratio() -> float:
    """Height per width of one degree at the middle latitude of the map (equirectangular). [-]"""
    return 1.0 / float(np.cos(np.radians(sum(LAT_RANGE_DEG) / 2)))


def draw_provinces(ax, values: pd.Series | None = None, cmap: str = "viridis", vmin: float | None = None,
                   vmax: float | None = None):
    """Draw the 31 provinces on a matplotlib axes, filled by ``values`` where given.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Axes in longitude (x) and latitude (y) [deg]; its limits and aspect are set to China's.
    values : pandas.Series, optional
        Index province code; finite values fill their provinces with ``cmap`` (the others stay grey).
    cmap, vmin, vmax
        Colour map and its limits for ``values``.

    Returns
    -------
    matplotlib.collections.PolyCollection or None
        The filled provinces (for a colour bar) when ``values`` are given. Holes of a province
        (one bay in Fujian) are filled with the province's colour.
    """
    from matplotlib.collections import LineCollection, PolyCollection

    shapes = load_province_shapes()
    land = [part[0] for s in shapes.values() for part in s.polygons]
    ax.add_collection(PolyCollection(land, facecolors=LAND_COLOUR, edgecolors="none", zorder=0))
    filled = None
    if values is not None:
        v = pd.to_numeric(values, errors="coerce").reindex(list(shapes)).dropna()
        parts = [(part[0], float(v[c])) for c in v.index for part in shapes[c].polygons]
        if parts:
            filled = PolyCollection([p for p, _ in parts], array=np.array([x for _, x in parts]), cmap=cmap,
                                    edgecolors="none", zorder=0.2)
            filled.set_clim(vmin, vmax)
            ax.add_collection(filled)
    rings = [r for s in shapes.values() for r in s.rings()]
    ax.add_collection(LineCollection(rings, colors=OUTLINE_COLOUR, linewidths=0.5, zorder=0.5))
    ax.set_xlim(*LON_RANGE_DEG)
    ax.set_ylim(*LAT_RANGE_DEG)
    ax.set_aspect(aspect_ratio())
    return filled


def outline_trace():
    """A plotly trace of the province outlines (light fill, grey lines, no hover, no legend entry).

    The coordinates are plain lists with ``None`` between rings (JSON ``null``: a gap in plotly.js), not
    numpy arrays, which plotly would ship as typed arrays with NaN gaps.
    """
    import plotly.graph_objects as go

    lon, lat = (np.where(np.isnan(v), None, np.round(v, 3)).tolist() for v in outline_lines_deg())
    return go.Scatter(x=lon, y=lat, mode="lines", fill="toself", fillcolor=LAND_COLOUR,
                      line={"color": OUTLINE_COLOUR, "width": 0.7}, hoverinfo="skip", showlegend=False,
                      name="province outlines")


def plotly_map_axes() -> dict:
    """Layout entries of a plotly map on longitude/latitude axes with the equirectangular aspect."""
    return {"xaxis": {"title": {"text": "longitude [deg E]"}, "range": list(LON_RANGE_DEG), "showgrid": False},
            "yaxis": {"title": {"text": "latitude [deg N]"}, "range": list(LAT_RANGE_DEG), "showgrid": False,
                      "scaleanchor": "x", "scaleratio": aspect_ratio()},
            "plot_bgcolor": "white"}
