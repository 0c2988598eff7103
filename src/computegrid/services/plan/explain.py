"""Plain words for a plan: binding constraints and shadow prices of the co-optimised plan, and where
its savings come from."""

from __future__ import annotations

import numpy as np

from computegrid.services.plan.inputs import PlanInputs
from computegrid.units import mwh_to_twh


def explain(inputs: PlanInputs, n, res) -> dict:
    """Binding constraints and shadow prices of the co-optimised plan, in numbers and plain words."""
    from computegrid.grid import results as R

    corridors = res.corridor_value_cny_per_mw_per_year.sort_values(ascending=False)
    corridors = corridors[corridors > 1.0]
    caps = res.site_cap_value_cny_per_mw_per_year.sort_values(ascending=False)
    caps = caps[caps > 1.0]
    probes = res.probe_value_cny_per_mw_per_year.sort_values(ascending=False)
    pairs = res.pairs.set_index(res.pairs.index)
    probe_rows = []
    for key, value in probes.items():
        p = pairs.loc[key]
        lim = next(c.rtt_max_ms for c in inputs.classes if c.name == p["class"])
        probe_rows.append({"class": p["class"], "origin": p.origin, "site": p.site, "rtt_ms": float(p.rtt_ms),
                           "rtt_max_ms": lim, "extra_ms_needed": float(p.rtt_ms - lim),
                           "value_cny_per_mw_per_year": float(value)})
    lines = []
    if len(caps):
        top = caps.index[0]
        lines.append(f"Site caps bind at {', '.join(caps.index[:5])}: one more MW of IT capacity allowed at "
                     f"{top} would lower the annual system cost by {caps.iloc[0]:,.0f} CNY.")
    else:
        lines.append("No site cap binds: every site was built below its cap.")
    if len(corridors):
        top = corridors.index[0]
        lines.append(f"The most valuable corridor is {top}: one more MW of transfer capacity would save "
                     f"{corridors.iloc[0]:,.0f} CNY per year ({len(corridors)} corridors are congested "
                     "in at least one snapshot).")
    binding = [r for r in probe_rows if r["value_cny_per_mw_per_year"] > 1.0]
    if binding:
        r = binding[0]
        lines.append(f"Latency binds for {r['class']} demand from {r['origin']}: allowing "
                     f"{r['extra_ms_needed']:.1f} ms more (to reach {r['site']} at {r['rtt_ms']:.1f} ms) would "
                     f"be worth {r['value_cny_per_mw_per_year']:,.0f} CNY per MW of demand moved per year.")
        within_1ms = [r for r in binding if r["extra_ms_needed"] <= 1.0]
        if within_1ms:
            lines.append(f"One more ms of latency allowance would open {len(within_1ms)} origin-site pairs worth up "
                         f"to {max(r['value_cny_per_mw_per_year'] for r in within_1ms):,.0f} CNY per MW-year.")
        else:
            lines.append("One more ms of latency allowance opens no valuable pair; the nearest needs "
                         f"{min(r['extra_ms_needed'] for r in binding):.1f} ms more.")
    else:
        lines.append("No latency limit binds at the margin: moving demand to the next site beyond a limit "
                     "would not lower the cost.")
    shed = R.unserved_energy_mwh(n) * R.annual_factor(n)
    if shed > 0:
        by_bus = R.unserved_by_bus_mwh(n).sort_values(ascending=False)
        top = ", ".join(by_bus.index[by_bus > 0][:3])
        lines.append(f"The grid is short of supply at {top} ({mwh_to_twh(shed):.2f} TWh/yr unserved, priced at the "
                     "value of lost load): corridors into these provinces carry the highest shadow prices.")
    return {"text": lines,
            "site_cap_value_cny_per_mw_per_year": {k: float(v) for k, v in caps.items()},
            "corridor_value_cny_per_mw_per_year": {k: float(v) for k, v in corridors.head(10).items()},
            "latency_value": probe_rows[:20]}


