"""Plain words for a plan: binding constraints and shadow prices of the co-optimised plan, and where
its savings come from."""

from __future__ import annotations

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
        lines.append(f"{name}: grid-side value {s['grid_value_vs_status_quo_cny_per_year'] / 1e9:,.1f} bn CNY/yr "
                     f"against status-quo ({run:,.1f} bn of it fuel and carbon); data-centre capex "
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
