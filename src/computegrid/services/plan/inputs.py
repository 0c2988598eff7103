"""Inputs of a planning run: the scenario's load classes, candidate sites, latency and AI demand,
validated against the data, and the AI side of each case (:func:`_spec`)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pandas as pd

from computegrid.demand.ai_load import (
    LoadClass,
    check_reachable,
    class_demand_mw,
    class_profile_frac,
    load_origin_weights,
    normalise_weights,
)
from computegrid.datasets.workload import load_llm_hourly_profile
from computegrid.demand.ai_placement import place
from computegrid.errors import InputError
from computegrid.services.plan.scenario import ScenarioConfig
from computegrid.units import HOURS_PER_YEAR, KW_PER_MW, twh_to_mwh

#: The cases compared by a plan (the no-AI reference is solved besides them).
SCENARIOS = ("status-quo", "west-static", "grid-responsive", "co-optimised")
#: Rule-based cases and the placement rule each uses (``grid-responsive`` sites as ``status-quo``).
PLACEMENT_RULE = {"status-quo": "status-quo", "west-static": "west-static", "grid-responsive": "status-quo"}


@dataclass(frozen=True)
class PlanInputs:
    """Everything the solves need besides the network (validated)."""

    config: ScenarioConfig
    classes: tuple[LoadClass, ...]
    sites: pd.DataFrame  # index site: bus, pue, capacity_max_mw, capex_cny_per_mw_per_year, kind, side, lat/lon
    rtt_ms: pd.DataFrame  # origin x site
    demand_mw: pd.DataFrame  # class x origin (mean IT power)


def classes_from(config: ScenarioConfig) -> tuple[LoadClass, ...]:
    """LoadClass objects of a scenario, in file order."""
    measured = tuple(load_llm_hourly_profile()) if any(
        c.profile == "measured" for c in config.ai.classes.values()) else None
    return tuple(LoadClass(name, c.share_frac, c.rtt_max_ms, c.window, c.floor_frac, c.profile,
                           measured if c.profile == "measured" else None)
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
    sites["capex_cny_per_mw_per_year"] = site_capex_cny_per_mw_per_year(sites)
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


def _spec(inputs: PlanInputs, scenario: str, n):
    from computegrid.grid.coplan import CoplanSpec, snapshot_interval_h

    classes = inputs.classes
    fixed, extra = None, {}
    if scenario != "co-optimised":
        interval_h = snapshot_interval_h(n)
        peak = {c.name: float(class_profile_frac(c, n.snapshots, interval_h).max()) for c in classes}
        order = tuple(sorted(classes, key=lambda c: c.shiftable))
        fixed = place(PLACEMENT_RULE[scenario], order, inputs.demand_mw, inputs.rtt_ms, inputs.sites, peak)
        # today's operation: work with a daily window fills the online troughs at its site
        extra["valley_fill"] = tuple(c.name for c in classes if c.window == "day")
        classes = tuple(dataclasses.replace(c, window="hour", floor_frac=0.0) for c in classes)
        if scenario == "grid-responsive":
            gr = inputs.config.grid_responsive
            extra["curtail_max_frac"] = gr.curtailed_share_max_frac
            extra["curtail_cost_cny_per_mwh"] = curtailment_cost_cny_per_mwh(
                inputs.sites, gr.curtailment_cost_cny_per_mwh)
    return CoplanSpec(sites=inputs.sites, classes=classes, demand_mw=inputs.demand_mw, rtt_ms=inputs.rtt_ms,
                      voll_cny_per_mwh=inputs.config.costs.voll_cny_per_mwh, fixed_shares=fixed,
                      range_time_budget_s=inputs.config.degeneracy_time_budget_s, **extra)


def site_capex_cny_per_mw_per_year(sites: pd.DataFrame) -> pd.Series:
    """Annualised data-centre capex per MW of IT of each site, from its ``capex_annualised_cny_per_kw_it_yr``
    (``datasets/data/grid/sites.csv``, or a scenario's override): the plan's ``capex_cny_per_mw_per_year``.
    [CNY/MW/yr]"""
    return sites["capex_annualised_cny_per_kw_it_yr"].astype(float) * KW_PER_MW


def dc_capex_parts_cny_per_mw_per_year(sites: pd.DataFrame) -> pd.DataFrame:
    """Annualised data-centre capex per MW of IT, split into IT equipment and facility. [CNY/MW/yr]

    From the sites' overnight costs, lifetimes and discount rate (``datasets/data/grid/sites.csv``),
    each part annualised over its own lifetime, scaled so that the two add up to
    ``capex_cny_per_mw_per_year`` (which a scenario may override). Sites without the parts
    (hand-made tables) count all of it as IT.
    """
    from computegrid.datasets.grid import annuity_factor

    total = sites.capex_cny_per_mw_per_year.astype(float)
    parts = ("capex_it_cny_per_kw_it", "capex_facility_cny_per_kw_it", "lifetime_it_yr",
             "lifetime_facility_yr", "discount_rate_frac")
    if not all(c in sites.columns for c in parts):
        return pd.DataFrame({"it": total, "facility": 0.0 * total})
    r = sites.discount_rate_frac.astype(float)
    it = sites.capex_it_cny_per_kw_it.astype(float) * annuity_factor(r, sites.lifetime_it_yr.astype(float))
    fac = sites.capex_facility_cny_per_kw_it.astype(float) * annuity_factor(r, sites.lifetime_facility_yr.astype(float))
    it_frac = (it / (it + fac)).where(it + fac > 0, 1.0)
    return pd.DataFrame({"it": total * it_frac, "facility": total * (1.0 - it_frac)})


def curtailment_cost_cny_per_mwh(sites: pd.DataFrame, override: float | None = None) -> pd.Series:
    """Cost of one MWh of curtailed facility energy at each site. [CNY/MWh]

    The IT hardware annuity per MW of IT (:func:`dc_capex_parts_cny_per_mw_per_year`) per hour of
    the year, divided by the site's PUE: an hour of curtailed compute loses what the accelerators
    cost for that hour. With the packaged sites (250,000 CNY/kW of IT, 5 years, 7 %): 6,960 CNY per
    MWh of IT energy, 5,568 CNY per MWh of facility energy at PUE 1.25. ``override`` replaces it.
    """
    if override is not None:
        return pd.Series(float(override), index=sites.index, name="curtailment_cost_cny_per_mwh")
    it = dc_capex_parts_cny_per_mw_per_year(sites)["it"]
    return (it / HOURS_PER_YEAR / sites.pue.astype(float)).rename("curtailment_cost_cny_per_mwh")