def _headline(summary: dict) -> list[str]:
    """Plain words on where the differences to status-quo come from: the grid side first (fuel,
    carbon, grid capex, unserved energy), then the data-centre utilisation effect, as what it is."""
    sc = summary["scenarios"]
    co, sq = sc["co-optimised"], sc["status-quo"]
    lines = []
    for name, s in sc.items():
        if name == "status-quo" or s.get("grid_value_vs_status_quo_cny_per_year") is None:
            continue
        b, b0 = s["cost_breakdown_cny_per_year"], sq["cost_breakdown_cny_per_year"]
        run = (b0["fuel"] + b0["carbon"] - b["fuel"] - b["carbon"]) / 1e9
        grid_keys = ("generation_capex", "storage_capex", "transmission_capex")
        capex = sum(b0[k] - b[k] for k in grid_keys) / 1e9
        built = f", {capex:,.1f} bn grid capex" if any(b0[k] or b[k] for k in grid_keys) else ""
        lines.append(f"{name}: grid-side value {s['grid_value_vs_status_quo_cny_per_year'] / 1e9:,.1f} bn CNY/yr "
                     f"against status-quo ({run:,.1f} bn of it fuel and carbon{built}); data-centre capex "
                     f"{s['dc_capex_saving_vs_status_quo_cny_per_year'] / 1e9:,.1f} bn CNY/yr lower "
                     f"({(sq['dc_capacity_total_mw'] - s['dc_capacity_total_mw']) / 1e3:,.2f} GW less IT: "
                     "a utilisation effect of the hardware, not a value to the grid).")
    ref = summary["reference_no_ai"]["system_cost_cny_per_year"]
    if ref > 0 and co.get("grid_value_vs_status_quo_cny_per_year") is not None:
        lines.append(f"The co-optimised grid-side value is {co['grid_value_vs_status_quo_cny_per_year'] / ref:.2%} "
                     "of the no-AI system cost.")
    lines.append(f"The co-optimised plan places {co['ai_energy_west_frac']:.0%} of AI energy at the western "
                 f"clusters (status-quo {sq['ai_energy_west_frac']:.0%}) and meets "
                 f"{co['ai_energy_from_curtailment_frac']:.0%} of it with power that would otherwise be curtailed "
                 f"(status-quo {sq['ai_energy_from_curtailment_frac']:.0%}).")
    return lines


#: A capacity range narrower than this is not reported in words (assumption: 10 MW, 0.5 % of a 2 GW
#: cluster cap, below the accuracy of any site figure). [MW]
MATERIAL_RANGE_MW = 10.0


def _end(value_mw: float) -> str:
    """One end of a capacity range in words (clipped >= 0 before, so no "-0")."""
    return "(not finished)" if np.isnan(value_mw) else f"{abs(value_mw):,.0f}"


def _cost_text(frac: float, objective_cny_per_year: float) -> str:
    """The extra cost of one held capacity in words."""
    if np.isnan(frac):
        return "not solved"
    if np.isinf(frac):
        return "infeasible"
    return f"+{max(frac, 0.0) * objective_cny_per_year / 1e6:,.2f} M CNY/yr"


