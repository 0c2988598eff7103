"""Report of ``computegrid headroom``: bar chart and map (matplotlib PNG) and ``headroom.html``.

Rendering only: the figures come in a :class:`computegrid.services.outlook.headroom.HeadroomResult`, the map's
coordinates and corridors as frames. The map fills each province's outline (bundled Natural Earth shapes,
``report/province_map.py``) by headroom / peak and marks its headroom at the seat of its government.
"""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np
import pandas as pd

from computegrid.io.atomic import atomic_write
from computegrid.report.province_map import OUTLINE_CREDIT, draw_provinces

_LIMIT_COLOURS = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02")
BAR_PNG = "headroom_bars.png"
MAP_PNG = "headroom_map.png"
HTML = "headroom.html"


def _pyplot():
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


def _save(fig, path: Path) -> Path:
    plt = _pyplot()
    try:
        return atomic_write(path, lambda tmp: fig.savefig(tmp, dpi=110, bbox_inches="tight"))
    finally:
        plt.close(fig)


def _frame(result, kinds=("province", "region")) -> pd.DataFrame:
    """``region x limit`` headroom [GW] of the regions of the given kinds, largest last limit first."""
    rows = {r.region: [h / 1e3 for h in r.headroom_mw]
            for r, k in zip(result.regions, result.kinds) if k in kinds}
    df = pd.DataFrame.from_dict(rows, orient="index", columns=[f"{p:g} %" for p in result.limits_pct])
    return df.sort_values(list(df.columns)[::-1], ascending=False)


