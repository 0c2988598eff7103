"""``computegrid plan move``: the effect of moving X MW of constant AI load between two sites of a
planned grid, in average and in marginal accounting.

* average: X x PUE x 8,760 h x (average CO2 intensity of the destination's province - of the
  origin's), both from the plan (consumption-based, :func:`~computegrid.grid.coplan_results.average_intensity_kg_per_mwh`);
* marginal: the planned network (capacities fixed, every site at its planned draw) re-solved with
  the load moved, minus the same re-solve without the move: what the system's dispatch actually
  changes (:mod:`computegrid.grid.coplan_move`).

They disagree because a province's average mixes all its units, while the units that answer a
change are the ones at the margin (often coal in one province and curtailed wind in another).
"""

from __future__ import annotations

import json
from pathlib import Path

from computegrid.errors import InputError
from computegrid.io.fingerprint import PLAN_PARTS, model_fingerprint

#: Name of the cached run of the default scenario that `plan move` uses without ``--run``.
CACHE_RUN_ID = "plan-move-default"
#: File in the cached run holding the fingerprint of the model it was planned with.
FINGERPRINT_FILE = "model-fingerprint.txt"


def plan_fingerprint() -> str:
    """The model fingerprint of a cached plan: the grid's parts and the planning code, the planning LP
    (``grid/coplan*.py``, which the grid's own key leaves out) included: nothing excluded."""
    return model_fingerprint(PLAN_PARTS, exclude=())


def _run_dir(runs_dir: Path, run_id: str | None) -> Path:
    """The run folder to use: ``run_id``, or the cached default plan (planned now if absent or stale)."""
    if run_id is not None:
        d = runs_dir / run_id
        if not (d / "summary.json").is_file() or not (d / "network.nc").is_file():
            known = sorted(p.name for p in runs_dir.glob("*") if (p / "network.nc").is_file()) if runs_dir.is_dir() else []
            raise InputError("--run", run_id, "allowed: a run folder with summary.json and network.nc under "
                             f"{runs_dir} ({', '.join(known[:5]) or 'none yet'})")
        return d
    from computegrid.services.plan.scenario import load_scenario, scenario_dict

    d = runs_dir / CACHE_RUN_ID
    fingerprint = plan_fingerprint()
    if (d / "summary.json").is_file() and (d / "network.nc").is_file():
        cached = json.loads((d / "summary.json").read_text(encoding="utf-8"))
        stamp = d / FINGERPRINT_FILE
        if (cached.get("scenario") == scenario_dict(load_scenario(None)) and stamp.is_file()
                and stamp.read_text(encoding="utf-8").strip() == fingerprint):
            return d
        import shutil

        shutil.rmtree(d)
    from computegrid.services.plan.pipeline import run_plan

    d = run_plan(out_dir=runs_dir, run_id=CACHE_RUN_ID, figures=False).run_dir
    (d / FINGERPRINT_FILE).write_text(fingerprint + "\n", encoding="utf-8")
    return d


def _check_site(field: str, site: str, sites) -> None:
    if site not in sites:
        from computegrid.workload.hardware import suggest

        close = suggest(site, list(sites))
        raise InputError(field, site, ("did you mean " + ", ".join(close) + "? " if close else "")
                         + "allowed: " + ", ".join(sites))


def destination_capacity(summary: dict, sites, draws_mw, to_site: str, mw: float) -> tuple[float, float]:
    """IT capacity the destination must add to take ``mw`` more, and its annualised capex.

    The destination's peak IT load after the move is its planned peak plus ``mw``; what exceeds its
    planned capacity must be built, at the site's annualised capex, and within its site cap.

    Returns
    -------
    tuple of float
        Added IT capacity [MW] and its annualised capex [CNY/yr].

    Raises
    ------
    InputError
        The destination would exceed its site cap (``capacity_max_mw``).
    """
    planned = float(summary["scenarios"]["co-optimised"]["dc_capacity_by_site_mw"].get(to_site, 0.0))
    peak_it = float((draws_mw[to_site] / float(sites.pue[to_site])).max())
    added = max(0.0, peak_it + mw - planned)
    cap = float(sites.capacity_max_mw[to_site])
    if planned + added > cap + 1e-6:
        room = max(0.0, cap - peak_it)
        raise InputError("--mw", mw, f"allowed: at most {room:,.1f} MW to {to_site} (its site cap is "
                         f"{cap:,.1f} MW of IT, its planned peak {peak_it:,.1f} MW)")
    return added, added * float(sites.capex_cny_per_mw_per_year[to_site])


