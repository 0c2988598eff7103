"""The main job: co-plan AI data-centre siting and hourly scheduling with China's power system.

``run_plan`` solves, on the same network and data, the no-AI reference, the two baselines
(``status-quo``, ``west-static``) and the ``co-optimised`` plan, compares them, and writes
``runs/<run-id>/`` atomically. The CLI (``computegrid plan``) and the HTTP API call it.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

from computegrid.demand.ai_load import (
    EASTERN_PROVINCES,
    LoadClass,
    check_reachable,
    class_demand_mw,
    class_profile_frac,
    load_origin_weights,
    normalise_weights,
)
from computegrid.demand.ai_placement import place
from computegrid.errors import ComputegridError, InputError
from computegrid.io.jsonable import to_jsonable
from computegrid.services.plan.scenario import ScenarioConfig, load_scenario, scenario_dict
from computegrid.units import HOURS_PER_YEAR, KW_PER_MW, mwh_to_twh, t_to_mt, twh_to_mwh

SCENARIOS = ("status-quo", "west-static", "co-optimised")
#: Default time resolution of `computegrid plan`, chosen so that the four solves finish in under
#: 2 minutes on two cores; its error against the hourly model is stated in docs/planning.md.
DEFAULT_RESOLUTION = "rep12"


@dataclass(frozen=True)
class PlanInputs:
    """Everything the solves need besides the network (validated)."""

    config: ScenarioConfig
    classes: tuple[LoadClass, ...]
    sites: pd.DataFrame  # index site: bus, pue, capacity_max_mw, capex_cny_per_mw_per_year, kind, side, lat/lon
    rtt_ms: pd.DataFrame  # origin x site
    demand_mw: pd.DataFrame  # class x origin (mean IT power)


@dataclass
class PlanResult:
    """Outcome of :func:`run_plan`."""

    run_id: str
    run_dir: Path | None
    summary: dict
    networks: dict = field(default_factory=dict, repr=False)
    results: dict = field(default_factory=dict, repr=False)
    signals: pd.DataFrame | None = field(default=None, repr=False)


# -------------------------------------------------------------------- inputs

def classes_from(config: ScenarioConfig) -> tuple[LoadClass, ...]:
    """LoadClass objects of a scenario, in file order."""
    return tuple(LoadClass(name, c.share_frac, c.rtt_max_ms, c.window, c.floor_frac, c.profile)
                 for name, c in config.ai.classes.items())


def prepare(config: ScenarioConfig, sites: pd.DataFrame | None = None,
            provinces: pd.DataFrame | None = None) -> PlanInputs:
    """Resolve sites, latency and demand of a scenario and check them against the data.

    Parameters
    ----------
    config : ScenarioConfig
        The scenario.
    sites, provinces : pandas.DataFrame, optional
        Candidate sites and provinces (default: the grid model's ``load_sites()`` and
        ``load_provinces()``); tests pass small hand-made tables.
    """
    from computegrid.datasets.grid import load_provinces, load_sites
    from computegrid.facility.latency import latency_matrix_ms

    sites = (load_sites() if sites is None else sites).copy()
    provinces = load_provinces() if provinces is None else provinces
    include = config.sites.include
    if include != "all":
        unknown = [s for s in include if s not in sites.index]
        if unknown:
            raise InputError("sites.include", unknown[0], "allowed: " + ", ".join(sites.index))
        sites = sites.loc[list(include)]
    for name, ov in config.sites.overrides.items():
        if name not in sites.index:
            raise InputError(f"sites.overrides.{name}", name, "allowed: " + ", ".join(sites.index))
        for key, value in ov.model_dump(exclude_none=True).items():
            sites.loc[name, key] = value
    sites["bus"] = sites["province"]
    sites["capex_cny_per_mw_per_year"] = sites["capex_annualised_cny_per_kw_it_yr"].astype(float) * KW_PER_MW
    rtt = latency_matrix_ms(provinces, sites, route_factor=config.latency.route_factor,
                            equipment_ms=config.latency.equipment_ms)
    if config.ai.origin_weights == "gdp-2023":
        weights = load_origin_weights().reindex(provinces.index).fillna(0.0)
    else:
        weights = config.ai.origin_weights
        unknown = [p for p in weights if p not in provinces.index]
        if unknown:
            raise InputError(f"ai.origin_weights.{unknown[0]}", unknown[0],
                             "allowed: a province code (" + ", ".join(provinces.index) + ")")
    weights = normalise_weights(pd.Series(weights, dtype=float).reindex(provinces.index).fillna(0.0),
                                "ai.origin_weights")
    classes = classes_from(config)
    it_mwh = twh_to_mwh(config.ai.facility_energy_twh_per_year) / config.ai.reference_pue
    demand = class_demand_mw(classes, it_mwh, weights, HOURS_PER_YEAR)
    check_reachable(classes, demand, rtt)
    return PlanInputs(config, classes, sites, rtt, demand)


# -------------------------------------------------------------------- solves

def _default_builder(config: ScenarioConfig, resolution: str):
    from computegrid.grid.network import build_network
    from computegrid.grid.fleet import FLEET_CARRIERS, scale_fleet

    n = build_network(config.year, resolution=resolution)
    scale_fleet(n, config.fleet.model_dump(), FLEET_CARRIERS)
    return n


def _spec(inputs: PlanInputs, scenario: str, n):
    from computegrid.grid.coplan import CoplanSpec, snapshot_interval_h

    classes = inputs.classes
    fixed = None
    if scenario != "co-optimised":
        interval_h = snapshot_interval_h(n)
        peak = {c.name: float(class_profile_frac(c, n.snapshots, interval_h).max()) for c in classes}
        order = tuple(sorted(classes, key=lambda c: c.shiftable))
        fixed = place(scenario, order, inputs.demand_mw, inputs.rtt_ms, inputs.sites, peak)
        classes = tuple(dataclasses.replace(c, window="hour", floor_frac=0.0) for c in classes)
    return CoplanSpec(sites=inputs.sites, classes=classes, demand_mw=inputs.demand_mw, rtt_ms=inputs.rtt_ms,
                      voll_cny_per_mwh=inputs.config.costs.voll_cny_per_mwh, fixed_shares=fixed)


#: Snapshots from which the co-optimised solve uses HiGHS' interior-point solver HiPO (without
#: crossover, on daily copies of its horizon-wide variables: grid/coplan.py) instead of dual simplex.
#: Measured on the default scenario (docs/planning.md): simplex is faster at 24h (365 snapshots: 4.5 s
#: against 19 s), HiPO at 6h (1,460 snapshots: 66 s against 236 s) and beyond, where the simplex needs
#: hundreds of thousands of degenerate iterations.
IPM_MIN_SNAPSHOTS = 1000
#: Snapshots from which the no-AI reference and the baselines (dispatch with fixed capacities) use
#: HiPO too, instead of the dual simplex warm-started from the reference's basis. Measured on the
#: default scenario (docs/planning.md), 2 threads: at 3h (2,920 snapshots) the simplex is faster
#: (reference 41 s, warm-started status-quo 35 s, against 52 s and 44 s), at 1h (8,760) HiPO (204 s
#: and 207 s against 325 s and 407 s); the threshold lies between the two measurements.
DISPATCH_IPM_MIN_SNAPSHOTS = 4000
#: Snapshots from which `run_plan` solves the four problems in two worker processes (one core each)
#: by default. Assumption, not a measured crossover: a spawned worker needs several seconds to start
#: and import PyPSA, about what all four rep12 solves take together (16 s), so small models stay serial.
PARALLEL_MIN_SNAPSHOTS = 1000


def hipo_available() -> bool:
    """True if HiGHS' HiPO interior-point solver can run (it needs the ``highspy-extras`` package)."""
    import importlib.util

    return importlib.util.find_spec("highspy_extras") is not None


