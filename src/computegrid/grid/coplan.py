"""Co-optimisation of AI data-centre siting and hourly scheduling with the power system.

The power system is a PyPSA network; the AI side is added with linopy where PyPSA has no
component. One ``define_*`` function per constraint family, in the PyPSA/linopy style (each
with its equation in its docstring), composed by :func:`make_extra_functionality`. The module holds one model family, the co-planning
constraints, and is a little over 400 lines for that reason:

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
* ``define_fixed_shares``: the baselines' assignment, fixed.

For HiGHS' HiPO interior point, :func:`define_block_copies` gives the horizon-wide variables (site
capacities, mean loads) daily copies chained in time, so that no column spans the whole horizon.

The solves are in :mod:`computegrid.grid.coplan_solve`; with ``--expand`` the network is the unsolved
capacity expansion of :mod:`computegrid.grid.capacity_expansion`, whose policy constraints are chained in.

Objective = annualised capex + operating cost (incl. carbon price where the network's marginal
costs carry it) + value of lost load x unserved energy (grid load shedding and unserved AI work).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr

from computegrid.demand.ai_load import LoadClass, allowed_pairs, check_reachable
from computegrid.errors import InputError
from computegrid.grid.carriers import DC_CARRIER
from computegrid.grid.coplan_ranges import RANGE_TIME_BUDGET_S
from computegrid.grid.network import add_load_shedding
from computegrid.grid.results import co2_t_per_mwh_output, snapshot_hours
from computegrid.units import HOURS_PER_YEAR

logger = logging.getLogger(__name__)

#: Capacity of the load-shedding generators the co-planning model adds where the network has none:
#: far above any bus's load plus data-centre draw, so that shedding is never capped (assumption). [MW]
SHEDDING_P_NOM_MW = 1e7
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
    valley_fill : tuple of str
        Baselines: classes whose energy of each day fills the troughs of the ``hour`` classes' load
        at the same site (today's operation, blind to the grid:
        :func:`~computegrid.demand.ai_placement.valley_fill_mw`); the other classes follow their
        profile.
    curtail_max_frac : float
        Baselines: largest share of each site's AI energy over the horizon that the grid may curtail
        (``grid-responsive``); 0 = none. [-]
    curtail_cost_cny_per_mwh : pandas.Series, optional
        Per site, cost of one MWh of curtailed facility energy (the compute lost). [CNY/MWh]
    range_time_budget_s : float
        Co-optimised: wall-clock budget of the near-optimal capacity ranges
        (:func:`~computegrid.grid.coplan_ranges.capacity_ranges_mw`); 0 computes none. [s]
    """

    sites: pd.DataFrame
    classes: tuple[LoadClass, ...]
    demand_mw: pd.DataFrame
    rtt_ms: pd.DataFrame
    voll_cny_per_mwh: float = 30_000.0
    fixed_shares: Mapping[str, pd.DataFrame] | None = None
    valley_fill: tuple[str, ...] = ()
    curtail_max_frac: float = 0.0
    curtail_cost_cny_per_mwh: pd.Series | None = None
    range_time_budget_s: float = RANGE_TIME_BUDGET_S

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


# -------------------------------------------------------------------- network helpers

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
    """Load shedding at every bus (:func:`~computegrid.grid.network.add_load_shedding`), uncapped
    (:data:`SHEDDING_P_NOM_MW`) where the network has none: unserved energy then appears as their
    dispatch, priced at the value of lost load, and a shortage never makes the model infeasible."""
    add_load_shedding(n, voll_cny_per_mwh, p_nom_mw=SHEDDING_P_NOM_MW)


def apply_carbon_price(n, carbon_price_cny_per_t: float) -> None:
    """Add carbon price x CO2 per MWh of output
    (:func:`~computegrid.grid.results.co2_t_per_mwh_output`) to every generator's marginal cost."""
    if carbon_price_cny_per_t == 0:
        return
    n.generators["marginal_cost"] = n.generators.marginal_cost + carbon_price_cny_per_t * co2_t_per_mwh_output(n)


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
    """Data-centre sites as PyPSA generators that only consume; return their names (index = site).

    -p_nom[s] <= p[s,t] <= 0 (``p_min_pu = -1``, ``p_max_pu = 0``), 0 <= p_nom[s] <= PUE[s] x
    cap_IT[s]; objective += p_nom[s] x capex[s] / PUE[s] x H / 8,760 (capex per MW of IT per year,
    H the modelled hours). PyPSA's own limit rows (``Generator-ext-*``) hold these bounds.
    """
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