def degeneracy(res, objective_cny_per_year: float, rel_gap: float | None) -> dict:
    """Near-equal plans of the co-optimised case: each ranged site's IT capacity within
    :data:`~computegrid.grid.coplan_ranges.TIE_TOL_FRAC` of the optimal cost ("nearly the same cost") and
    within 0.1 % of it (:data:`~computegrid.grid.coplan_ranges.RANGE_TOL_FRAC`), and the extra cost of
    holding the site at its capacity column's lower bound and at its cap, in numbers and plain words.
    The plan's sites have lower bound 0 (``p_nom_min = 0``, :func:`~computegrid.grid.coplan.define_site_consumers`),
    so the words and ``extra_cost_at_zero_cny_per_year`` say "0 MW". [MW], [CNY/yr]"""
    from computegrid.grid.coplan_ranges import RANGE_TOL_FRAC, TIE_TOL_FRAC

    r = res.capacity_range_it_mw
    out = {"same_cost_tolerance_frac": TIE_TOL_FRAC, "tolerance_frac": RANGE_TOL_FRAC, "sites": {}, "text": []}
    if r.empty:
        out["text"].append("Capacity ranges not computed: no site was built strictly between 0 and its cap, "
                           "or the plan was solved by the interior point (no basis to start from).")
        return out
    tie, band = f"{TIE_TOL_FRAC:g}", f"{RANGE_TOL_FRAC:g}"
    range_cols = [f"{k}_mw_{t}" for t in (tie, band) for k in ("min", "max")]
    ties, bands, ends = [], [], []
    for site, row in r.iterrows():
        cap = float(res.capacity_it_mw[site])
        mw = row[range_cols].astype(float).clip(lower=0.0)
        at0, atcap = (float(row.get(k, np.nan)) for k in ("cost_at_lower_frac", "cost_at_cap_frac"))
        out["sites"][site] = {"capacity_mw": cap, **{k: (None if np.isnan(v) else float(v) + 0.0) for k, v in (  # no -0.0
            ("min_mw_same_cost", mw[f"min_mw_{tie}"]), ("max_mw_same_cost", mw[f"max_mw_{tie}"]),
            ("min_mw", mw[f"min_mw_{band}"]), ("max_mw", mw[f"max_mw_{band}"]))},
            **{k: (None if np.isnan(v) else (None if np.isinf(v) else max(v, 0.0) * objective_cny_per_year))
               for k, v in (("extra_cost_at_zero_cny_per_year", at0), ("extra_cost_at_cap_cny_per_year", atcap))}}
        # a range is material when it is wider than MATERIAL_RANGE_MW; an end not finished (NaN) is shown
        # as such and the known end alone can show the width
        for t, bucket, with_chosen in ((tie, ties, True), (band, bands, False)):
            lo, hi = float(mw[f"min_mw_{t}"]), float(mw[f"max_mw_{t}"])
            if np.nanmax([hi - lo, hi - cap, cap - lo, -1.0]) > MATERIAL_RANGE_MW:
                bucket.append(f"{site} {_end(lo)} to {_end(hi)} MW" + (f" (chosen {cap:,.0f})" if with_chosen else ""))
        if not (np.isnan(at0) and np.isnan(atcap)):  # at0: at the lower bound, 0 MW for every plan site
            ends.append(f"{site} at 0 MW {_cost_text(at0, objective_cny_per_year)}, at its cap "
                        f"{_cost_text(atcap, objective_cny_per_year)}")
    gap = "" if rel_gap is None else f"; solver gap {rel_gap:.1e}"
    tie_cny = objective_cny_per_year * TIE_TOL_FRAC / 1e6
    unknown = sorted(r.index[r[range_cols].isna().any(axis=1)])
    if ties:
        out["text"].append(f"Plans of nearly the same cost (within {TIE_TOL_FRAC:g} of the optimum, "
                           f"{tie_cny:,.1f} M CNY/yr{gap}): " + "; ".join(ties) + ". The capacities shown are "
                           "the optimum; the others cost at most that much more.")
    elif len(unknown) < len(r):
        done = [s for s in r.index if s not in unknown]
        out["text"].append(f"The capacities of {', '.join(done)} are unique within {TIE_TOL_FRAC:g} of the "
                           f"optimal cost ({tie_cny:,.1f} M CNY/yr{gap}).")
    if unknown:
        out["text"].append("Range ends not found (time budget spent or re-solve not optimal): " + ", ".join(unknown)
                           + " (raise the budget with --set degeneracy_time_budget_s=SECONDS).")
    if bands:
        out["text"].append(f"Within 0.1 % of the optimal cost ({objective_cny_per_year * RANGE_TOL_FRAC / 1e9:,.1f} "
                           "bn CNY/yr): " + "; ".join(bands) + ".")
    if ends:
        out["text"].append("Extra cost of holding a site's capacity: " + "; ".join(ends) + ".")
    return out