def uses_ipm(case: str, n_snapshots: int) -> bool:
    """True if ``case`` is solved with HiPO at this many snapshots (needs ``highspy-extras``)."""
    threshold = IPM_MIN_SNAPSHOTS if case == "co-optimised" else DISPATCH_IPM_MIN_SNAPSHOTS
    return n_snapshots >= threshold and hipo_available()


def solver_options_for(case: str, n_snapshots: int, threads: int = 2, user: dict | None = None) -> dict:
    """HiGHS options of one solve: HiPO on fine resolutions (:func:`uses_ipm`), else HiGHS' default
    (dual simplex); ``user`` options win."""
    from computegrid.grid.solve import hipo_options

    opts: dict = {"threads": threads}
    if uses_ipm(case, n_snapshots):
        opts.update(solver="hipo", run_crossover="off")
    opts.update(user or {})
    if opts.get("solver") == "hipo":  # also when the user picks HiPO; user tolerances win
        opts = hipo_options(opts)
    return opts


def warm_starts(solver_options: dict) -> bool:
    """True if a solve with these HiGHS options is a simplex one, which can start from a basis."""
    return solver_options.get("solver", "choose") in ("choose", "simplex")


def prepare_base(inputs: PlanInputs, base_network) -> None:
    """Carbon price and (with ``expand``) co-investment candidates, once, on the shared base network."""
    from computegrid.grid.coplan import apply_carbon_price
    from computegrid.grid.expansion import expand_near_sites

    apply_carbon_price(base_network, inputs.config.costs.carbon_price_cny_per_t)
    if inputs.config.expand:
        expand_near_sites(base_network, inputs.sites.bus.unique())