def _site_index(spec: CoplanSpec) -> pd.Index:
    return pd.Index(spec.sites.index.astype(str), name="site")


def _snapshot_index(snapshots) -> pd.Index:
    return pd.Index(pd.DatetimeIndex(snapshots), name="snapshot")


def define_assignment(n, spec: CoplanSpec, pairs: pd.DataFrame, snapshots):
    """Assignment of AI work to sites, in MW of mean IT power (``AI-served``, ``AI-unserved``).

    For every (class c, origin o): sum over allowed sites s of served[c,o,s] + unserved[c,o]
    = demand[c,o] (constraint ``AI-serve``), served >= 0 (probes: >= -demand), unserved >= 0.
    Objective += sum over (c, o) of unserved[c,o] x H x VOLL, with H the modelled hours.

    The assignment is in MW (share x demand), not in shares: with shares the cost of unserved work
    per unit (demand x hours x VOLL) reaches 1e12 and the coefficient range slows the simplex down
    several times at 6-hourly resolution (docs/planning.md, performance). Served has no upper
    bound: served <= demand follows from ``AI-serve``, and explicit bounds would make its duals
    (and so the latency values) degenerate when one site serves an origin alone.

    Returns
    -------
    linopy.Variable
        ``AI-served``, indexed by pair.
    """
    m = n.model
    hours_total = float(snapshot_hours(n).loc[_snapshot_index(snapshots)].sum())
    pair_idx = pd.Index(pairs.index, name="pair")
    demand = pairs.demand_mw.to_numpy()
    # probes get a slack lower bound (-demand) so that the dual of "probe == 0" is well defined
    lower = xr.DataArray(np.where(pairs.probe.to_numpy(), -demand, 0.0), coords=[pair_idx])
    served = m.add_variables(lower=lower, coords=[pair_idx], name="AI-served")
    co_idx = pd.Index(sorted(pairs.co.unique()), name="co")
    unserved = m.add_variables(lower=0.0, coords=[co_idx], name="AI-unserved")
    co_of = xr.DataArray(pairs.co.to_numpy(), coords=[pair_idx], name="co")
    d_co = pairs.groupby("co").demand_mw.first().reindex(co_idx)
    m.add_constraints(served.groupby(co_of).sum() + unserved == xr.DataArray(d_co.to_numpy(), coords=[co_idx]),
                      name="AI-serve")
    m.objective = m.objective + (unserved * (hours_total * spec.voll_cny_per_mwh)).sum()
    return served


def define_latency_probes(n, pairs: pd.DataFrame, served) -> None:
    """Latency probes: served[c,o,s*] = 0 (``AI-latency-probe``) for the nearest site s* beyond the
    latency limit of each latency-limited (class c, origin o).

    An equality on a variable whose own bounds are slack: its dual is the reduced cost of serving
    one MW of the origin from the site beyond the limit, the value of relaxing the limit [CNY/MW].
    """
    probes = pairs.index[pairs.probe.to_numpy()]
    if len(probes):
        n.model.add_constraints(served.sel(pair=list(probes)) == 0.0, name="AI-latency-probe")


def define_fixed_shares(n, pairs: pd.DataFrame, served) -> None:
    """Baselines: served[c,o,s] = share[c,o,s] x demand[c,o] for every pair with a fixed share
    (``AI-fixed-share``)."""
    fixed = pairs.fixed_share.dropna()
    if len(fixed):
        fx = xr.DataArray(fixed.to_numpy() * pairs.demand_mw.reindex(fixed.index).to_numpy(),
                          coords=[pd.Index(fixed.index, name="pair")])
        n.model.add_constraints(served.sel(pair=list(fixed.index)) == fx, name="AI-fixed-share")


