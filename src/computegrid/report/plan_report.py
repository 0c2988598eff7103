"""Report of a planning run: ``report.html`` (plotly) and PNG figures (matplotlib).

Charts: national dispatch of the co-optimised plan, curtailment with and without AI, AI load by
site and hour, a map of built data-centre capacity, and the explanation of the optimum.
"""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np
import pandas as pd

from computegrid.grid.carriers import CARRIER_COLOURS
from computegrid.report.province_map import OUTLINE_CREDIT, draw_provinces, outline_trace, plotly_map_axes

SCENARIO_COLOURS = {"status-quo": "#7f8c8d", "west-static": "#2980b9", "grid-responsive": "#8e44ad",
                    "co-optimised": "#27ae60"}


def _frames(result, inputs):
    from computegrid.grid import results as R

    n = result.networks["co-optimised"]
    dispatch = R.dispatch_by_carrier_mw(n) / 1e3  # GW
    load = result.results["co-optimised"].site_load_it_mw
    pue = inputs.sites.pue.astype(float)
    site_fac = load.groupby(level="site").sum().mul(pue.reindex(load.groupby(level="site").sum().index), axis=0).T / 1e3
    class_it = load.groupby(level="class").sum().T / 1e3
    return dispatch, site_fac, class_it


def _comparison_png(plt, path: Path, result, inputs) -> None:
    """Curtailment, AI energy by site and cost difference of the three scenarios."""
    scen = result.summary["scenarios"]
    fig, axes = plt.subplots(1, 3, figsize=(16, 4.4), gridspec_kw={"wspace": 0.55})
    labels = list(scen)
    ax = axes[0]
    ref = result.summary["reference_no_ai"]["curtailment_twh_per_year"]
    vals = [scen[s]["curtailment_twh_per_year"] for s in labels]
    ax.bar(["no AI"] + labels, [ref] + vals, color=["#bbbbbb"] + [SCENARIO_COLOURS[s] for s in labels])
    ax.set_ylabel("wind + solar curtailment [TWh/yr]")
    ax.set_title("Curtailment without and with AI load")
    ax.tick_params(axis="x", rotation=15)
    ax = axes[1]
    bottom = np.zeros(len(labels))
    cmap = plt.get_cmap("tab20")
    for i, s in enumerate(inputs.sites.index):
        v = np.array([scen[k]["ai_energy_by_site_twh_per_year"].get(s, 0.0) for k in labels])
        if v.sum() <= 1e-6:
            continue
        ax.bar(labels, v, bottom=bottom, label=s, color=cmap(i % 20))
        bottom += v
    ax.set_ylabel("AI facility energy [TWh/yr]")
    ax.set_title("AI energy by site")
    ax.legend(fontsize=6, ncol=1, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.tick_params(axis="x", rotation=15)
    ax = axes[2]
    cost = np.array([scen[k]["system_cost_cny_per_year"] for k in labels]) / 1e9
    ax.bar(labels, cost - cost.min() + 1e-9, color=[SCENARIO_COLOURS[s] for s in labels])
    ax.set_ylabel("system cost above the cheapest [bn CNY/yr]")
    ax.set_title("Cost difference between scenarios")
    ax.tick_params(axis="x", rotation=15)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _dispatch_png(plt, path: Path, result, inputs) -> None:
    """National dispatch by carrier and AI load by site, co-optimised plan."""
    dispatch, site_fac, _ = _frames(result, inputs)
    cmap = plt.get_cmap("tab20")
    fig, axes = plt.subplots(2, 1, figsize=(13, 7), sharex=True)
    ax = axes[0]
    pos = dispatch.clip(lower=0.0)
    order = [c for c in CARRIER_COLOURS if c in pos.columns] + [c for c in pos.columns if c not in CARRIER_COLOURS]
    ax.stackplot(pos.index, *[pos[c].to_numpy() for c in order], labels=order,
                 colors=[CARRIER_COLOURS.get(c, "#999999") for c in order], linewidth=0)
    ax.set_ylabel("dispatch [GW]")
    ax.set_title("National dispatch, co-optimised plan")
    ax.legend(fontsize=7, ncol=5, loc="upper left")
    ax = axes[1]
    active = site_fac.columns[site_fac.sum() > 1e-6]
    ax.stackplot(site_fac.index, *[site_fac[c].to_numpy() for c in active], labels=list(active),
                 colors=[cmap(i % 20) for i in range(len(active))], linewidth=0)
    ax.set_ylabel("AI facility load [GW]")
    ax.set_title("AI load by site and hour, co-optimised plan")
    ax.legend(fontsize=7, ncol=4, loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _capacity_map_png(plt, path: Path, result, inputs) -> None:
    """Data-centre IT capacity built per site, co-optimised plan, on longitude/latitude."""
    scen = result.summary["scenarios"]
    fig, ax = plt.subplots(figsize=(7.5, 6))
    draw_provinces(ax)
    caps = pd.Series(scen["co-optimised"]["dc_capacity_by_site_mw"]).reindex(inputs.sites.index).fillna(0.0)
    ax.scatter(inputs.sites.longitude_deg, inputs.sites.latitude_deg, s=8, c="k")
    ax.scatter(inputs.sites.longitude_deg, inputs.sites.latitude_deg, s=np.sqrt(caps.to_numpy()) * 6,
               c=[("#c0392b" if s == "west" else "#2471a3") for s in inputs.sites.side], alpha=0.6)
    for s, row in inputs.sites.iterrows():
        ax.annotate(f"{s}\n{caps[s] / 1e3:.1f} GW", (row.longitude_deg, row.latitude_deg), fontsize=7)
    ax.set_xlabel("longitude [deg]")
    ax.set_ylabel("latitude [deg]")
    ax.set_title("Data-centre IT capacity built, co-optimised (red: western clusters)")
    ax.text(0.99, 0.01, OUTLINE_CREDIT, transform=ax.transAxes, ha="right", va="bottom", fontsize=6,
            color="#7f8c8d")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_pngs(folder: Path, result, inputs) -> list[str]:
    """Write the PNG figures; return their file names."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    charts = {"comparison.png": _comparison_png, "dispatch.png": _dispatch_png,
              "capacity_map.png": _capacity_map_png}
    for name, draw in charts.items():
        draw(plt, folder / name, result, inputs)
    return list(charts)


def _table_html(summary, figures) -> str:
    """Side-by-side table of the headline ``figures`` (label, unit, scale: services.plan.summary)."""
    scen = summary["scenarios"]
    head = "".join(f"<th>{html.escape(s)}</th>" for s in scen)
    rows = "".join(
        f"<tr><td>{html.escape(fig.title)}</td>" + "".join(f"<td>{fig.value(scen[s]):,.4g}</td>" for s in scen)
        + "</tr>" for fig in figures)
    return f"<table><tr><th></th>{head}</tr>{rows}</table>"


def _breakdown_html(summary) -> str:
    """Cost breakdown of every case (``cost_breakdown_cny_per_year``) [bn CNY/yr], no-AI reference first."""
    cases = {"no AI": summary["reference_no_ai"], **summary["scenarios"]}
    keys = list(next(iter(summary["scenarios"].values())).get("cost_breakdown_cny_per_year", {}))
    if not keys:
        return ""
    head = "".join(f"<th>{html.escape(s)}</th>" for s in cases)
    rows = "".join(f"<tr><td>{html.escape(k)}</td>" + "".join(
        f"<td>{c['cost_breakdown_cny_per_year'].get(k, 0.0) / 1e9:,.2f}</td>" for c in cases.values()) + "</tr>"
        for k in keys)
    total = "".join(f"<td>{c['system_cost_cny_per_year'] / 1e9:,.2f}</td>" for c in cases.values())
    return f"<table><tr><th>bn CNY/yr</th>{head}</tr>{rows}<tr><td>system cost</td>{total}</tr></table>"


def _items_html(lines) -> str:
    return "<ul>" + "".join(f"<li>{html.escape(t)}</li>" for t in lines) + "</ul>"


def write_html(folder: Path, result, inputs, pngs: list[str], figures) -> None:
    """Write ``report.html`` with interactive plotly charts (plotly.js embedded once) and the table
    of the headline ``figures``."""
    import plotly.graph_objects as go

    dispatch, site_fac, class_it = _frames(result, inputs)
    summary = result.summary
    figs = []
    fig = go.Figure()
    for c in [c for c in CARRIER_COLOURS if c in dispatch.columns] + [c for c in dispatch.columns if c not in CARRIER_COLOURS]:
        fig.add_trace(go.Scatter(x=dispatch.index, y=dispatch[c].clip(lower=0.0), name=c, stackgroup="one",
                                 line={"width": 0, "color": CARRIER_COLOURS.get(c)}))
    fig.update_layout(title="National dispatch, co-optimised plan [GW]", height=420)
    figs.append(fig)
    scen = summary["scenarios"]
    fig = go.Figure()
    fig.add_trace(go.Bar(x=list(scen), y=[scen[s]["curtailment_no_ai_twh_per_year"] for s in scen], name="without AI"))
    fig.add_trace(go.Bar(x=list(scen), y=[scen[s]["curtailment_twh_per_year"] for s in scen], name="with AI"))
    fig.add_trace(go.Bar(x=list(scen), y=[scen[s]["curtailment_absorbed_twh_per_year"] for s in scen],
                         name="absorbed by AI"))
    fig.update_layout(title="Wind and solar curtailment [TWh/yr]: curtailment absorbed by AI load", barmode="group",
                      height=380)
    figs.append(fig)
    fig = go.Figure()
    for c in site_fac.columns[site_fac.sum() > 1e-6]:
        fig.add_trace(go.Scatter(x=site_fac.index, y=site_fac[c], name=c, stackgroup="one", line={"width": 0}))
    fig.update_layout(title="AI facility load by site and hour, co-optimised plan [GW]", height=420)
    figs.append(fig)
    caps = pd.Series(scen["co-optimised"]["dc_capacity_by_site_mw"]).reindex(inputs.sites.index).fillna(0.0)
    fig = go.Figure([outline_trace(), go.Scatter(
        x=inputs.sites.longitude_deg, y=inputs.sites.latitude_deg, text=[f"{s}: {caps[s]:,.0f} MW" for s in caps.index],
        mode="markers+text", textposition="top center", textfont={"size": 9}, showlegend=False,
        marker={"size": 4 + np.sqrt(caps.to_numpy()) / 3, "color": ["#c0392b" if s == "west" else "#2471a3"
                                                                       for s in inputs.sites.side]})])
    fig.update_layout(**plotly_map_axes())
    fig.update_layout(title=f"Data-centre IT capacity built, co-optimised [MW] ({OUTLINE_CREDIT})", height=560)
    figs.append(fig)
    parts = [f.to_html(full_html=False, include_plotlyjs=(i == 0)) for i, f in enumerate(figs)]
    explain = "".join(f"<li>{html.escape(t)}</li>" for t in summary["explain"]["text"])
    imgs = "".join(f'<img src="{p}" style="max-width:100%">' for p in pngs)
    doc = f"""<!doctype html><html><head><meta charset="utf-8"><title>computegrid plan {html.escape(summary['run_id'])}</title>
<style>body{{font-family:sans-serif;max-width:1200px;margin:auto}} table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:3px 8px;text-align:right}}</style></head><body>
<h1>Co-planning AI compute with the grid: {html.escape(summary['scenario_name'])}</h1>
<p>Year {summary['year']}, resolution {html.escape(str(summary['resolution']))} ({summary['n_snapshots']} snapshots),
grid expansion {'solved with the AI load' if summary['expand'] else 'fixed'}, run time {summary['runtime_s']} s.</p>
<h2>Side by side</h2>{_table_html(summary, figures)}
<p>The grid-side value (first row) is the difference to status-quo in fuel, carbon, grid capex and
unserved energy; the data-centre capex saved (second row) is a utilisation effect of the hardware
(fewer accelerators for the same work), not a value to the power system.</p>
<h2>Cost breakdown</h2>{_breakdown_html(summary)}
<h2>Binding constraints</h2>{_items_html(summary.get('binding', {}).get('text', []))}
<h2>Equally good plans</h2>{_items_html(summary.get('degeneracy', {}).get('text', []))}
<h2>Why the optimiser chose this</h2><ul>{explain}</ul>
<h2>Charts</h2>{''.join(parts)}
<h2>Figures</h2>{imgs}
</body></html>"""
    (folder / "report.html").write_text(doc, encoding="utf-8")


def write_report(folder: Path, result, inputs, figures) -> None:
    """Write the PNG figures and ``report.html`` into ``folder``; ``figures`` are the headline
    figures of the side-by-side table (:data:`computegrid.services.plan.summary.HEADLINE_FIGURES`)."""
    pngs = write_pngs(folder, result, inputs)
    write_html(folder, result, inputs, pngs, figures)