def solve_case(inputs: PlanInputs, base_network, case: str, solver_options: dict | None = None,
               threads: int = 2, basis_dir: str | Path | None = None):
    """Solve one case (``"no-ai"`` or a scenario) on a copy of the prepared base network.

    The no-AI reference and the baselines share one problem structure (the sites' consumers fixed
    to zero or to the baseline's draw). With ``basis_dir``, the reference writes its optimal basis
    there and the baselines solved after it in the same folder start from it (dual simplex): a
    baseline only moves some load between buses, so it needs a fraction of a cold solve's
    iterations.

    Returns
    -------
    (pypsa.Network, CoplanResult or None)
        The solved network (its linopy model released) and, for scenarios, the AI results.
    """
    from computegrid.grid.coplan_solve import solve_coplan, solve_fixed, solve_plain

    n = base_network.copy()
    opts = solver_options_for(case, len(n.snapshots), threads, solver_options)
    basis = Path(basis_dir) / "reference.bas" if (basis_dir is not None and warm_starts(opts)) else None
    if case == "no-ai":
        status, condition = solve_plain(n, inputs.config.costs.voll_cny_per_mwh, solver_options=opts,
                                        spec=_spec(inputs, "co-optimised", n), basis_out=basis)
        if status != "ok":
            raise ComputegridError(f"the no-AI reference of {inputs.config.name} did not solve ({condition})")
        return n, None
    spec = _spec(inputs, case, n)
    if case == "co-optimised":
        res = solve_coplan(n, spec, solver_options=opts)
    else:
        res = solve_fixed(n, spec, solver_options=opts,
                          basis_in=basis if (basis is not None and basis.exists()) else None)
    if not res.ok:
        raise ComputegridError(f"scenario {case}: the solver stopped ({res.condition})")
    return n, res


def solve_cases(inputs: PlanInputs, base_network, cases: tuple[str, ...], solver_options: dict | None,
                threads: int) -> dict:
    """Solve ``cases`` in turn on the prepared base network, the baselines warm-started from the
    reference (one basis folder for the sequence); each linopy model is freed before the next."""
    import gc

    out = {}
    with tempfile.TemporaryDirectory(prefix="computegrid-basis-") as basis_dir:
        for case in cases:
            out[case] = solve_case(inputs, base_network, case, solver_options, threads=threads,
                                   basis_dir=basis_dir)
            gc.collect()
    return out


