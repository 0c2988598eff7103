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

#: The three cases compared by a plan (the no-AI reference is solved besides them).
SCENARIOS = ("status-quo", "west-static", "co-optimised")


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