def write_bar_chart(result, path: str | Path) -> Path:
    """Grouped bars: headroom of each province (or file region) at each limit. [GW]"""
    plt = _pyplot()
    df = _frame(result)
    fig, ax = plt.subplots(figsize=(max(8.0, 0.38 * len(df) + 3), 4.8))
    width = 0.8 / max(len(df.columns), 1)
    x = np.arange(len(df))
    for i, col in enumerate(df.columns):
        ax.bar(x + (i - (len(df.columns) - 1) / 2) * width, df[col], width, label=f"at most {col} curtailed",
               color=_LIMIT_COLOURS[i % len(_LIMIT_COLOURS)])
    ax.set_xticks(x, df.index, rotation=60 if len(df) > 12 else 0, fontsize=8)
    ax.set_ylabel("headroom: new constant load [GW]")
    total = ", ".join(f"{t / 1e3:,.1f}" for t in result.total_headroom_mw)
    ax.set_title(f"Flexible-load headroom by region, {result.method} method"
                 + (f", {result.year}" if result.year else "") + f" (totals {total} GW)", fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    return _save(fig, Path(path))


def write_map(result, buses: pd.DataFrame, corridors: pd.DataFrame, path: str | Path,
              limit_index: int = 1) -> Path:
    """Write the headroom map (:func:`map_figure`) as a PNG. Parameters as there; ``path`` is the file."""
    return _save(map_figure(result, buses, corridors, limit_index), Path(path))


def map_figure(result, buses: pd.DataFrame, corridors: pd.DataFrame, limit_index: int = 1):
    """Provinces filled by headroom / peak at one limit; marker area ~ headroom at the seat; corridors.

    Parameters
    ----------
    buses : pandas.DataFrame
        Index province code; ``latitude_deg``, ``longitude_deg``. [deg]
    corridors : pandas.DataFrame
        ``bus0``, ``bus1``, ``capacity_mw`` (drawn as in ``report/grid_map.py``). [MW]
    limit_index : int, default 1
        Which limit to draw (the second, 0.5 % by default, the paper's headline case).

    Returns
    -------
    matplotlib.figure.Figure
        The caller saves and closes it.
    """
    plt = _pyplot()
    i = min(limit_index, len(result.limits_pct) - 1)
    rows = [(r.region, r.headroom_mw[i], r.peak_mw) for r, k in zip(result.regions, result.kinds)
            if k == "province" and r.region in buses.index]
    df = pd.DataFrame(rows, columns=["province", "headroom_mw", "peak_mw"]).set_index("province")
    pos = buses.loc[df.index]
    fig, ax = plt.subplots(figsize=(10, 8))
    share = df["headroom_mw"] / df["peak_mw"]
    filled = draw_provinces(ax, share, cmap="viridis", vmin=0.0)
    cap_max = float(corridors["capacity_mw"].max()) if len(corridors) else 1.0
    for _, c in corridors.iterrows():
        if c["bus0"] in buses.index and c["bus1"] in buses.index:
            b0, b1 = buses.loc[c["bus0"]], buses.loc[c["bus1"]]
            ax.plot([b0["longitude_deg"], b1["longitude_deg"]], [b0["latitude_deg"], b1["latitude_deg"]],
                    color="#bdc3c7", alpha=0.8, lw=0.5 + 4.0 * c["capacity_mw"] / cap_max, zorder=1)
    size = 15.0 + df["headroom_mw"] / max(float(df["headroom_mw"].max()), 1.0) * 600.0
    ax.scatter(pos["longitude_deg"], pos["latitude_deg"], s=size, facecolor="none", edgecolor="#c0392b",
               linewidth=1.0, zorder=2)
    from matplotlib import patheffects

    halo = [patheffects.withStroke(linewidth=2.0, foreground="white")]
    for code, r in df.iterrows():
        ax.annotate(f"{code} {r['headroom_mw'] / 1e3:.1f}", (pos.at[code, "longitude_deg"],
                    pos.at[code, "latitude_deg"]), xytext=(4, 4), textcoords="offset points", fontsize=7,
                    path_effects=halo)
    if filled is not None:
        fig.colorbar(filled, ax=ax, shrink=0.7, label="headroom / provincial peak [-]")
    ax.set_xlabel("longitude [deg]")
    ax.set_ylabel("latitude [deg]")
    ax.set_title(f"Headroom at {result.limits_pct[i]:g} % curtailment [GW], {result.method} method "
                 f"(fill: headroom / peak; circle area ~ GW at the provincial seat; lines: corridors)", fontsize=9)
    ax.grid(alpha=0.2)
    ax.text(0.99, 0.01, OUTLINE_CREDIT, transform=ax.transAxes, ha="right", va="bottom", fontsize=6,
            color="#7f8c8d")
    return fig


def _table_html(result) -> str:
    head = "".join(f"<th>{p:g} % [GW]</th>" for p in result.limits_pct)
    extra = result.extra.get("peak_method_headroom_mw", {})
    head_peak = "".join(f"<th>peak method {p:g} % [GW]</th>" for p in result.limits_pct) if extra else ""
    rows = []
    for r, kind in zip(result.regions, result.kinds):
        cells = "".join(f"<td>{h / 1e3:,.2f}</td>" for h in r.headroom_mw)
        cells += "".join(f"<td>{h / 1e3:,.2f}</td>" for h in extra.get(r.region, []))
        hours = " / ".join(f"{h:,.0f}" for h in r.curtailed_hours_per_year)
        rows.append(f"<tr><td>{html.escape(r.region)}</td><td>{html.escape(kind)}</td><td>{r.peak_mw / 1e3:,.1f}"
                    f"</td><td>{r.load_factor:.3f}</td>{cells}<td>{hours}</td></tr>")
    total = "".join(f"<td><b>{t / 1e3:,.1f}</b></td>" for t in result.total_headroom_mw)
    rows.append(f"<tr><td><b>total</b></td><td></td><td></td><td></td>{total}</tr>")
    return (f"<table><tr><th>region</th><th>kind</th><th>peak [GW]</th><th>load factor [-]</th>{head}"
            f"{head_peak}<th>curtailed hours per year</th></tr>{''.join(rows)}</table>")


def write_html(result, folder: Path, pngs: list[str]) -> Path:
    """Write ``headroom.html``: table, an interactive plotly bar chart, the PNG figures and the notes."""
    import plotly.graph_objects as go

    df = _frame(result)
    fig = go.Figure([go.Bar(x=list(df.index), y=df[c], name=f"at most {c} curtailed") for c in df.columns])
    fig.update_layout(title="Headroom by region [GW]", barmode="group", height=420)
    chart = fig.to_html(full_html=False, include_plotlyjs=True)
    imgs = "".join(f'<img src="{html.escape(p)}" style="max-width:100%">' for p in pngs)
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in [result.source, *result.notes])
    title = f"computegrid headroom ({result.method} method)"
    doc = f"""<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:sans-serif;max-width:1200px;margin:auto}} table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:3px 8px;text-align:right}}</style></head><body>
<h1>Flexible-load headroom: {html.escape(result.method)} method{f", {result.year}" if result.year else ""}</h1>
<p>New constant load each region can take without new capacity if that load accepts curtailment of at most
the given share of its energy (method: Norris et al., "Rethinking Load Growth", Nicholas Institute, Duke
University, NI R 25-01, 2025; US result for comparison: 76 / 98 / 126 / 215 GW at 0.25 / 0.5 / 1 / 5 % across
22 balancing authorities). Run time {result.runtime_s:.1f} s.</p>
<h2>Headroom</h2>{_table_html(result)}
<h2>Chart</h2>{chart}
<h2>Figures</h2>{imgs}
<h2>Notes and limits</h2><ul>{notes}</ul>
</body></html>"""
    path = Path(folder) / HTML
    return atomic_write(path, lambda tmp: tmp.write_text(doc, encoding="utf-8"))


def write_headroom_report(result, folder: str | Path, buses: pd.DataFrame | None = None,
                          corridors: pd.DataFrame | None = None) -> list[Path]:
    """Write the bar chart, the map (when ``buses`` are given) and ``headroom.html`` into ``folder``."""
    folder = Path(folder)
    written = [write_bar_chart(result, folder / BAR_PNG)]
    if buses is not None and corridors is not None:
        written.append(write_map(result, buses, corridors, folder / MAP_PNG))
    written.append(write_html(result, folder, [p.name for p in written]))
    return written