def _end_with_parent() -> None:
    """Worker initialiser: on Linux, ask the kernel to stop this worker when the parent process ends
    (``PR_SET_PDEATHSIG``), so that a killed `computegrid plan` leaves no solve running on."""
    import sys

    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal

    try:
        ctypes.CDLL(None).prctl(1, int(signal.SIGTERM))  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # no prctl in this libc: the worker just runs to its end
        pass


def _solve_cases_in_worker(inputs: PlanInputs, resolution: str, cases: tuple[str, ...],
                           solver_options: dict | None) -> dict:
    """Worker process: build the network, prepare it and solve ``cases`` in turn (one thread)."""
    import logging
    import warnings

    warnings.filterwarnings("ignore")
    logging.disable(logging.WARNING)
    base = _default_builder(inputs.config, resolution)
    prepare_base(inputs, base)
    return solve_cases(inputs, base, cases, solver_options, threads=1)


def split_cases(cases: tuple[str, ...], workers: int, chained: bool = True) -> list[tuple[str, ...]]:
    """Share the cases among workers.

    ``chained`` (the baselines warm-start from the reference's basis, so they must follow it in one
    process): the co-optimised solve (the longest) alone, the rest in turn. Otherwise every case is
    a task of its own, the co-optimised first, for a pool of ``workers`` processes to take in order.
    """
    if not chained:
        return [(c,) for c in sorted(cases, key=lambda c: c != "co-optimised")]
    heavy = [c for c in cases if c == "co-optimised"]
    light = [c for c in cases if c != "co-optimised"]
    groups: list[list[str]] = [[c] for c in heavy][:workers]
    while len(groups) < workers:
        groups.append([])
    rest = groups[len(heavy):] or groups
    for i, c in enumerate(light):
        rest[i % len(rest)].append(c)
    return [tuple(g) for g in groups if g]


def solve_all(inputs: PlanInputs, base_network, scenarios=SCENARIOS, solver_options=None, *,
              workers: int = 1, resolution: str | None = None) -> tuple[dict, dict]:
    """Solve the no-AI reference and each scenario on copies of ``base_network``.

    With ``workers > 1`` and a ``resolution`` (the packaged grid model), the cases run in that many
    worker processes, each building its own network (2.5 s at hourly resolution) and using one
    solver thread; the four problems are independent, so the results are the same as in turn.
    """
    cases = ("no-ai", *scenarios)
    networks, results = {}, {}
    if workers > 1 and resolution is not None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # baselines on the dual simplex start from the reference's basis: one process for the three
        dispatch = solver_options_for("no-ai", len(base_network.snapshots), 1, solver_options)
        groups = split_cases(cases, workers, chained=warm_starts(dispatch))
        ctx = multiprocessing.get_context("spawn")  # no fork of a process holding solver threads
        # a fresh process per task: a worker that had solved one case kept its memory (6 GB at hourly
        # resolution) into the next
        with ProcessPoolExecutor(max_workers=min(workers, len(groups)), mp_context=ctx,
                                 initializer=_end_with_parent, max_tasks_per_child=1) as pool:
            futures = [pool.submit(_solve_cases_in_worker, inputs, resolution, g, solver_options) for g in groups]
            solved = {}
            for f in futures:
                solved.update(f.result())
    else:
        prepare_base(inputs, base_network)
        solved = solve_cases(inputs, base_network, cases, solver_options, threads=2)
    for case in cases:
        n, res = solved[case]
        networks[case] = n
        if res is not None:
            results[case] = res
    return networks, results


# -------------------------------------------------------------------- metrics