def plan_move(from_site: str, to_site: str, mw: float, run_id: str | None = None,
              runs_dir: str | Path = "runs") -> dict:
    """Effect of moving ``mw`` MW of constant IT load from ``from_site`` to ``to_site`` on the planned grid.

    Returns
    -------
    dict
        ``from``, ``to``, ``mw`` (IT) [MW], ``run_id``, ``delta_cost_cny_per_year`` (grid operating cost:
        fuel, carbon, unserved energy) [CNY/yr], ``destination_capacity_added_mw`` (IT capacity the
        destination needs above its planned capacity) [MW], ``delta_dc_capex_cny_per_year`` (its
        annualised capex) [CNY/yr], ``delta_total_cost_cny_per_year`` (the two together) [CNY/yr],
        ``delta_co2_average_t_per_year``, ``delta_co2_marginal_t_per_year`` [t/yr],
        ``delta_curtailment_mwh_per_year`` [MWh/yr], ``method``.
    """
    from computegrid.grid import coplan_move as cm
    from computegrid.grid.results import annual_factor
    from computegrid.services.plan.inputs import prepare
    from computegrid.services.plan.scenario import load_scenario
    from computegrid.units import HOURS_PER_YEAR

    if not mw >= 0:
        raise InputError("--mw", mw, "allowed: 0 or more MW of IT load")
    d = _run_dir(Path(runs_dir), run_id)
    summary = json.loads((d / "summary.json").read_text(encoding="utf-8"))
    sites = list(summary["scenarios"]["co-optimised"]["dc_capacity_by_site_mw"])
    _check_site("--from", from_site, sites)
    _check_site("--to", to_site, sites)
    if from_site == to_site:
        raise InputError("--to", to_site, "allowed: a site other than --from")
    config = load_scenario(summary["scenario"])
    site_table = prepare(config).sites
    pue = site_table.pue.astype(float)
    n = cm.load_planned_network(d / "network.nc")
    draws = cm.site_draws_mw(n)
    held = float((draws[from_site] / pue[from_site]).min())
    if mw > held + 1e-9:
        raise InputError("--mw", mw, f"allowed: 0 to {held:,.1f} MW (the smallest hourly IT load of {from_site} "
                         "in the plan)")
    added_mw, dc_capex = destination_capacity(summary, site_table, draws, to_site, mw)
    moved = draws.copy()
    moved[from_site] -= mw * pue[from_site]
    moved[to_site] += mw * pue[to_site]
    price = config.costs.carbon_price_cny_per_t
    base = cm.dispatch_with_draws(n, draws, price)
    after = cm.dispatch_with_draws(n, moved, price)
    if base["status"] != "ok" or after["status"] != "ok":
        raise InputError("--mw", mw, "allowed: a move the planned grid can dispatch (the re-solve failed)")
    f = annual_factor(n)
    ef = cm.average_intensity_by_bus_kg_per_mwh(n)
    bus = site_table.bus
    avg_t = mw * HOURS_PER_YEAR * (pue[to_site] * ef[bus[to_site]] - pue[from_site] * ef[bus[from_site]]) / 1e3
    grid_cost = (after["operating_cost_cny"] - base["operating_cost_cny"]) * f
    return {
        "from": from_site, "to": to_site, "mw": float(mw), "run_id": summary["run_id"],
        "delta_cost_cny_per_year": grid_cost,
        "destination_capacity_added_mw": added_mw,
        "delta_dc_capex_cny_per_year": dc_capex,
        "delta_total_cost_cny_per_year": grid_cost + dc_capex,
        "delta_co2_average_t_per_year": float(avg_t),
        "delta_co2_marginal_t_per_year": (after["emissions_t"] - base["emissions_t"]) * f,
        "delta_curtailment_mwh_per_year": (after["curtailment_mwh"] - base["curtailment_mwh"]) * f,
        "method": ("cost, marginal CO2 and curtailment: the planned network (capacities fixed, sites at their "
                   "planned draws) re-solved with the load moved, minus the same re-solve without the move; "
                   "cost = fuel + carbon + unserved energy; data-centre capex: IT capacity the destination "
                   "must add above its planned capacity x its annualised capex (the origin's capacity is "
                   "kept: sunk); average CO2: MW x PUE x 8,760 h x the provinces' time-averaged "
                   "consumption intensity in the plan"),
    }
