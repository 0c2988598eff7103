"""Co-optimisation of AI data-centre siting and hourly scheduling with the power system.

The power system is a PyPSA network; the AI side is added with linopy where PyPSA has no
component. One ``define_*`` function per constraint family, in the PyPSA/linopy style:

* ``define_site_consumers``: one PyPSA generator per data-centre site that can only consume
  (``p_min_pu = -1``, ``p_max_pu = 0``), extendable up to the site cap. Its ``p_nom`` is the
  facility power, i.e. PUE x IT capacity; its capital cost is the annualised capex of facility
  and IT equipment per MW of IT, divided by PUE. Its dispatch enters the bus energy balance.
* ``define_assignment``: for every class and origin province, the mean IT power [MW] served by each
  allowed site (latency-filtered) plus an unserved part priced at the value of lost load (reported
  as shares). The assignment is a routing decision fixed over the horizon; the load it brings to a
  site is scheduled hourly.
* ``define_site_load``: per class and site, the IT load per snapshot: fixed to the class profile
  for ``hour`` windows; free within each ``day``/``week``/``horizon`` window (same energy as the
  profile would deliver in that window) above a per-hour floor otherwise.
* ``define_site_balance``: consumer dispatch = -PUE x total IT load at the site.
* ``define_latency_probes``: for each latency-limited class and origin, the nearest site beyond
  the limit is added as an assignment fixed to zero; its dual is the value of relaxing the limit to
  reach that site [CNY per MW].

For HiGHS' HiPO interior point, :func:`define_block_copies` gives the horizon-wide variables (site
capacities, mean loads) daily copies chained in time, so that no column spans the whole horizon.

Baselines fix the assignment and the schedule; :func:`solve_fixed` solves them as the dispatch with
fixed site draws (same optimum), warm-started from the no-AI reference's basis.

Objective = annualised capex + operating cost (incl. carbon price where the network's marginal
costs carry it) + value of lost load x unserved energy (grid load shedding and unserved AI work).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import xarray as xr

from computegrid.demand.ai_load import LoadClass, allowed_pairs, check_reachable, class_profile_frac
from computegrid.errors import InputError
from computegrid.units import HOURS_PER_YEAR

logger = logging.getLogger(__name__)

DC_CARRIER = "ai-data-centre"
SHED_CARRIER = "load-shedding"
SITE_COLUMNS = ("bus", "pue", "capacity_max_mw", "capex_cny_per_mw_per_year")
ALL_ORIGINS = "*"
#: Solvers for which the co-planning problem gets daily copies of its horizon-wide variables
#: (:func:`define_block_copies`): HiGHS' HiPO interior point. The dual simplex gains nothing from them.
SPLIT_SOLVERS = ("hipo",)


@dataclass(frozen=True)
class CoplanSpec:
    """The AI side of a co-planning problem.

    Parameters
    ----------
    sites : pandas.DataFrame
        Index ``site``; columns ``bus`` (PyPSA bus), ``pue`` [-], ``capacity_max_mw`` (IT) [MW],
        ``capex_cny_per_mw_per_year`` (annualised facility + IT capex per MW of IT) [CNY/MW/yr].
    classes : tuple of LoadClass
        AI work classes.
    demand_mw : pandas.DataFrame
        Mean IT power per class (index) and origin province (columns). [MW]
    rtt_ms : pandas.DataFrame
        Round-trip time, origins x sites. [ms]
    voll_cny_per_mwh : float
        Value of lost load, applied to unserved AI IT energy. [CNY/MWh]
    fixed_shares : mapping of str to pandas.DataFrame, optional
        Per class, an origins x sites table of fixed assignment shares (baselines). For classes
        without a latency limit the origins are collapsed to one row labelled ``"*"``.
    """

    sites: pd.DataFrame
    classes: tuple[LoadClass, ...]
    demand_mw: pd.DataFrame
    rtt_ms: pd.DataFrame
    voll_cny_per_mwh: float = 30_000.0
    fixed_shares: Mapping[str, pd.DataFrame] | None = None

    def __post_init__(self) -> None:
        missing = [c for c in SITE_COLUMNS if c not in self.sites.columns]
        if missing:
            raise InputError("sites", ", ".join(missing), f"allowed: a table with columns {', '.join(SITE_COLUMNS)}")
        unknown = [s for s in self.sites.index if s not in self.rtt_ms.columns]
        if unknown:
            raise InputError("sites", unknown[0], "allowed: a site of the latency matrix")
        if (self.demand_mw.to_numpy() < 0).any():
            raise InputError("demand_mw", float(self.demand_mw.min().min()), "allowed: values >= 0")
        check_reachable(self.classes, self.demand_mw, self.rtt_ms.loc[:, list(self.sites.index)])


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

    @property
    def ok(self) -> bool:
        return self.status == "ok"


# -------------------------------------------------------------------- network helpers

def snapshot_hours(n) -> pd.Series:
    """Weight of each snapshot in hours (``snapshot_weightings.generators``). [h]"""
    return n.snapshot_weightings.generators.astype(float)


def snapshot_interval_h(n) -> float:
    """Length of one snapshot interval: the smallest step between snapshots (1 h for representative
    days, whose weightings count days, not hours). [h]"""
    idx = pd.DatetimeIndex(n.snapshots)
    if len(idx) < 2:
        return float(snapshot_hours(n).iloc[0]) if len(idx) else 1.0
    steps = np.asarray(pd.Series(idx).diff().dt.total_seconds().iloc[1:] / 3600.0)
    steps = steps[steps > 0]
    return float(steps.min()) if len(steps) else 1.0


def horizon_frac(n) -> float:
    """Modelled hours as a fraction of a year: annual costs are scaled by it. [-]"""
    return float(snapshot_hours(n).sum()) / HOURS_PER_YEAR


def ensure_load_shedding(n, voll_cny_per_mwh: float) -> None:
    """Add a load-shedding generator at every bus with a load, unless the network has them.

    Unserved energy then appears as their dispatch, priced at the value of lost load, and a
    shortage never makes the model infeasible.
    """
    if "carrier" in n.generators and (n.generators.carrier == SHED_CARRIER).any():
        return
    if SHED_CARRIER not in n.carriers.index:
        n.add("Carrier", SHED_CARRIER, co2_emissions=0.0)
    buses = pd.Index(n.buses.index)
    n.add("Generator", buses + " " + SHED_CARRIER, bus=buses, carrier=SHED_CARRIER,
          p_nom=1e7, marginal_cost=voll_cny_per_mwh)


def apply_carbon_price(n, carbon_price_cny_per_t: float) -> None:
    """Add carbon price x CO2 per MWh of output to every generator's marginal cost.

    CO2 per MWh of output = carrier ``co2_emissions`` [tCO2/MWh_primary] / ``efficiency``.
    """
    if carbon_price_cny_per_t == 0:
        return
    co2 = n.generators.carrier.map(n.carriers.co2_emissions).fillna(0.0)
    eff = n.generators.efficiency.replace(0, np.nan).fillna(1.0)
    n.generators["marginal_cost"] = n.generators.marginal_cost + carbon_price_cny_per_t * co2 / eff


# -------------------------------------------------------------------- pairs

def build_pairs(spec: CoplanSpec) -> pd.DataFrame:
    """Table of (class, origin, site) decision pairs, with the latency probes.

    Classes without a latency limit collapse their origins into one row ``"*"``.
    """
    sites = list(spec.sites.index)
    rtt = spec.rtt_ms.loc[:, sites]
    rows = []
    for c in spec.classes:
        demand = spec.demand_mw.loc[c.name]
        if c.rtt_max_ms is None:
            total = float(demand.sum())
            if total > 0:
                rows += [(c.name, ALL_ORIGINS, s, total, np.nan, False) for s in sites]
            continue
        ok = allowed_pairs(rtt, c.rtt_max_ms)
        for origin, d in demand.items():
            if d <= 0:
                continue
            rows += [(c.name, origin, s, float(d), float(rtt.loc[origin, s]), False)
                     for s in sites if ok.loc[origin, s]]
            beyond = rtt.loc[origin][~ok.loc[origin]]
            if len(beyond):
                s = beyond.idxmin()
                rows.append((c.name, origin, s, float(d), float(beyond.min()), True))
    pairs = pd.DataFrame(rows, columns=["class", "origin", "site", "demand_mw", "rtt_ms", "probe"])
    pairs.index = pd.Index(pairs["class"] + "|" + pairs["origin"] + "|" + pairs["site"], name="pair")
    pairs["co"] = pairs["class"] + "|" + pairs["origin"]
    if spec.fixed_shares:
        fixed = []
        for cname, (cls, origin, site) in zip(pairs.index, pairs[["class", "origin", "site"]].to_numpy()):
            table = spec.fixed_shares.get(cls)
            if table is None:
                fixed.append(np.nan)
                continue
            fixed.append(float(table.loc[origin, site]) if (origin in table.index and site in table.columns) else 0.0)
        pairs["fixed_share"] = fixed
        for cls, table in spec.fixed_shares.items():
            for origin, row in table.iterrows():
                for site, v in row.items():
                    if v > 0 and f"{cls}|{origin}|{site}" not in pairs.index[~pairs.probe]:
                        raise InputError(f"fixed_shares.{cls}.{origin}", site,
                                         "allowed: a site within the class's latency limit")
    else:
        pairs["fixed_share"] = np.nan
    return pairs


# -------------------------------------------------------------------- model definition

def _window_labels(snapshots: pd.DatetimeIndex, window: str) -> np.ndarray:
    idx = pd.DatetimeIndex(snapshots)
    if window == "day":
        return np.asarray(idx.normalize().strftime("%Y-%m-%d"))
    if window == "week":
        iso = idx.isocalendar()
        return np.asarray(iso.year.astype(str) + "-W" + iso.week.astype(str).str.zfill(2))
    return np.full(len(idx), "horizon")


def define_site_consumers(n, spec: CoplanSpec) -> pd.Index:
    """Add one consuming, extendable generator per site; return their names (index = site)."""
    if DC_CARRIER not in n.carriers.index:
        n.add("Carrier", DC_CARRIER, co2_emissions=0.0)
    sites = spec.sites
    names = pd.Index("dc " + sites.index.astype(str), name="Generator")
    pue = sites.pue.astype(float).to_numpy()
    n.add("Generator", names, bus=sites.bus.to_numpy(), carrier=DC_CARRIER,
          p_nom_extendable=True, p_nom_min=0.0,
          p_nom_max=sites.capacity_max_mw.astype(float).to_numpy() * pue,
          p_min_pu=-1.0, p_max_pu=0.0, marginal_cost=0.0,
          capital_cost=sites.capex_cny_per_mw_per_year.astype(float).to_numpy() / pue * horizon_frac(n))
    return names


def make_extra_functionality(spec: CoplanSpec, pairs: pd.DataFrame, consumer_names: pd.Index,
                             profiles: Mapping[str, pd.Series],
                             chain: Callable | None = None, split: bool = False) -> Callable:
    """Build the ``extra_functionality(n, snapshots)`` that adds the AI constraints.

    With ``split``, the horizon-wide variables get daily copies (:func:`define_block_copies`), for
    an interior-point solve.
    """

    def extra_functionality(n, snapshots) -> None:
        if chain is not None:
            chain(n, snapshots)
        m = n.model
        sites = pd.Index(spec.sites.index.astype(str), name="site")
        sn = pd.Index(pd.DatetimeIndex(snapshots), name="snapshot")
        w = xr.DataArray(snapshot_hours(n).loc[snapshots].to_numpy(), coords=[sn])
        hours_total = float(w.sum())
        pair_idx = pd.Index(pairs.index, name="pair")
        demand = pairs.demand_mw.to_numpy()
        # the assignment is in MW of mean IT power (share x demand), not in shares: with shares, the
        # cost of unserved work per unit (demand x hours x VOLL) reaches 1e12 and the coefficient range
        # slows the simplex down several times at 6-hourly resolution (docs/planning.md, performance).
        # Probes get a slack lower bound (-demand) so that the dual of "probe == 0" is well defined.
        lower = xr.DataArray(np.where(pairs.probe.to_numpy(), -demand, 0.0), coords=[pair_idx])
        # no upper bounds: served <= demand follows from AI-serve; explicit bounds would make the duals
        # of AI-serve (and so the latency values) degenerate when one site serves an origin alone
        served = m.add_variables(lower=lower, coords=[pair_idx], name="AI-served")
        co_idx = pd.Index(sorted(pairs.co.unique()), name="co")
        unserved = m.add_variables(lower=0.0, coords=[co_idx], name="AI-unserved")
        # every (class, origin) is served by its sites or counted as unserved
        co_of = xr.DataArray(pairs.co.to_numpy(), coords=[pair_idx], name="co")
        d_co = pairs.groupby("co").demand_mw.first().reindex(co_idx)
        m.add_constraints(served.groupby(co_of).sum() + unserved == xr.DataArray(d_co.to_numpy(), coords=[co_idx]),
                          name="AI-serve")
        probes = pairs.index[pairs.probe.to_numpy()]
        if len(probes):
            # an equality on a variable whose own bounds are slack: its dual is the reduced cost of
            # serving one MW of the origin from the site beyond the limit, well defined
            m.add_constraints(served.sel(pair=list(probes)) == 0.0, name="AI-latency-probe")
        fixed = pairs.fixed_share.dropna()
        if len(fixed):
            fx = xr.DataArray(fixed.to_numpy() * pairs.demand_mw.reindex(fixed.index).to_numpy(),
                              coords=[pd.Index(fixed.index, name="pair")])
            m.add_constraints(served.sel(pair=list(fixed.index)) == fx, name="AI-fixed-share")
        # unserved AI work costs the value of lost load per MWh of IT energy
        m.objective = m.objective + (unserved * (hours_total * spec.voll_cny_per_mwh)).sum()

        total = None
        for c in spec.classes:
            cp = pairs[pairs["class"] == c.name]
            if cp.empty:
                continue
            # mean IT power brought to each site by the class's assignment
            mean = m.add_variables(lower=0.0, coords=[sites], name=f"AI-mean-{c.name}")
            cp_idx = pd.Index(cp.index, name="pair")
            site_of = xr.DataArray(cp.site.to_numpy(), coords=[cp_idx], name="site")
            by_site = served.sel(pair=list(cp.index)).groupby(site_of).sum().reindex(site=sites)
            m.add_constraints(mean - by_site == 0.0,
                              name=f"AI-mean-def-{c.name}")
            prof = xr.DataArray(profiles[c.name].loc[snapshots].to_numpy(), coords=[sn])
            if not c.shiftable:
                load = mean * prof
            else:
                load = m.add_variables(lower=0.0, coords=[sn, sites], name=f"AI-load-{c.name}")
                win = xr.DataArray(_window_labels(sn, c.window), coords=[sn], name="window")
                lhs = (load * w).groupby(win).sum()
                energy = (prof * w).groupby(win).sum()
                m.add_constraints(lhs - mean * energy == 0.0, name=f"AI-window-{c.name}")
                if c.floor_frac > 0:
                    m.add_constraints(load - mean * (prof * c.floor_frac) >= 0.0, name=f"AI-floor-{c.name}")
            total = load if total is None else total + load
        if total is None:
            return
        p = m["Generator-p"].sel(name=list(consumer_names), snapshot=sn)
        p = p.rename(name="site").assign_coords(site=sites)
        pue = xr.DataArray(spec.sites.pue.astype(float).to_numpy(), coords=[sites])
        m.add_constraints(p + total * pue == 0.0, name="AI-site-balance")
        if split:
            define_block_copies(n, spec, snapshots)

    return extra_functionality


def define_block_copies(n, spec: CoplanSpec, snapshots) -> int:
    """Daily copies of the horizon-wide variables in the rows of every snapshot or window
    (:func:`~computegrid.grid.solve.split_columns`): capacities of extendable components in their
    ``-ext-`` limits, and each class's mean IT load in the site balance, its floor and its windows.

    Without them the hourly co-planning problem has about 40 columns of 8,760 entries, and HiPO
    solves it through the augmented system; with them, through the normal equations (measured in
    docs/planning.md). Returns the number of coefficients moved.
    """
    from computegrid.grid.solve import day_blocks, split_columns

    m = n.model
    sn = pd.DatetimeIndex(snapshots)
    blocks = day_blocks(sn)
    n_blocks = int(blocks.max()) + 1 if len(blocks) else 0
    moved = 0
    for comp in ("Generator", "StorageUnit", "Link"):
        uses = {name: ("snapshot", blocks) for name in m.constraints
                if name.startswith(f"{comp}-ext-") and "snapshot" in m.constraints[name].labels.dims}
        moved += split_columns(m, f"{comp}-p_nom", uses, n_blocks)
    for c in spec.classes:
        uses = {"AI-site-balance": ("snapshot", blocks), f"AI-floor-{c.name}": ("snapshot", blocks)}
        window = f"AI-window-{c.name}"
        if window in m.constraints:
            # each window row takes the copy of its first snapshot's day
            first = pd.Series(blocks).groupby(_window_labels(sn, c.window)).first()
            labels = m.constraints[window].labels.indexes["window"]
            uses[window] = ("window", first.reindex(labels).to_numpy())
        moved += split_columns(m, f"AI-mean-{c.name}", uses, n_blocks)
    return moved


# -------------------------------------------------------------------- solve

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
    from computegrid.grid.solve import SPLIT_PRESOLVE_RULES_OFF, hipo_options

    ensure_load_shedding(n, spec.voll_cny_per_mwh)
    pairs = build_pairs(spec)
    names = define_site_consumers(n, spec)
    interval_h = snapshot_interval_h(n)
    profiles = {c.name: class_profile_frac(c, n.snapshots, interval_h) for c in spec.classes}
    opts = dict(solver_options or {})
    split = opts.get("solver") in SPLIT_SOLVERS
    if split:
        opts["presolve_rule_off"] = int(opts.get("presolve_rule_off", 0)) | SPLIT_PRESOLVE_RULES_OFF
        opts = hipo_options(opts)
    ef = make_extra_functionality(spec, pairs, names, profiles, chain=chain, split=split)
    return _solve_and_extract(n, spec, pairs, names, profiles, ef, opts)


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
    out = _optimize(n, chain, solver_options, **({"basis_fn": basis_out} if basis_out is not None else {}))
    release_model(n)
    return out


def model_functionality(ef: Callable | None) -> Callable:
    """The ``extra_functionality`` of every co-planning solve: PyPSA's limit rows become bounds
    (:func:`~computegrid.grid.solve.limits_as_bounds`) before ``ef`` adds the AI side.

    In this order the daily copies of a capacity (:func:`define_block_copies`) inherit its lower
    bound. In the reverse order they were free columns (5,110 in the default scenario), which
    HiPO handles worse: at hourly resolution it stagnated short of the optimum (docs/planning.md).
    """
    from computegrid.grid.solve import chain_functionality, limits_as_bounds

    return chain_functionality(limits_as_bounds, ef)


def _optimize(n, ef, solver_options, **solve_kwargs):
    from computegrid.grid.solve import quiet_stdout

    # HiGHS' own choice (dual simplex) unless the options say otherwise; services/plan/pipeline.py picks HiPO for
    # the co-optimised problem on fine resolutions (docs/planning.md)
    opts = {"threads": 2, "output_flag": False, "log_to_console": False}
    opts.update(solver_options or {})
    # HiGHS prints its banner to the C-level stdout before options apply; stdout of `plan --json` must
    # stay one JSON object
    with quiet_stdout(not opts.get("output_flag", False)):
        status, condition = n.optimize(solver_name="highs",
                                       extra_functionality=model_functionality(ef),
                                       include_objective_constant=False,
                                       progress=False, io_api="direct", **solve_kwargs, **opts)
    return status, condition


def _dual(m, name):
    try:
        return m.constraints[name].dual
    except (KeyError, AttributeError):
        return None


def _solve_and_extract(n, spec, pairs, names, profiles, ef, solver_options) -> CoplanResult:
    status, condition = _optimize(n, ef, solver_options)
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
    from computegrid.grid.coplan_results import corridor_value_cny_per_mw_per_year

    corridor_value = corridor_value_cny_per_mw_per_year(n)
    rel_gap = solver_rel_gap(m)
    release_model(n)
    return CoplanResult("ok", str(condition), float(n.objective), hours_total, capacity, site_load,
                        pairs, unserved, unserved_mwh, probe_value, cap_value, corridor_value, rel_gap)


def solver_rel_gap(m) -> float:
    """HiGHS' relative primal-dual objective error of the solved linopy model ``m``, NaN if the
    solver object is gone or is not HiGHS. [-]"""
    try:
        return float(m.solver_model.getInfo().primal_dual_objective_error)
    except AttributeError:
        return float("nan")


def add_site_draws(n, spec: CoplanSpec, facility_mw: pd.DataFrame | None = None) -> pd.Index:
    """Add one fixed data-centre consumer per site drawing ``facility_mw`` (snapshot x site; None: 0).

    The no-AI reference and the two baselines get the same components in the same order, fixed to
    different draws (zero, or the baseline's placement): their linear programs then differ only in
    variable bounds, and the optimal basis of one is a valid warm start for the next.
    """
    if DC_CARRIER not in n.carriers.index:
        n.add("Carrier", DC_CARRIER, co2_emissions=0.0)
    sites = spec.sites
    names = pd.Index("dc " + sites.index.astype(str), name="Generator")
    draw = (pd.DataFrame(0.0, index=n.snapshots, columns=sites.index) if facility_mw is None
            else facility_mw.reindex(index=n.snapshots, columns=sites.index).fillna(0.0))
    peak = draw.max().clip(lower=1.0).to_numpy()
    pu = pd.DataFrame(-draw.to_numpy() / peak, index=n.snapshots, columns=names)
    n.add("Generator", names, bus=sites.bus.to_numpy(), carrier=DC_CARRIER, p_nom=peak,
          p_min_pu=pu, p_max_pu=pu, marginal_cost=0.0)
    return names


def fixed_placement(spec: CoplanSpec, n) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series, pd.Series]:
    """AI load of a fixed placement (every class with fixed shares and an ``hour`` window).

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
    site_load = pd.concat(frames, names=["class", "site"])
    capacity = site_load.groupby(level="site").sum().max(axis=1).reindex(sites, fill_value=0.0)
    served = pairs.groupby("co").share.sum()
    return pairs, site_load, capacity.rename("capacity_it_mw"), (1.0 - served).clip(lower=0.0)


def solve_fixed(n, spec: CoplanSpec, *, solver_options: Mapping | None = None,
                basis_in=None, basis_out=None) -> CoplanResult:
    """Solve a baseline: the AI load placed by ``spec.fixed_shares``, following each class's profile.

    The placement fixes every site's draw, so the problem is the reference dispatch with fixed
    consumers (:func:`add_site_draws`); the data-centre capacity is the peak IT load of each site
    and its capex, like the cost of unplaced AI work at the value of lost load, is added to the
    objective as a constant. This is the co-planning model with the assignment and the schedule
    fixed (the same optimum), solved as a dispatch that can start from the reference's basis.
    """
    ensure_load_shedding(n, spec.voll_cny_per_mwh)
    pairs, site_load, capacity, unserved = fixed_placement(spec, n)
    pue = spec.sites.pue.astype(float)
    it_by_site = site_load.groupby(level="site").sum()  # site x snapshot (sites sorted)
    facility = it_by_site.mul(pue.reindex(it_by_site.index), axis=0).T
    add_site_draws(n, spec, facility)
    kw = {}
    if basis_in is not None:
        kw["warmstart_fn"] = basis_in
    if basis_out is not None:
        kw["basis_fn"] = basis_out
    status, condition = _optimize(n, None, solver_options, **kw)
    hours_total = float(snapshot_hours(n).sum())
    if status != "ok":
        empty = pd.Series(dtype=float)
        return CoplanResult(status, str(condition), float("nan"), hours_total, empty,
                            pd.DataFrame(), pairs.assign(share=np.nan), empty, float("nan"))
    from computegrid.grid.coplan_results import corridor_value_cny_per_mw_per_year

    corridor_value = corridor_value_cny_per_mw_per_year(n)
    rel_gap = solver_rel_gap(n.model)
    release_model(n)
    d_co = pairs.groupby("co").demand_mw.first().reindex(unserved.index)
    unserved_mwh = float((unserved * d_co).sum() * hours_total)
    capex = float((capacity * spec.sites.capex_cny_per_mw_per_year.astype(float).reindex(capacity.index)).sum()
                  * horizon_frac(n))
    objective = float(n.objective) + capex + unserved_mwh * spec.voll_cny_per_mwh
    return CoplanResult("ok", str(condition), objective, hours_total, capacity, site_load, pairs, unserved,
                        unserved_mwh, corridor_value_cny_per_mw_per_year=corridor_value, rel_gap=rel_gap)


def release_model(n) -> None:
    """Drop the linopy model of a solved network (the solution stays in ``n``): it holds most of the memory."""
    if getattr(n, "_model", None) is not None:
        del n.model


# -------------------------------------------------------------------- co-investment (--expand)

#: assumption: overnight cost and lifetime of new capacity in 2030 (CNY per kW; per kW and 1,000 km for
#: corridors), annualised at 7%/yr. Onshore wind 5,000, offshore 10,000, solar PV 3,000 CNY/kW
#: (round values within the 2023 ranges IRENA reports for China, "Renewable Power Generation Costs in
#: 2023" [secondary]); 2-hour battery 3,000 CNY/kW (1,500 CNY/kWh, assumption); UHV corridor about
#: 1,500 CNY/kW per 1,000 km (an 8 GW, 2,000 km +/-800 kV line costs about 20-25 bn CNY [secondary]).
EXPANSION_COSTS = {
    "onwind": (5_000.0, 25.0), "offwind": (10_000.0, 25.0), "solar": (3_000.0, 25.0),
    "battery": (3_000.0, 15.0), "corridor_per_1000km": (1_500.0, 40.0),
}
EXPANSION_DISCOUNT_RATE_FRAC = 0.07
#: assumption: new wind/solar near a site limited to three times today's stock at that bus.
EXPANSION_MAX_FACTOR = 3.0


def _annualised_cny_per_mw(capex_cny_per_kw: float, lifetime_yr: float) -> float:
    r = EXPANSION_DISCOUNT_RATE_FRAC
    return capex_cny_per_kw * 1e3 * r / (1.0 - (1.0 + r) ** (-lifetime_yr))


def expand_near_sites(n, buses) -> None:
    """Let the optimiser build new wind, solar, batteries at ``buses`` and corridors touching them.

    New capacity is added as separate extendable components (``"<name> new"``) beside the existing
    ones, so the objective counts only what is newly built: the wind/solar clones share the existing
    generators' availability profiles and may add up to ``EXPANSION_MAX_FACTOR - 1`` times today's
    capacity; new batteries (2 h) and parallel corridors are unbounded. Capital costs are those of
    the network where set, else :data:`EXPANSION_COSTS` (annualised, scaled to the horizon).
    """
    buses = set(buses)
    hf = horizon_frac(n)
    g = n.generators
    sel = g.index[g.bus.isin(buses) & g.carrier.isin(["onwind", "offwind", "solar"]) & ~g.p_nom_extendable]
    for name in sel:
        carrier = g.at[name, "carrier"]
        cost = float(g.at[name, "capital_cost"]) or _annualised_cny_per_mw(*EXPANSION_COSTS[carrier]) * hf
        kw = {}
        if name in n.generators_t.p_max_pu.columns:
            kw["p_max_pu"] = n.generators_t.p_max_pu[name]
        else:
            kw["p_max_pu"] = float(g.at[name, "p_max_pu"])
        n.add("Generator", f"{name} new", bus=g.at[name, "bus"], carrier=carrier, p_nom_extendable=True,
              p_nom_max=max(float(g.at[name, "p_nom"]), 1.0) * (EXPANSION_MAX_FACTOR - 1.0),
              marginal_cost=float(g.at[name, "marginal_cost"]), capital_cost=cost, **kw)
    if "battery" not in n.carriers.index:
        n.add("Carrier", "battery", co2_emissions=0.0)
    new_b = sorted(buses)
    n.add("StorageUnit", pd.Index(new_b) + " battery new", bus=new_b, carrier="battery",
          p_nom_extendable=True, max_hours=2.0, efficiency_store=0.85 ** 0.5, efficiency_dispatch=0.85 ** 0.5,
          capital_cost=_annualised_cny_per_mw(*EXPANSION_COSTS["battery"]) * hf, cyclic_state_of_charge=True)
    li = n.links
    sel = li.index[(li.bus0.isin(buses) | li.bus1.isin(buses)) & ~li.p_nom_extendable]
    xy = n.buses[["x", "y"]].astype(float)
    for name in sel:
        a, b = li.at[name, "bus0"], li.at[name, "bus1"]
        length = float(li.at[name, "length"]) if "length" in li and li.at[name, "length"] > 0 else _km(xy, a, b)
        cost = float(li.at[name, "capital_cost"]) or (
            _annualised_cny_per_mw(*EXPANSION_COSTS["corridor_per_1000km"]) * length / 1000.0 * hf)
        n.add("Link", f"{name} new", bus0=a, bus1=b, carrier=li.at[name, "carrier"], p_min_pu=-1.0,
              p_nom_extendable=True, capital_cost=cost)


def _km(xy: pd.DataFrame, a: str, b: str) -> float:
    lat1, lon1, lat2, lon2 = map(np.radians, (xy.at[a, "y"], xy.at[a, "x"], xy.at[b, "y"], xy.at[b, "x"]))
    h = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return float(2 * 6371.0 * np.arcsin(np.sqrt(h)))