def scenario_metrics(inputs: PlanInputs, n, res, ref) -> dict:
    """Side-by-side figures of one solved scenario (annualised)."""
    from computegrid.facility.latency import latency_matrix_ms
    from computegrid.grid import coplan_results as cr
    from computegrid.grid import results as R

    f = R.annual_factor(n)
    w = R.snapshot_hours(n)
    sites = inputs.sites
    pue = sites.pue.astype(float)
    load = res.site_load_it_mw  # (class, site) x snapshot
    it_mwh = load.mul(w.to_numpy(), axis=1).sum(axis=1)
    fac_mwh = it_mwh * pue.reindex(it_mwh.index.get_level_values("site")).to_numpy()
    by_site = fac_mwh.groupby(level="site").sum().reindex(sites.index, fill_value=0.0)
    by_class = fac_mwh.groupby(level="class").sum()
    by_site_class = {s: {c: mwh_to_twh(v * f) for (c, s2), v in fac_mwh.items() if s2 == s} for s in sites.index}
    ai_twh = mwh_to_twh(fac_mwh.sum() * f)
    curt_ref = mwh_to_twh(R.curtailment_mwh(ref).sum() * R.annual_factor(ref))
    curt = mwh_to_twh(R.curtailment_mwh(n).sum() * f)
    absorbed = curt_ref - curt
    # latency compliance: recompute every served pair's RTT from coordinates, independently of the LP
    pairs = res.pairs[(res.pairs.share > 1e-9) & ~res.pairs.probe]
    origins = pairs[pairs.origin != "*"]
    limit = {c.name: c.rtt_max_ms for c in inputs.classes}
    ok_energy = total_energy = 0.0
    if len(pairs):
        from computegrid.datasets.grid import load_provinces

        prov = load_provinces()
        known = origins.origin.isin(prov.index)
        rtt = latency_matrix_ms(prov.loc[origins.origin[known].unique()], sites,
                                route_factor=inputs.config.latency.route_factor,
                                equipment_ms=inputs.config.latency.equipment_ms) if known.any() else None
        for _, p in pairs.iterrows():
            e = p.share * p.demand_mw
            total_energy += e
            lim = limit.get(p["class"])
            if lim is None or p.origin == "*":
                ok_energy += e
            else:
                r = float(rtt.loc[p.origin, p.site]) if (rtt is not None and p.origin in rtt.index) else float(
                    inputs.rtt_ms.loc[p.origin, p.site])
                ok_energy += e if r <= lim + 1e-9 else 0.0
    price = R.marginal_prices_cny_per_mwh(n)
    site_price = price.reindex(columns=sites.bus.to_numpy())
    site_price.columns = sites.index
    dc = cr.dc_consumption_mw(n)
    dc.columns = [c.removeprefix("dc ") for c in dc.columns]
    dc = dc.reindex(columns=sites.index, fill_value=0.0)
    weighted = (site_price * dc.mul(w, axis=0)).sum() / dc.mul(w, axis=0).sum().replace(0, np.nan)
    shed_twh = mwh_to_twh(R.unserved_energy_mwh(n) * f)
    ai_unserved_twh = mwh_to_twh(res.unserved_ai_it_mwh * f)
    return {
        "system_cost_cny_per_year": float(res.objective_cny * f),
        "emissions_mt_co2_per_year": t_to_mt(R.emissions_t(n) * f),
        "curtailment_twh_per_year": curt,
        "curtailment_no_ai_twh_per_year": curt_ref,
        "curtailment_absorbed_twh_per_year": absorbed,
        "ai_energy_twh_per_year": ai_twh,
        "ai_it_energy_twh_per_year": mwh_to_twh(it_mwh.sum() * f),
        "ai_energy_by_site_twh_per_year": {s: mwh_to_twh(v * f) for s, v in by_site.items()},
        "ai_energy_by_class_twh_per_year": {c: mwh_to_twh(v * f) for c, v in by_class.items()},
        "ai_energy_by_site_and_class_twh_per_year": by_site_class,
        "ai_energy_west_frac": float(by_site[sites.side == "west"].sum() / by_site.sum()) if by_site.sum() > 0 else 0.0,
        "ai_energy_from_curtailment_frac": float(np.clip(absorbed / ai_twh, 0.0, 1.0)) if ai_twh > 0 else 0.0,
        "unserved_energy_twh_per_year": shed_twh + ai_unserved_twh,
        "unserved_grid_energy_twh_per_year": shed_twh,
        "unserved_ai_it_energy_twh_per_year": ai_unserved_twh,
        "latency_compliance_frac": float(ok_energy / total_energy) if total_energy > 0 else 1.0,
        "solver_rel_gap": None if np.isnan(res.rel_gap) else res.rel_gap,
        "dc_capacity_by_site_mw": {s: float(v) for s, v in res.capacity_it_mw.items()},
        "dc_capacity_total_mw": float(res.capacity_it_mw.sum()),
        "dc_capex_cny_per_year": float((res.capacity_it_mw * sites.capex_cny_per_mw_per_year.astype(float)).sum()),
        "peak_net_load_east_mw": cr.peak_net_load_mw(n, EASTERN_PROVINCES),
        "peak_net_load_east_no_ai_mw": cr.peak_net_load_mw(ref, EASTERN_PROVINCES),
        "marginal_price_at_sites_cny_per_mwh": {s: (None if pd.isna(v) else float(v))
                                                 for s, v in weighted.items()},
        "mean_price_at_sites_cny_per_mwh": {s: float(v) for s, v in site_price.mul(w, axis=0).sum().div(w.sum()).items()},
    }


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
    """Plain-words summary of where the savings of the co-optimised plan come from."""
    sc = summary["scenarios"]
    co, sq = sc["co-optimised"], sc["status-quo"]
    saved = sq["system_cost_cny_per_year"] - co["system_cost_cny_per_year"]
    capex = sq["dc_capex_cny_per_year"] - co["dc_capex_cny_per_year"]
    lines = [f"The co-optimised plan costs {saved / 1e9:,.1f} bn CNY/yr less than status-quo: "
             f"{capex / 1e9:,.1f} bn from data-centre capacity ({(sq['dc_capacity_total_mw'] - co['dc_capacity_total_mw']) / 1e3:,.2f} GW "
             "less IT, because flexible work fills the troughs of online demand at the same sites) and "
             f"{(saved - capex) / 1e9:,.1f} bn from running the grid (fuel, carbon, shortage)."]
    lines.append(f"It places {co['ai_energy_west_frac']:.0%} of AI energy at the western clusters "
                 f"(status-quo {sq['ai_energy_west_frac']:.0%}) and meets {co['ai_energy_from_curtailment_frac']:.0%} "
                 f"of it with power that would otherwise be curtailed (status-quo {sq['ai_energy_from_curtailment_frac']:.0%}).")
    return lines