#: A value counts as at its bound within this fraction of the bound. assumption: an interior-point
#: solution without crossover (HiPO, used with ``expand`` and at fine resolutions) sits near its bounds,
#: not on them; in the rep12 ``--expand`` run (docs/planning.md) a capped site came out at 1,999 of
#: 2,000 MW and the grid-responsive case curtailed 89 MWh/yr spread over all 14 sites (noise, 5e-7 of
#: the AI energy). 0.1 % keeps such points out and a vertex solution's bounds in.
BIND_TOL_FRAC = 1e-3
#: The same for a vertex solution (the simplex; ``CoplanResult.vertex``), whose values at a bound sit on
#: it up to HiGHS' primal feasibility tolerance (1e-7). assumption: 1e-6 relative, the size of
#: :data:`~computegrid.grid.coplan_ranges.TIE_TOL_FRAC`, above that tolerance and far below any input's
#: accuracy; on the default plan (rep12, simplex) it counts the same site-hours at the training floor as
#: 1e-3 (the nearest hour off the floor is 0.9 % above it).
VERTEX_BIND_TOL_FRAC = 1e-6
#: Absolute slack added to the relative tests of a binding cap or floor, so that a zero load or cap reads as
#: binding only within it (assumption: 1e-6 MW, far below any reported figure, as the relative tolerances). [MW]
BIND_TOL_ABS_MW = 1e-6


def binding(inputs: PlanInputs, results: dict) -> dict:
    """Which constraints bind: site caps, corridors and latency (duals of the co-optimised plan),
    the training floor (hours at the floor) and the grid-responsive curtailment cap."""
    co = results["co-optimised"]
    caps = co.site_cap_value_cny_per_mw_per_year
    cap_max = inputs.sites.capacity_max_mw.astype(float)
    at_cap = [s for s in co.capacity_it_mw.index if co.capacity_it_mw[s] >= cap_max[s] * (1 - BIND_TOL_FRAC) - 1e-3]
    corridors = co.corridor_value_cny_per_mw_per_year
    latency = co.probe_value_cny_per_mw_per_year
    out = {"site_caps": sorted(at_cap), "site_caps_with_value": sorted(caps.index[caps > 1.0]),
           "corridors": int((corridors > 1.0).sum()), "latency_pairs": int((latency > 1.0).sum()),
           "training_floor_frac": _floor_binding_frac(inputs, co), "curtailment_cap_sites": []}
    gr = results.get("grid-responsive")
    if gr is not None and not gr.curtailed_facility_mw.empty:
        cut = gr.curtailed_facility_mw.max()
        peak = (gr.capacity_it_mw * inputs.sites.pue.astype(float)).reindex(cut.index).fillna(0.0)
        out["curtailment_cap_sites"] = sorted(cut.index[cut > BIND_TOL_FRAC * peak + BIND_TOL_ABS_MW])
    text = [f"Site caps: {len(at_cap)} of {len(cap_max)} sites at their cap"
            + (f" ({', '.join(sorted(at_cap))})" if at_cap else "") + ".",
            f"Corridors: {out['corridors']} congested with a shadow price in the co-optimised plan.",
            f"Latency: {out['latency_pairs']} origin-class pairs would gain from a looser limit."]
    if out["training_floor_frac"] is not None:
        text.append(f"Training floor: binds in {out['training_floor_frac']:.0%} of the site-hours with training.")
    if gr is not None:
        text.append("Flexibility cap (grid-responsive, "
                    f"{inputs.config.grid_responsive.curtailed_share_max_frac:.2%} of the AI energy): "
                    + (f"curtails at {', '.join(out['curtailment_cap_sites'])}." if out["curtailment_cap_sites"]
                       else "no hour is dear enough to curtail compute at its hardware cost."))
    out["text"] = text
    return out


def _floor_binding_frac(inputs: PlanInputs, res) -> float | None:
    """Share of (site, hour) with training load where the load sits at its floor, within
    :data:`VERTEX_BIND_TOL_FRAC` of it after a vertex solution, else :data:`BIND_TOL_FRAC`. [-]"""
    cls = next((c for c in inputs.classes if c.floor_frac > 0 and c.shiftable), None)
    if cls is None or res.site_load_it_mw.empty or cls.name not in res.site_load_it_mw.index.get_level_values(0):
        return None
    load = res.site_load_it_mw.xs(cls.name, level="class")
    mean = load.mean(axis=1)
    load = load[mean > 1.0]
    if load.empty:
        return None
    floor = load.mean(axis=1) * cls.floor_frac
    tol = VERTEX_BIND_TOL_FRAC if res.vertex else BIND_TOL_FRAC
    at = load.le(floor * (1 + tol) + BIND_TOL_ABS_MW, axis=0)
    return float(at.to_numpy().mean())
