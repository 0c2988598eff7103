"""Solves of the co-planning model: the co-optimised plan, the no-AI reference and the baselines.

:func:`solve_coplan` adds the AI side (:mod:`computegrid.grid.coplan`) and solves the whole problem;
:func:`solve_plain` solves the grid alone (the reference); :func:`solve_fixed` solves a baseline, whose
assignment and schedule are fixed, as the dispatch with fixed site draws (same optimum),
warm-started from the reference's basis. All of them solve through
:func:`computegrid.grid.solve.optimize`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from computegrid.demand.ai_load import class_profile_frac
from computegrid.grid.carriers import DC_CARRIER
from computegrid.grid.coplan import (SPLIT_SOLVERS, CoplanSpec, build_pairs, define_site_consumers,
                                     ensure_load_shedding, horizon_frac, make_extra_functionality,
                                     snapshot_interval_h)
from computegrid.grid.coplan_results import corridor_value_cny_per_mw_per_year
from computegrid.grid.results import snapshot_hours
from computegrid.grid.solve import optimize, release_model
from computegrid.units import HOURS_PER_YEAR


@dataclass
class CoplanResult:
    """What a co-planning solve returns (all power values are means over each snapshot)."""

    status: str
    condition: str
    objective_cny: float
    horizon_h: float
    capacity_it_mw: pd.Series
    site_load_it_mw: pd.DataFrame  # index (class, site), columns snapshot
    pairs: pd.DataFrame  # one row per (class, origin, site) with share, demand, rtt, probe
    unserved_share: pd.Series  # index "class|origin"
    unserved_ai_it_mwh: float
    probe_value_cny_per_mw_per_year: pd.Series = field(default_factory=pd.Series)
    site_cap_value_cny_per_mw_per_year: pd.Series = field(default_factory=pd.Series)
    corridor_value_cny_per_mw_per_year: pd.Series = field(default_factory=pd.Series)
    #: HiGHS' relative primal-dual objective error of the solution (0 for a simplex vertex; up to
    #: ``ipm_optimality_tolerance`` for HiPO without crossover) [-]
    rel_gap: float = float("nan")
    #: co-optimised: range of each ranged site's IT capacity over near-optimal plans
    #: (:func:`~computegrid.grid.coplan_ranges.capacity_ranges_mw`) [MW]
    capacity_range_it_mw: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: ``grid-responsive``: facility power curtailed at each site, snapshot x site [MW]
    curtailed_facility_mw: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: the solution is a vertex (HiGHS holds a valid basis: the simplex, or crossover after the interior
    #: point), so values at a bound sit on it up to the solver's feasibility tolerance
    vertex: bool = False

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def solve_coplan(n, spec: CoplanSpec, *, solver_options: Mapping | None = None,
                 chain: Callable | None = None) -> CoplanResult:
    """Add the AI side to network ``n``, solve, and return the AI results.

    Parameters
    ----------
    n : pypsa.Network
        The power system; modified in place (site consumers and, if absent, load shedding are
        added; the solution is assigned).
    spec : CoplanSpec
        The AI side.
    solver_options : mapping, optional
        HiGHS options.
    chain : callable, optional
        Another ``extra_functionality(n, snapshots)`` run first (the grid model's own
        constraints).

    Returns
    -------
    CoplanResult
    """
    ensure_load_shedding(n, spec.voll_cny_per_mwh)
    pairs = build_pairs(spec)
    names = define_site_consumers(n, spec)
    interval_h = snapshot_interval_h(n)
    profiles = {c.name: class_profile_frac(c, n.snapshots, interval_h) for c in spec.classes}
    split = dict(solver_options or {}).get("solver") in SPLIT_SOLVERS
    ef = make_extra_functionality(spec, pairs, names, profiles, chain=chain, split=split)
    return _solve_and_extract(n, spec, pairs, names, profiles, ef, solver_options, split)


def solve_plain(n, voll_cny_per_mwh: float, *, solver_options: Mapping | None = None,
                chain: Callable | None = None, spec: CoplanSpec | None = None,
                basis_out=None) -> tuple[str, str]:
    """Solve the network without any AI load (the reference run); return (status, condition).

    With ``spec``, the sites' consumers are added drawing nothing (:func:`add_site_draws`), so that
    the optimal basis, written to ``basis_out``, warm-starts the baselines.
    """
    ensure_load_shedding(n, voll_cny_per_mwh)
    if spec is not None:
        add_site_draws(n, spec)
    ef, split = grid_functionality(n, chain, solver_options)
    out = optimize(n, ef, solver_options=solver_options, block_copies=split,
                   **({"basis_fn": basis_out} if basis_out is not None else {}))
    release_model(n)
    return out


def grid_functionality(n, chain: Callable | None, solver_options: Mapping | None) -> tuple[Callable | None, bool]:
    """The ``extra_functionality`` of a solve without the AI side (reference, baselines): the grid
    model's own constraints ``chain`` and, for an interior-point solve (:data:`SPLIT_SOLVERS`) of a
    network with extendable capacity, daily copies of the capacities
    (:func:`~computegrid.grid.block_copies.split_capacity_columns`), as the expansion solve has them
    (:func:`~computegrid.grid.capacity_expansion.expansion_functionality`). Returns it and whether the
    model gets block copies."""
    from computegrid.grid.capacity_expansion import expansion_functionality

    extendable = any(bool(df.p_nom_extendable.any()) for df in (n.generators, n.storage_units, n.links)
                     if len(df))
    split = extendable and dict(solver_options or {}).get("solver") in SPLIT_SOLVERS
    return expansion_functionality(chain, split), split


def _dual(m, name):
    try:
        return m.constraints[name].dual
    except (KeyError, AttributeError):
        return None


def _solve_and_extract(n, spec, pairs, names, profiles, ef, solver_options, split) -> CoplanResult:
    status, condition = optimize(n, ef, solver_options=solver_options, block_copies=split)
    hours_total = float(snapshot_hours(n).sum())
    if status != "ok":
        empty = pd.Series(dtype=float)
        return CoplanResult(status, str(condition), float("nan"), hours_total, empty,
                            pd.DataFrame(), pairs.assign(share=np.nan), empty, float("nan"))
    m = n.model
    pue = spec.sites.pue.astype(float)
    cap_fac = n.generators.p_nom_opt.reindex(names).to_numpy()
    capacity = pd.Series(cap_fac / pue.to_numpy(), index=spec.sites.index, name="capacity_it_mw")
    served = m["AI-served"].solution.to_series().reindex(pairs.index).fillna(0.0).clip(lower=0.0)
    pairs = pairs.assign(share=(served / pairs.demand_mw).to_numpy())
    unserved_mw = m["AI-unserved"].solution.to_series().clip(lower=0.0)
    d_co = pairs.groupby("co").demand_mw.first()
    unserved = unserved_mw / d_co.reindex(unserved_mw.index)
    unserved_mwh = float(unserved_mw.sum() * hours_total)
    frames = {}
    for c in spec.classes:
        key = f"AI-mean-{c.name}"
        if key not in m.variables:
            continue
        if c.shiftable:
            sol = m[f"AI-load-{c.name}"].solution.to_pandas()  # snapshot x site
        else:
            mean = m[key].solution.to_series()
            sol = pd.DataFrame(np.outer(profiles[c.name].to_numpy(), mean.to_numpy()),
                               index=n.snapshots, columns=mean.index)
        frames[c.name] = sol.clip(lower=0.0).T
    site_load = pd.concat(frames, names=["class", "site"]) if frames else pd.DataFrame()
    annual = HOURS_PER_YEAR / hours_total
    probe_value = pd.Series(dtype=float)
    dual = _dual(m, "AI-latency-probe")
    if dual is not None:
        d = dual.to_series()
        # dual of served == 0: objective change per MW moved; per year
        probe_value = (-d * annual).clip(lower=0.0).rename("value_cny_per_mw_per_year")
    cap_value = pd.Series(dtype=float)
    dual = _dual(m, "Generator-ext-p_nom-upper")
    if dual is not None:
        d = dual.to_series().reindex(names).fillna(0.0)
        cap_value = pd.Series(np.abs(d.to_numpy()) * pue.to_numpy() * annual, index=spec.sites.index,
                              name="value_cny_per_mw_per_year")
    corridor_value = corridor_value_cny_per_mw_per_year(n)
    rel_gap, vertex = solver_rel_gap(m), solver_has_basis(m)
    ranges = _ranges(n, spec, names, capacity, split)
    release_model(n)
    return CoplanResult("ok", str(condition), float(n.objective), hours_total, capacity, site_load,
                        pairs, unserved, unserved_mwh, probe_value, cap_value, corridor_value, rel_gap,
                        capacity_range_it_mw=ranges, vertex=vertex)


#: Up to this many snapshots every site is ranged (cheap); beyond, only the interior ones.
RANGE_ALL_MAX_SNAPSHOTS = 48


def _ranges(n, spec: CoplanSpec, names: pd.Index, capacity: pd.Series, split: bool) -> pd.DataFrame:
    """Near-optimal capacity ranges of the sites that matter: those built strictly between 0 and
    their cap (1 MW margins), or every site on small models. Empty after an interior-point solve
    (no basis to start from)."""
    from computegrid.grid.coplan_ranges import capacity_ranges_mw

    if split or spec.range_time_budget_s <= 0 or getattr(n.model, "solver_model", None) is None:
        return pd.DataFrame()
    cap_max = spec.sites.capacity_max_mw.astype(float)
    interior = (capacity > 1.0) & (capacity < cap_max - 1.0)
    chosen = capacity.index if len(n.snapshots) <= RANGE_ALL_MAX_SNAPSHOTS else capacity.index[interior]
    if not len(chosen):
        return pd.DataFrame()
    pos = [spec.sites.index.get_loc(s) for s in chosen]
    try:
        return capacity_ranges_mw(n, names[pos], spec.sites.pue.astype(float).loc[chosen],
                                  time_budget_s=spec.range_time_budget_s, capacity_max_mw=cap_max.loc[chosen])
    except (RuntimeError, AttributeError):  # another solver interface: no ranges, the plan stands
        return pd.DataFrame()


def solver_rel_gap(m) -> float:
    """HiGHS' relative primal-dual objective error of the solved linopy model ``m``, NaN if the
    solver object is gone or is not HiGHS. [-]"""
    try:
        return float(m.solver_model.getInfo().primal_dual_objective_error)
    except AttributeError:
        return float("nan")


def solver_has_basis(m) -> bool:
    """True if HiGHS holds a valid basis for the solved linopy model ``m`` (a vertex solution); False
    without one (interior point without crossover) or without a HiGHS solver object."""
    import highspy

    try:
        return int(m.solver_model.getInfo().basis_validity) == int(highspy.BasisValidity.kBasisValidityValid)
    except AttributeError:
        return False


def add_site_draws(n, spec: CoplanSpec, facility_mw: pd.DataFrame | None = None,
                   curtail: bool = False) -> pd.Index:
    """Add one fixed data-centre consumer per site drawing ``facility_mw`` (snapshot x site; None: 0).

    The no-AI reference and the two baselines get the same components in the same order, fixed to
    different draws (zero, or the baseline's placement): their linear programs then differ only in
    variable bounds, and the optimal basis of one is a valid warm start for the next.

    With ``curtail`` (``grid-responsive``), each consumer may draw less than its load: between 0 and
    the draw, at least (1 - ``spec.curtail_max_frac``) of its energy over the horizon
    (``e_sum_max``; the draw is negative), and each MWh drawn earns ``spec.curtail_cost_cny_per_mwh``
    (marginal cost on a negative dispatch), so that the objective plus the constant cost x planned
    energy is the cost of the compute curtailed.
    """
    if DC_CARRIER not in n.carriers.index:
        n.add("Carrier", DC_CARRIER, co2_emissions=0.0)
    sites = spec.sites
    names = pd.Index("dc " + sites.index.astype(str), name="Generator")
    draw = (pd.DataFrame(0.0, index=n.snapshots, columns=sites.index) if facility_mw is None
            else facility_mw.reindex(index=n.snapshots, columns=sites.index).fillna(0.0))
    peak = draw.max().clip(lower=1.0).to_numpy()
    pu = pd.DataFrame(-draw.to_numpy() / peak, index=n.snapshots, columns=names)
    kw = {"p_max_pu": pu, "marginal_cost": 0.0}
    if curtail:
        w = snapshot_hours(n).to_numpy()
        energy = (draw.to_numpy() * w[:, None]).sum(axis=0)
        cost = spec.curtail_cost_cny_per_mwh.reindex(sites.index).astype(float).to_numpy()
        kw = {"p_max_pu": 0.0, "marginal_cost": cost, "e_sum_max": -(1.0 - spec.curtail_max_frac) * energy}
    n.add("Generator", names, bus=sites.bus.to_numpy(), carrier=DC_CARRIER, p_nom=peak, p_min_pu=pu, **kw)
    return names


def fixed_placement(spec: CoplanSpec, n) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series, pd.Series]:
    """AI load of a fixed placement (every class with fixed shares and an ``hour`` window).

    Classes named in ``spec.valley_fill`` deliver each day's energy of their profile in the troughs
    of the other classes' load at the same site (:func:`~computegrid.demand.ai_placement.valley_fill_by_day`).

    Returns
    -------
    pairs : pandas.DataFrame
        :func:`build_pairs` with ``share`` set to the fixed shares.
    site_load_it_mw : pandas.DataFrame
        IT load, index (class, site), columns snapshot. [MW]
    capacity_it_mw : pandas.Series
        IT capacity needed at each site: the peak of its load. [MW]
    unserved_share : pandas.Series
        Per ``class|origin``, the share placed nowhere. [-]
    """
    pairs = build_pairs(spec)
    if any(c.shiftable for c in spec.classes) or pairs.fixed_share.isna().any():
        raise ValueError("fixed_placement needs fixed shares and hour windows for every class")
    share = pairs.fixed_share.where(~pairs.probe, 0.0).fillna(0.0)
    pairs = pairs.assign(share=share.to_numpy())
    interval_h = snapshot_interval_h(n)
    sites = pd.Index(spec.sites.index.astype(str), name="site")
    frames = {}
    for c in spec.classes:
        cp = pairs[pairs["class"] == c.name]
        if cp.empty:
            continue
        mean = (cp.share * cp.demand_mw).groupby(cp.site).sum().reindex(sites, fill_value=0.0)
        prof = class_profile_frac(c, n.snapshots, interval_h).to_numpy()
        frames[c.name] = pd.DataFrame(np.outer(mean.to_numpy(), prof), index=sites, columns=n.snapshots)
    if spec.valley_fill:
        frames = _valley_filled(frames, spec.valley_fill, n)
    site_load = pd.concat(frames, names=["class", "site"])
    capacity = site_load.groupby(level="site").sum().max(axis=1).reindex(sites, fill_value=0.0)
    served = pairs.groupby("co").share.sum()
    return pairs, site_load, capacity.rename("capacity_it_mw"), (1.0 - served).clip(lower=0.0)


def _valley_filled(frames: dict, fill: tuple[str, ...], n) -> dict:
    """Replace the load of the ``fill`` classes (site x snapshot) by the same daily energy placed in
    the troughs of the other classes' load at each site."""
    from computegrid.demand.ai_placement import valley_fill_by_day
    from computegrid.grid.coplan import _window_labels

    w = snapshot_hours(n)
    day = _window_labels(pd.DatetimeIndex(n.snapshots), "day")
    base = None
    for name, f in frames.items():
        if name not in fill:
            base = f if base is None else base + f
    out = dict(frames)
    for name in fill:
        if name not in frames:
            continue
        energy = frames[name].mul(w.to_numpy(), axis=1).T.groupby(day).sum()  # day x site [MWh]
        base_t = (base if base is not None else frames[name] * 0.0).T
        load = valley_fill_by_day(base_t, energy, w, day)
        out[name] = load.T
        base = out[name] if base is None else base + out[name]
    return out


def solve_fixed(n, spec: CoplanSpec, *, solver_options: Mapping | None = None,
                basis_in=None, basis_out=None, chain: Callable | None = None) -> CoplanResult:
    """Solve a baseline: the AI load placed by ``spec.fixed_shares``, following each class's profile.

    The placement fixes every site's draw, so the problem is the reference dispatch with fixed
    consumers (:func:`add_site_draws`); the data-centre capacity is the peak IT load of each site
    and its capex, like the cost of unplaced AI work at the value of lost load, is added to the
    objective as a constant. This is the co-planning model with the assignment and the schedule
    fixed (the same optimum), solved as a dispatch that can start from the reference's basis.
    ``chain``: the grid model's own constraints (the expansion's policy constraints), as in
    :func:`solve_plain`; with extendable capacity the grid's expansion is solved with the draws fixed.
    """
    ensure_load_shedding(n, spec.voll_cny_per_mwh)
    pairs, site_load, capacity, unserved = fixed_placement(spec, n)
    pue = spec.sites.pue.astype(float)
    it_by_site = site_load.groupby(level="site").sum()  # site x snapshot (sites sorted)
    facility = it_by_site.mul(pue.reindex(it_by_site.index), axis=0).T
    curtail = spec.curtail_max_frac > 0
    names = add_site_draws(n, spec, facility, curtail=curtail)
    if curtail:  # other rows than the reference: its basis does not fit
        basis_in = basis_out = None
    kw = {}
    if basis_in is not None:
        kw["warmstart_fn"] = basis_in
    if basis_out is not None:
        kw["basis_fn"] = basis_out
    ef, split = grid_functionality(n, chain, solver_options)
    status, condition = optimize(n, ef, solver_options=solver_options, block_copies=split, **kw)
    hours_total = float(snapshot_hours(n).sum())
    if status != "ok":
        empty = pd.Series(dtype=float)
        return CoplanResult(status, str(condition), float("nan"), hours_total, empty,
                            pd.DataFrame(), pairs.assign(share=np.nan), empty, float("nan"))
    corridor_value = corridor_value_cny_per_mw_per_year(n)
    rel_gap = solver_rel_gap(n.model)
    release_model(n)
    d_co = pairs.groupby("co").demand_mw.first().reindex(unserved.index)
    unserved_mwh = float((unserved * d_co).sum() * hours_total)
    capex = float((capacity * spec.sites.capex_cny_per_mw_per_year.astype(float).reindex(capacity.index)).sum()
                  * horizon_frac(n))
    objective = float(n.objective) + capex + unserved_mwh * spec.voll_cny_per_mwh
    curtailed = pd.DataFrame()
    if curtail:
        drawn = -n.generators_t.p.reindex(columns=names).fillna(0.0)
        drawn.columns = [str(c).removeprefix("dc ") for c in drawn.columns]
        curtailed = (facility.reindex(columns=drawn.columns).fillna(0.0) - drawn).clip(lower=0.0)
        w = snapshot_hours(n)
        cost = spec.curtail_cost_cny_per_mwh.reindex(facility.columns).astype(float)
        objective += float((facility.mul(w, axis=0).sum() * cost).sum())  # n.objective earned cost x drawn
        ratio = (drawn / facility.where(facility > 0)).fillna(1.0).clip(0.0, 1.0)  # snapshot x site
        site_load = site_load.mul(ratio.T.reindex(site_load.index.get_level_values("site")).to_numpy())
    return CoplanResult("ok", str(condition), objective, hours_total, capacity, site_load, pairs, unserved,
                        unserved_mwh, corridor_value_cny_per_mw_per_year=corridor_value, rel_gap=rel_gap,
                        curtailed_facility_mw=curtailed)