def signals_frame(inputs: PlanInputs, n) -> pd.DataFrame:
    """Per site and snapshot signals for the scheduler (from the co-optimised plan)."""
    from computegrid.grid import coplan_results as cr
    from computegrid.grid import results as R

    curt = R.curtailed_by_bus_mw(n)
    price = R.marginal_prices_cny_per_mwh(n)
    avg = cr.average_intensity_kg_per_mwh(n)
    marg = cr.marginal_intensity_kg_per_mwh(n)
    frames = []
    for site, bus in inputs.sites.bus.items():
        frames.append(pd.DataFrame({
            "timestamp": pd.DatetimeIndex(n.snapshots), "site": site,
            "curtailed_mw": curt[bus].to_numpy(), "price_cny_per_mwh": price[bus].to_numpy(),
            "co2_avg_kg_per_mwh": avg[bus].to_numpy(), "co2_marginal_kg_per_mwh": marg[bus].to_numpy()}))
    return pd.concat(frames, ignore_index=True)


# -------------------------------------------------------------------- the use case

def _run_id(config: ScenarioConfig) -> str:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    return f"{stamp}-{config.name}-{os.getpid() % 10000:04d}"


def run_plan(scenario: str | Path | dict | None = None, overrides: list[str] | None = None,
             resolution: str | None = None, out_dir: str | Path | None = "runs", expand: bool | None = None,
             run_id: str | None = None, network_builder: Callable | None = None,
             sites: pd.DataFrame | None = None, provinces: pd.DataFrame | None = None,
             solver_options: dict | None = None, figures: bool = True, workers: int | None = None) -> PlanResult:
    """Co-plan AI compute with the grid: three scenarios and the no-AI reference.

    Parameters
    ----------
    scenario : path, dict or None
        A scenario file, a mapping, or None for the packaged default ``china-2030``.
    overrides : list of str, optional
        ``key=value`` overrides (``--set``).
    resolution : str, optional
        Time resolution passed to the grid model (default: the scenario's, else
        ``DEFAULT_RESOLUTION``).
    out_dir : path or None
        Where ``<run-id>/`` is written; None writes nothing.
    expand : bool, optional
        Co-invest in wind, solar, batteries and corridors near the sites (overrides the scenario).
    run_id : str, optional
        Name of the run folder (default: UTC time stamp, scenario name, process id).
    network_builder : callable, optional
        ``(config, resolution) -> pypsa.Network``; default: the grid model's ``build_network``.
    sites, provinces : pandas.DataFrame, optional
        Replace the packaged candidate sites and provinces (tests).
    solver_options : dict, optional
        HiGHS options for every solve (default: :func:`solver_options_for`).
    figures : bool, default True
        Write the report's figures.
    workers : int, optional
        Processes for the four solves (default: 2 from :data:`PARALLEL_MIN_SNAPSHOTS` snapshots on,
        else 1). Only with the packaged grid model.

    Returns
    -------
    PlanResult
    """
    t0 = time.perf_counter()
    config = load_scenario(scenario, overrides)
    if expand is not None:
        config = config.model_copy(update={"expand": bool(expand)})
    resolution = resolution or config.resolution or DEFAULT_RESOLUTION
    inputs = prepare(config, sites=sites, provinces=provinces)
    builder = network_builder or _default_builder
    base = builder(config, resolution)
    missing = [b for b in inputs.sites.bus.unique() if b not in base.buses.index]
    if missing:
        raise InputError("sites", missing[0], "allowed: sites attached to a bus of the network")
    if workers is None:
        workers = 2 if (network_builder is None and len(base.snapshots) >= PARALLEL_MIN_SNAPSHOTS) else 1
    if workers > 1 and network_builder is not None:
        raise InputError("workers", workers, "allowed: 1 with a custom network builder (workers build the packaged model)")
    networks, results = solve_all(inputs, base, solver_options=solver_options, workers=workers,
                                  resolution=resolution if network_builder is None else None)
    ref = networks["no-ai"]
    summary = {
        "status": "ok",
        "run_id": run_id or _run_id(config),
        "scenario_name": config.name,
        "year": config.year,
        "resolution": resolution,
        "n_snapshots": int(len(ref.snapshots)),
        "expand": config.expand,
        "reference_no_ai": {
            "system_cost_cny_per_year": None,
            "curtailment_twh_per_year": None,
            "emissions_mt_co2_per_year": None,
        },
        "scenarios": {},
    }
    from computegrid.grid import coplan_results as cr
    from computegrid.grid import results as R

    f = R.annual_factor(ref)
    summary["reference_no_ai"] = {
        "system_cost_cny_per_year": float(ref.objective * f),
        "curtailment_twh_per_year": mwh_to_twh(R.curtailment_mwh(ref).sum() * f),
        "emissions_mt_co2_per_year": t_to_mt(R.emissions_t(ref) * f),
        "unserved_energy_twh_per_year": mwh_to_twh(R.unserved_energy_mwh(ref) * f),
        "peak_net_load_east_mw": cr.peak_net_load_mw(ref, EASTERN_PROVINCES),
    }
    for name in SCENARIOS:
        summary["scenarios"][name] = scenario_metrics(inputs, networks[name], results[name], ref)
    co = summary["scenarios"]["co-optimised"]
    summary["savings_vs_status_quo_cny_per_year"] = (
        summary["scenarios"]["status-quo"]["system_cost_cny_per_year"] - co["system_cost_cny_per_year"])
    summary["savings_vs_west_static_cny_per_year"] = (
        summary["scenarios"]["west-static"]["system_cost_cny_per_year"] - co["system_cost_cny_per_year"])
    summary["explain"] = explain(inputs, networks["co-optimised"], results["co-optimised"])
    summary["explain"]["text"] = _headline(summary) + summary["explain"]["text"]
    summary["scenario"] = scenario_dict(config)
    signals = signals_frame(inputs, networks["co-optimised"])
    summary["runtime_s"] = round(time.perf_counter() - t0, 2)
    result = PlanResult(summary["run_id"], None, summary, networks, results, signals)
    if out_dir is not None:
        result.run_dir = write_run(result, inputs, Path(out_dir), figures=figures)
        summary["runtime_s"] = round(time.perf_counter() - t0, 2)
        (result.run_dir / "summary.json").write_text(json.dumps(to_jsonable(summary), indent=2), encoding="utf-8")
    return result


