"""Fan charts of the demand outlook: PNG (matplotlib) and self-contained HTML (plotly).

Files are written atomically: each goes to a temporary file in the target folder and is renamed
into place, so a failed run never leaves a half-written chart.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from computegrid.io.atomic import atomic_write
from computegrid.demand.outlook import OutlookResult

_COLOURS = ("#1f77b4", "#d62728", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2")
_REGION_LABEL = {"world": "World", "china": "China", "china_east": "China, east side",
                 "china_west": "China, west side"}


def _use_log_scale(result: OutlookResult) -> bool:
    tops = [max(s.energy_twh.p95) for s in result.scenarios.values()]
    return len(tops) > 0 and max(tops) > 20 * min(tops)


def write_fan_chart_png(result: OutlookResult, path: Path,
                        published: Mapping[str, list[tuple[int, float, float]]] | None = None) -> Path:
    """Fan chart (P5-P95 band, P50 line) of each scenario's data-centre electricity use.

    Parameters
    ----------
    result : OutlookResult
        Outlook percentiles.
    path : pathlib.Path
        PNG file to write.
    published : mapping of scenario -> list of (year, low_twh, high_twh), optional
        Published figures for the same region, drawn as markers.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8.0, 4.8), dpi=120)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    years = result.years
    for i, (name, s) in enumerate(result.scenarios.items()):
        colour = _COLOURS[i % len(_COLOURS)]
        ax.fill_between(years, s.energy_twh.p5, s.energy_twh.p95, color=colour, alpha=0.18, lw=0)
        ax.plot(years, s.energy_twh.p50, color=colour, lw=2, label=f"{name} (P50, P5-P95)")
        for year, low, high in (published or {}).get(name, []):
            if years[0] <= year <= years[-1]:
                ax.errorbar([year], [0.5 * (low + high)], yerr=[[0.5 * (high - low)], [0.5 * (high - low)]],
                            fmt="o", color=colour, mec="black", ms=5, capsize=3)
    if _use_log_scale(result):
        ax.set_yscale("log")
    ax.set_xlabel("year")
    ax.set_ylabel("data-centre electricity [TWh/yr]")
    ax.set_title(f"{_REGION_LABEL.get(result.region, result.region)}: AI and data-centre electricity "
                 f"({result.draws:,} draws; dots = published figures)", fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    return atomic_write(path, lambda tmp: fig.savefig(tmp, format="png"))


def write_fan_chart_html(result: OutlookResult, path: Path) -> Path:
    """Interactive fan chart (plotly, self-contained HTML: no network needed to view it)."""
    import plotly.graph_objects as go

    fig = go.Figure()
    years = list(result.years)
    for i, (name, s) in enumerate(result.scenarios.items()):
        colour = _COLOURS[i % len(_COLOURS)]
        fig.add_trace(go.Scatter(x=years + years[::-1], y=s.energy_twh.p95 + s.energy_twh.p5[::-1],
                                 fill="toself", fillcolor=colour, opacity=0.2, line={"width": 0},
                                 name=f"{name} P5-P95", legendgroup=name, hoverinfo="skip"))
        fig.add_trace(go.Scatter(x=years, y=s.energy_twh.p50, line={"color": colour, "width": 2},
                                 name=f"{name} P50", legendgroup=name,
                                 customdata=list(zip(s.energy_twh.p5, s.energy_twh.p95, s.avg_power_gw.p50,
                                                     s.peak_power_gw.p50)),
                                 hovertemplate="%{x}: P50 %{y:.0f} TWh (P5 %{customdata[0]:.0f}, "
                                               "P95 %{customdata[1]:.0f}); avg %{customdata[2]:.1f} GW, "
                                               "peak %{customdata[3]:.1f} GW<extra>" + name + "</extra>"))
    fig.update_layout(title=f"{_REGION_LABEL.get(result.region, result.region)}: AI and data-centre "
                            f"electricity, {result.draws:,} draws", xaxis_title="year",
                      yaxis_title="data-centre electricity [TWh/yr]",
                      yaxis_type="log" if _use_log_scale(result) else "linear", template="plotly_white")
    return atomic_write(path, lambda tmp: fig.write_html(tmp, include_plotlyjs=True, full_html=True))