def define_site_load(n, spec: CoplanSpec, pairs: pd.DataFrame, served, profiles: Mapping[str, pd.Series],
                     snapshots):
    """IT load of each class at each site per snapshot; returns the total over classes (or None).

    mean[c,s] = sum over origins o of served[c,o,s] (``AI-mean-def-<c>``). Classes with an ``hour``
    window follow their profile: load[c,s,t] = mean[c,s] x profile[c,t]. Shiftable classes get a
    variable load[c,s,t] >= 0 that delivers, in each window W (day, week or horizon), the energy the
    profile would: sum over t in W of load[c,s,t] x w[t] = mean[c,s] x sum over t in W of profile[c,t]
    x w[t] (``AI-window-<c>``), above a floor load[c,s,t] >= floor_c x profile[c,t] x mean[c,s]
    (``AI-floor-<c>``); w[t] are the snapshot hours. [MW]
    """
    m = n.model
    sites = _site_index(spec)
    sn = _snapshot_index(snapshots)
    w = xr.DataArray(snapshot_hours(n).loc[snapshots].to_numpy(), coords=[sn])
    total = None
    for c in spec.classes:
        cp = pairs[pairs["class"] == c.name]
        if cp.empty:
            continue
        mean = m.add_variables(lower=0.0, coords=[sites], name=f"AI-mean-{c.name}")
        cp_idx = pd.Index(cp.index, name="pair")
        site_of = xr.DataArray(cp.site.to_numpy(), coords=[cp_idx], name="site")
        by_site = served.sel(pair=list(cp.index)).groupby(site_of).sum().reindex(site=sites)
        m.add_constraints(mean - by_site == 0.0, name=f"AI-mean-def-{c.name}")
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
    return total


def define_site_balance(n, spec: CoplanSpec, consumer_names: pd.Index, total_it_load, snapshots) -> None:
    """Each site's consumer draws its facility power: p[s,t] + PUE[s] x sum over classes of
    load[c,s,t] = 0 (``AI-site-balance``); p enters the bus's energy balance."""
    m = n.model
    sites = _site_index(spec)
    p = m["Generator-p"].sel(name=list(consumer_names), snapshot=_snapshot_index(snapshots))
    p = p.rename(name="site").assign_coords(site=sites)
    pue = xr.DataArray(spec.sites.pue.astype(float).to_numpy(), coords=[sites])
    m.add_constraints(p + total_it_load * pue == 0.0, name="AI-site-balance")


def make_extra_functionality(spec: CoplanSpec, pairs: pd.DataFrame, consumer_names: pd.Index,
                             profiles: Mapping[str, pd.Series],
                             chain: Callable | None = None, split: bool = False) -> Callable:
    """The ``extra_functionality(n, snapshots)`` that adds the AI side, one constraint family at a
    time (``chain`` first: the grid model's own constraints).

    With ``split``, the horizon-wide variables get daily copies (:func:`define_block_copies`), for
    an interior-point solve.
    """

    def extra_functionality(n, snapshots) -> None:
        if chain is not None:
            chain(n, snapshots)
        served = define_assignment(n, spec, pairs, snapshots)
        define_latency_probes(n, pairs, served)
        define_fixed_shares(n, pairs, served)
        total = define_site_load(n, spec, pairs, served, profiles, snapshots)
        if total is None:
            return
        define_site_balance(n, spec, consumer_names, total, snapshots)
        if split:
            define_block_copies(n, spec, snapshots)

    return extra_functionality


def define_block_copies(n, spec: CoplanSpec, snapshots) -> int:
    """Daily copies of the horizon-wide variables in the rows of every snapshot or window
    (:func:`~computegrid.grid.block_copies.split_columns`): capacities of extendable components in their
    ``-ext-`` limits, and each class's mean IT load in the site balance, its floor and its windows.

    Without them the hourly co-planning problem has about 40 columns of 8,760 entries, and HiPO
    solves it through the augmented system; with them, through the normal equations (measured in
    docs/planning.md). Returns the number of coefficients moved.
    """
    from computegrid.grid.block_copies import day_blocks, split_columns

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
