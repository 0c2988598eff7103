"""HTML plausibility report of an expanded grid: capacities against published 2030 expectations,
curtailment by province, corridor use, CO2, and a map of the corridors (existing, committed, new)."""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path

import pandas as pd

from computegrid.io.atomic import atomic_write
from computegrid.report.province_map import draw_provinces

#: Published expectations for 2030 [GW], each with its source (secondary where marked; ranges built from a
#: stock and a pace are marked "assumption").
EXPECTATIONS_2030_GW = {
    "onwind+offwind+solar": (2600.0, 4100.0, "low: NDRC/NEA Power System Regulation Capacity Action Plan "
                             "2025-2027 (more than 200 GW of new wind and solar a year) and the straight line "
                             "from end-2024 (1,407 GW, NEA) to the 2035 NDC target of 3,600 GW, both about "
                             "2,600 GW; high: IEA Renewables 2024, 3,207 GW of renewables added in China "
                             "2024-2030 on end-2023's 1,050 GW of wind and solar [secondary]"),
    "onwind+offwind": (1000.0, 1300.0, "end-2024 521 GW (NEA) plus 80-130 GW a year (2024: 79.8 GW, NEA "
                                       "[secondary]); assumption: the pace range"),
    "solar": (1800.0, 2800.0, "end-2024 887 GW (NEA) plus 150-320 GW a year (2024: 277 GW, NEA "
                              "[secondary]); assumption: the pace range"),
    "battery": (180.0, 250.0, "new-type storage above 180 GW by 2027: NDRC/NEA 发改能源〔2025〕1144号; "
                              "high: assumption, the 2025-2027 pace continued"),
    "nuclear": (100.0, 110.0, "about 100-110 GW in operation by 2030 (China Nuclear Energy Association "
                              "outlook [secondary])"),
    "PHS": (120.0, 120.0, "NEA pumped-storage plan 2021-2035: about 120 GW by 2030"),
    "coal": (1250.0, 1400.0, "coal about 1,250-1,400 GW in 2030: end-2024 about 1,190 GW (CEC) plus the "
                             "permitted and building pipeline (GEM) [secondary]"),
}


def plausibility_rows(out: dict) -> list[tuple]:
    """(carrier, model GW, expected low, expected high, within, source) for each expectation."""
    cap = out["capacity_gw"]
    rows = []
    for key, (lo, hi, src) in EXPECTATIONS_2030_GW.items():
        model = sum(cap.get(c, {}).get("total", 0.0) for c in key.split("+"))
        rows.append((key, model, lo, hi, lo * 0.95 <= model <= hi * 1.05, src))
    return rows


def _map_png(n) -> bytes:
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(10, 8))
    draw_provinces(ax)
    xy = n.buses[["x", "y"]].astype(float)
    styles = (("existing", "#7f8c8d"), ("committed", "#2980b9"), ("new", "#c0392b"))
    kind = pd.Series("existing", index=n.links.index)
    kind[n.links.index.str.contains(" ")] = "committed"
    kind[n.links.index.str.endswith(" new")] = "new"
    cap_max = float(n.links.p_nom.max()) or 1.0
    for k, colour in styles:
        sel = n.links[(kind == k) & ((kind != "new") | (n.links.p_nom >= 500.0))]  # new: >= 0.5 GW drawn
        for i, (name, li) in enumerate(sel.iterrows()):
            ax.plot([xy.at[li.bus0, "x"], xy.at[li.bus1, "x"]], [xy.at[li.bus0, "y"], xy.at[li.bus1, "y"]],
                    color=colour, alpha=0.7, lw=0.5 + 6.0 * li.p_nom / cap_max, zorder=1,
                    label=f"{k} corridor" if i == 0 else None)
    ax.scatter(xy.x, xy.y, s=30, color="#2c3e50", zorder=2)
    for code, r in xy.iterrows():
        ax.annotate(code, (r.x, r.y), xytext=(3, 3), textcoords="offset points", fontsize=7)
    ax.set_xlabel("longitude [deg]")
    ax.set_ylabel("latitude [deg]")
    ax.legend(loc="lower left", fontsize=8)
    ax.set_title(f"{n.name}: corridors (width ~ capacity, max {cap_max / 1e3:.0f} GW)")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def _table(columns, rows) -> str:
    def cell(v):
        return f"{v:,.3f}" if isinstance(v, float) else html.escape(str(v))

    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{cell(v)}</td>" for v in r) + "</tr>" for r in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def write_expansion_report(n, out: dict, path: str | Path) -> Path:
    """Write the HTML report of a solved expansion network ``n`` (its buses and links are drawn) and its
    ``grid build`` summary ``out`` (:func:`computegrid.services.grid_model.grid_expansion.build_report`)."""
    prov = out["curtailment_frac_by_province"]
    curt = sorted(((p, prov["wind"].get(p, 0.0), prov["solar"].get(p, 0.0)) for p in n.buses.index),
                  key=lambda r: -r[1])[:12]
    parts = [
        f"<h1>Grid {out['year']} by capacity expansion ({out['resolution']}, base year {out['base_year']})</h1>",
        f"<p>Demand {out['demand_twh']:,.0f} TWh; non-fossil share {out['non_fossil_share']:.3f}; CO2 "
        f"{out['emissions_mt']:,.0f} Mt, {out['emission_factor_tco2_per_mwh']:.3f} t/MWh; curtailment wind "
        f"{out['curtailment_frac']['wind']:.3f}, solar {out['curtailment_frac']['solar']:.3f}, both "
        f"{out.get('curtailment_frac_wind_solar', float('nan')):.3f} (expected 0.03-0.10 nationally); transmission added {out['transmission_added_gw']:.1f} GW new plus "
        f"{out['transmission_committed_gw']:.1f} GW committed UHV.</p>",
        "<h2>Capacity against published 2030 expectations [GW]</h2>",
        _table(["carrier", "model", "expected low", "expected high", "within (+-5 %)", "source"],
               plausibility_rows(out)),
        "<h2>Capacity and generation by carrier</h2>",
        _table(["carrier", "existing + committed GW", "new GW", "total GW", "generation TWh"],
               [(c, v["existing"], v["new"], v["total"], out["generation_twh"].get(c, 0.0))
                for c, v in out["capacity_gw"].items()]),
        "<h2>Curtailment by province (12 highest wind)</h2>",
        _table(["province", "wind", "solar"], curt),
        "<h2>Corridor use (15 highest congestion rent)</h2>",
        _table(["corridor", "capacity MW", "mean use", "hours at limit"],
               [(c["corridor"], c["capacity_mw"], c["utilisation_frac"], c["congested_frac"])
                for c in out["corridor_use"]]),
        "<h2>Map</h2>",
        f'<img alt="corridor map" src="data:image/png;base64,{base64.b64encode(_map_png(n)).decode()}">',
    ]
    doc = ("<!doctype html><html><head><meta charset='utf-8'><title>Grid expansion</title><style>"
           "body{font-family:sans-serif;max-width:1100px;margin:auto}table{border-collapse:collapse}"
           "td,th{border:1px solid #ccc;padding:2px 6px;font-size:13px}</style></head><body>"
           + "".join(parts) + "</body></html>")
    return atomic_write(Path(path), lambda tmp: tmp.write_text(doc, encoding="utf-8"))