def tidy_results(inputs: PlanInputs, result: PlanResult) -> dict[str, pd.DataFrame]:
    """Tidy tables of a plan: AI load per scenario/class/site/snapshot, site figures, metrics."""
    rows, site_rows, metric_rows = [], [], []
    for name, res in result.results.items():
        load = res.site_load_it_mw.stack().rename("it_load_mw").reset_index()
        load.columns = ["class", "site", "timestamp", "it_load_mw"]
        load["facility_load_mw"] = load.it_load_mw * load.site.map(inputs.sites.pue.astype(float))
        load.insert(0, "scenario", name)
        rows.append(load)
        m = result.summary["scenarios"][name]
        for site in inputs.sites.index:
            site_rows.append({"scenario": name, "site": site, "bus": inputs.sites.bus[site],
                              "side": inputs.sites.side[site], "kind": inputs.sites.kind[site],
                              "capacity_it_mw": m["dc_capacity_by_site_mw"].get(site, 0.0),
                              "ai_energy_twh_per_year": m["ai_energy_by_site_twh_per_year"].get(site, 0.0),
                              "mean_price_cny_per_mwh": m["mean_price_at_sites_cny_per_mwh"].get(site)})
        for key, value in m.items():
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                metric_rows.append({"scenario": name, "metric": key, "value": float(value)})
    return {"ai_load": pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(),
            "sites": pd.DataFrame(site_rows), "metrics": pd.DataFrame(metric_rows)}


def write_run(result: PlanResult, inputs: PlanInputs, out_dir: Path, figures: bool = True) -> Path:
    """Write a run folder atomically: build it in a temporary folder, then rename."""
    out_dir.mkdir(parents=True, exist_ok=True)
    final = out_dir / result.run_id
    if final.exists():
        raise InputError("run_id", result.run_id, "allowed: a run id not used yet in " + str(out_dir))
    tmp = Path(tempfile.mkdtemp(prefix=f".{result.run_id}.", dir=out_dir))
    try:
        for name, frame in tidy_results(inputs, result).items():
            frame.to_parquet(tmp / f"{name}.parquet", index=False)
        result.signals.to_parquet(tmp / "signals.parquet", index=False)
        result.networks["co-optimised"].export_to_netcdf(tmp / "network.nc")
        if figures:
            from computegrid.report.plan_report import write_report

            write_report(tmp, result, inputs)
        (tmp / "summary.json").write_text(json.dumps(to_jsonable(result.summary), indent=2), encoding="utf-8")
        tmp.replace(final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final
