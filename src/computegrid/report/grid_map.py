"""PNG map of the grid model: province outlines, buses, corridors (width by capacity) and candidate
data-centre sites."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from computegrid.io.atomic import atomic_write
from computegrid.report.province_map import OUTLINE_CREDIT, draw_provinces


def write_grid_map(buses: pd.DataFrame, corridors: pd.DataFrame, sites: pd.DataFrame, path: str | Path,
                   title: str = "China grid model") -> Path:
    """Draw the map (:func:`grid_map_figure`) and write it atomically (temporary file, then rename).

    Parameters
    ----------
    buses, corridors, sites, title
        As for :func:`grid_map_figure`.
    path : str or Path
        Output PNG.

    Returns
    -------
    Path
        The written file.
    """
    fig = grid_map_figure(buses, corridors, sites, title)
    import matplotlib.pyplot as plt

    try:
        return atomic_write(Path(path), lambda tmp: fig.savefig(tmp, dpi=120, bbox_inches="tight"))
    finally:
        plt.close(fig)


def grid_map_figure(buses: pd.DataFrame, corridors: pd.DataFrame, sites: pd.DataFrame,
                    title: str = "China grid model"):
    """The map as a matplotlib figure: province outlines, corridors, buses, sites.

    Parameters
    ----------
    buses : pandas.DataFrame
        Index province code; ``latitude_deg``, ``longitude_deg`` [deg]; optional ``demand_twh`` [TWh]
        (marker size).
    corridors : pandas.DataFrame
        ``bus0``, ``bus1``, ``capacity_mw`` [MW].
    sites : pandas.DataFrame
        ``latitude_deg``, ``longitude_deg``, ``kind``, ``side``.
    title : str
        Title; the corridor scale is appended.

    Returns
    -------
    matplotlib.figure.Figure
        The caller closes it.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(10, 8))
    draw_provinces(ax)
    cap_max = float(corridors["capacity_mw"].max()) if len(corridors) else 1.0
    for _, c in corridors.iterrows():
        b0, b1 = buses.loc[c["bus0"]], buses.loc[c["bus1"]]
        ax.plot([b0["longitude_deg"], b1["longitude_deg"]], [b0["latitude_deg"], b1["latitude_deg"]],
                color="#7f8c8d", alpha=0.7, lw=0.5 + 6.0 * c["capacity_mw"] / cap_max, zorder=1)
    size = 20.0
    if "demand_twh" in buses.columns:
        size = 10.0 + buses["demand_twh"] / buses["demand_twh"].max() * 300.0
    ax.scatter(buses["longitude_deg"], buses["latitude_deg"], s=size, color="#2c3e50", zorder=2,
               label="provincial bus (size: demand)")
    for code, b in buses.iterrows():
        ax.annotate(code, (b["longitude_deg"], b["latitude_deg"]), xytext=(3, 3), textcoords="offset points",
                    fontsize=7)
    styles = {("edwc-cluster", "west"): ("^", "#27ae60", "EDWC cluster (west)"),
              ("edwc-cluster", "east"): ("^", "#e67e22", "EDWC cluster (east)"),
              ("metro", "east"): ("s", "#c0392b", "metro site"), ("metro", "west"): ("s", "#c0392b", None)}
    for (kind, side), group in sites.groupby(["kind", "side"]):
        marker, colour, label = styles.get((kind, side), ("o", "black", kind))
        ax.scatter(group["longitude_deg"], group["latitude_deg"], marker=marker, s=60, color=colour,
                   edgecolor="white", zorder=3, label=label)
    ax.set_xlabel("longitude [deg]")
    ax.set_ylabel("latitude [deg]")
    ax.set_title(title + "  (corridor width ~ capacity, max %.0f GW)" % (cap_max / 1e3))
    ax.legend(loc="lower left", fontsize=8)
    ax.grid(alpha=0.2)
    ax.text(0.99, 0.01, OUTLINE_CREDIT, transform=ax.transAxes, ha="right", va="bottom", fontsize=6,
            color="#7f8c8d")
    return fig
