"""The typed summary of a plan: the one definition of its figures, their labels and units.

:class:`ScenarioSummary` holds the figures of one solved case and :class:`ReferenceSummary` those of
the no-AI reference; their fields are the keys of ``summary.json`` (``scenarios.<case>`` and
``reference_no_ai``). :data:`HEADLINE_FIGURES` are the figures shown side by side, with label, unit
and display scale: the CLI table (``computegrid plan``), the HTML report, ``runs compare``, the API
(``GET /v1/plans/{id}``: ``figures``) and the dashboard all take them from here.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from computegrid.demand.ai_load import EASTERN_PROVINCES
from computegrid.services.plan.inputs import PlanInputs
from computegrid.units import mwh_to_twh, t_to_mt, twh_to_mwh


@dataclass(frozen=True)
class Figure:
    """One headline figure of a plan.

    Attributes
    ----------
    key : str
        Field of :class:`ScenarioSummary` (key in ``summary.json``).
    label : str
        What it is, in words.
    unit : str
        Unit of the displayed value.
    scale : float
        Displayed value = summary value x scale (e.g. 1e-9 for CNY -> bn CNY).
    short : str, optional
        Shorter label for a row shown under the figure it refines (CLI table).
    compared : bool
        Shown by ``runs compare``.
    """

    key: str
    label: str
    unit: str
    scale: float = 1.0
    short: str | None = None
    compared: bool = True

    @property
    def title(self) -> str:
        """Label with its unit, e.g. ``"CO2 [Mt/yr]"``."""
        return f"{self.label} [{self.unit}]"

    def value(self, scenario: dict) -> float | None:
        """Displayed value of this figure in one scenario's summary (None where absent)."""
        v = scenario.get(self.key)
        return None if v is None else v * self.scale


#: The headline figures of a plan, in the order they are shown: the grid-side value first, the
#: data-centre utilisation effect separately.
HEADLINE_FIGURES = (
    Figure("grid_value_vs_status_quo_cny_per_year", "grid-side value vs status-quo", "bn CNY/yr", 1e-9),
    Figure("grid_value_pue_cny_per_year", "of which: lower PUE at the sites", "bn CNY/yr", 1e-9,
           short="of which: lower PUE"),
    Figure("grid_value_unserved_cny_per_year", "of which: less unserved or curtailed work", "bn CNY/yr", 1e-9,
           short="of which: less unserved work"),
    Figure("grid_value_siting_timing_cny_per_year", "of which: where and when AI draws power", "bn CNY/yr",
           1e-9, short="of which: siting and timing"),
    Figure("dc_capex_saving_vs_status_quo_cny_per_year", "data-centre capex saved vs status-quo (utilisation)",
           "bn CNY/yr", 1e-9),
    Figure("system_cost_cny_per_year", "system cost", "bn CNY/yr", 1e-9),
    Figure("emissions_mt_co2_per_year", "CO2", "Mt/yr"),
    Figure("curtailment_twh_per_year", "wind+solar curtailment", "TWh/yr"),
    Figure("curtailment_no_ai_twh_per_year", "wind+solar curtailment without AI load", "TWh/yr",
           short="without AI load", compared=False),
    Figure("curtailment_no_ai_frac", "share of available wind+solar curtailed without AI load", "-",
           short="without AI load, share of available", compared=False),
    Figure("ai_energy_twh_per_year", "AI facility energy", "TWh/yr"),
    Figure("ai_energy_west_frac", "AI energy at western clusters", "-"),
    Figure("ai_energy_from_curtailment_frac", "AI energy from otherwise-curtailed power", "-"),
    Figure("dc_capacity_total_mw", "IT capacity built", "GW", 1e-3),
    Figure("peak_net_load_east_mw", "peak net load, eastern provinces", "GW", 1e-3),
    Figure("unserved_energy_twh_per_year", "unserved energy", "TWh/yr"),
    Figure("latency_compliance_frac", "latency compliance", "-"),
)


class _Record:
    def to_dict(self) -> dict:
        """The record as ``summary.json`` holds it (field names are the keys)."""
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class ReferenceSummary(_Record):
    """Figures of the no-AI reference (``summary.json``: ``reference_no_ai``), annualised."""

    system_cost_cny_per_year: float
    curtailment_twh_per_year: float
    emissions_mt_co2_per_year: float
    unserved_energy_twh_per_year: float
    peak_net_load_east_mw: float
    curtailment_frac: float = float("nan")
    cost_breakdown_cny_per_year: dict = dataclasses.field(default_factory=dict)
    #: ``expand``: generation, storage and transmission built, by carrier (empty on a fixed grid) [MW]
    grid_capacity_built_mw: dict = dataclasses.field(default_factory=dict)


@dataclass(frozen=True)
class ScenarioSummary(_Record):
    """Figures of one solved case (``summary.json``: ``scenarios.<case>``), annualised.

    Energies [TWh/yr], emissions [Mt/yr], costs [CNY/yr], capacities and power [MW], prices
    [CNY/MWh], shares [-]; ``solver_rel_gap`` is HiGHS' relative objective error (None if unknown).
    """

    system_cost_cny_per_year: float
    emissions_mt_co2_per_year: float
    curtailment_twh_per_year: float
    curtailment_no_ai_twh_per_year: float
    curtailment_absorbed_twh_per_year: float
    ai_energy_twh_per_year: float
    ai_it_energy_twh_per_year: float
    ai_energy_by_site_twh_per_year: dict
    ai_energy_by_class_twh_per_year: dict
    ai_energy_by_site_and_class_twh_per_year: dict
    ai_energy_west_frac: float
    ai_energy_from_curtailment_frac: float
    unserved_energy_twh_per_year: float
    unserved_grid_energy_twh_per_year: float
    unserved_ai_it_energy_twh_per_year: float
    latency_compliance_frac: float
    solver_rel_gap: float | None
    dc_capacity_by_site_mw: dict
    dc_capacity_total_mw: float
    dc_capex_cny_per_year: float
    peak_net_load_east_mw: float
    peak_net_load_east_no_ai_mw: float
    marginal_price_at_sites_cny_per_mwh: dict
    mean_price_at_sites_cny_per_mwh: dict
    curtailment_no_ai_frac: float = float("nan")
    ai_curtailed_energy_twh_per_year: float = 0.0
    #: cost terms that add up to ``system_cost_cny_per_year`` (keys ``COST_KEYS``) [CNY/yr]
    cost_breakdown_cny_per_year: dict = dataclasses.field(default_factory=dict)
    #: status-quo's cost without IT and facility capex minus this case's (positive: cheaper) [CNY/yr]
    grid_value_vs_status_quo_cny_per_year: float | None = None
    #: status-quo's IT and facility capex minus this case's: the utilisation of the hardware [CNY/yr]
    dc_capex_saving_vs_status_quo_cny_per_year: float | None = None
    #: IT energy per site [TWh/yr] (the PUE part of the grid-side value needs it)
    ai_it_energy_by_site_twh_per_year: dict = dataclasses.field(default_factory=dict)
    #: parts of ``grid_value_vs_status_quo_cny_per_year`` (:func:`add_status_quo_differences`) [CNY/yr]
    grid_value_pue_cny_per_year: float | None = None
    grid_value_unserved_cny_per_year: float | None = None
    grid_value_siting_timing_cny_per_year: float | None = None
    #: ``expand``: generation, storage and transmission built, by carrier (empty on a fixed grid) [MW]
    grid_capacity_built_mw: dict = dataclasses.field(default_factory=dict)


def reference_summary(ref, carbon_price_cny_per_t: float = 0.0) -> ReferenceSummary:
    """Figures of the solved no-AI reference network."""
    from computegrid.grid import coplan_results as cr
    from computegrid.grid import results as R

    f = R.annual_factor(ref)
    g = cr.grid_cost_breakdown_cny(ref, carbon_price_cny_per_t)
    breakdown = {k: (g[k] * f if k in g else 0.0) for k in cr.COST_KEYS}
    return ReferenceSummary(
        system_cost_cny_per_year=float(ref.objective * f),
        curtailment_twh_per_year=mwh_to_twh(R.curtailment_mwh(ref).sum() * f),
        emissions_mt_co2_per_year=t_to_mt(R.emissions_t(ref) * f),
        unserved_energy_twh_per_year=mwh_to_twh(R.unserved_energy_mwh(ref) * f),
        peak_net_load_east_mw=cr.peak_net_load_mw(ref, EASTERN_PROVINCES),
        curtailment_frac=vre_curtailment_frac(ref),
        cost_breakdown_cny_per_year=breakdown, grid_capacity_built_mw=cr.capacity_built_mw(ref))


def vre_curtailment_frac(n) -> float:
    """Curtailed over available wind and solar energy of a solved network. [-]"""
    from computegrid.grid import results as R
    from computegrid.grid.carriers import VRE_CARRIERS

    tab = R.curtailment_by_carrier(n).reindex(list(VRE_CARRIERS)).dropna(subset=["available_twh"])
    avail = float(tab.available_twh.sum())
    return float(tab.curtailed_twh.sum() / avail) if avail > 0 else 0.0


def cost_breakdown_cny_per_year(inputs: PlanInputs, n, res) -> dict:
    """Annual cost of one solved case by term (:data:`~computegrid.grid.coplan_results.COST_KEYS`),
    each computed from the solution, not as a residual. [CNY/yr]

    ``it_capex`` and ``facility_capex``: IT capacity per site x its annualised parts
    (:func:`~computegrid.services.plan.inputs.dc_capex_parts_cny_per_mw_per_year`); grid capex, fuel,
    carbon and grid shedding from the network
    (:func:`~computegrid.grid.coplan_results.grid_cost_breakdown_cny`); ``unserved`` adds the
    unserved AI work at the value of lost load and, for ``grid-responsive``, the curtailed compute
    at its cost per MWh.
    """
    from computegrid.grid import coplan_results as cr
    from computegrid.grid import results as R
    from computegrid.services.plan.inputs import curtailment_cost_cny_per_mwh, dc_capex_parts_cny_per_mw_per_year

    f = R.annual_factor(n)
    config = inputs.config
    g = cr.grid_cost_breakdown_cny(n, config.costs.carbon_price_cny_per_t)
    parts = dc_capex_parts_cny_per_mw_per_year(inputs.sites)
    cap = res.capacity_it_mw.reindex(inputs.sites.index).fillna(0.0)
    out = {"it_capex": float((cap * parts["it"]).sum()), "facility_capex": float((cap * parts["facility"]).sum())}
    for k in ("generation_capex", "storage_capex", "transmission_capex", "fuel", "carbon"):
        out[k] = g[k] * f
    unserved = g["unserved"] + res.unserved_ai_it_mwh * config.costs.voll_cny_per_mwh
    if not res.curtailed_facility_mw.empty:
        cost = curtailment_cost_cny_per_mwh(inputs.sites, config.grid_responsive.curtailment_cost_cny_per_mwh)
        mwh = res.curtailed_facility_mw.mul(R.snapshot_hours(n), axis=0).sum()
        unserved += float((mwh * cost.reindex(mwh.index)).sum())
    out["unserved"] = unserved * f
    return {k: float(out[k]) for k in cr.COST_KEYS}


def _facility_energy_mwh(inputs: PlanInputs, n, res) -> tuple[pd.Series, pd.Series]:
    """Facility energy per (class, site) and IT energy per (class, site) over the horizon. [MWh]"""
    from computegrid.grid import results as R

    w = R.snapshot_hours(n)
    it_mwh = res.site_load_it_mw.mul(w.to_numpy(), axis=1).sum(axis=1)
    pue = inputs.sites.pue.astype(float)
    return it_mwh * pue.reindex(it_mwh.index.get_level_values("site")).to_numpy(), it_mwh


def latency_compliance_frac(inputs: PlanInputs, res) -> float:
    """Share of served AI energy within its class's latency limit, every served pair's RTT
    recomputed from coordinates, independently of the LP. [-]"""
    from computegrid.datasets.grid import load_provinces
    from computegrid.facility.latency import latency_matrix_ms

    pairs = res.pairs[(res.pairs.share > 1e-9) & ~res.pairs.probe]
    if not len(pairs):
        return 1.0
    origins = pairs[pairs.origin != "*"]
    limit = {c.name: c.rtt_max_ms for c in inputs.classes}
    prov = load_provinces()
    known = origins.origin.isin(prov.index)
    rtt = latency_matrix_ms(prov.loc[origins.origin[known].unique()], inputs.sites,
                            route_factor=inputs.config.latency.route_factor,
                            equipment_ms=inputs.config.latency.equipment_ms) if known.any() else None
    ok_energy = total_energy = 0.0
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
    return float(ok_energy / total_energy) if total_energy > 0 else 1.0


def _site_prices(inputs: PlanInputs, n) -> tuple[pd.Series, pd.Series]:
    """Price at each site's bus weighted by its data centre's draw, and the time-weighted mean. [CNY/MWh]"""
    from computegrid.grid import coplan_results as cr
    from computegrid.grid import results as R

    w = R.snapshot_hours(n)
    sites = inputs.sites
    site_price = R.marginal_prices_cny_per_mwh(n).reindex(columns=sites.bus.to_numpy())
    site_price.columns = sites.index
    dc = cr.dc_consumption_mw(n)
    dc.columns = [c.removeprefix("dc ") for c in dc.columns]
    dc = dc.reindex(columns=sites.index, fill_value=0.0)
    weighted = (site_price * dc.mul(w, axis=0)).sum() / dc.mul(w, axis=0).sum().replace(0, np.nan)
    return weighted, site_price.mul(w, axis=0).sum().div(w.sum())


def scenario_summary(inputs: PlanInputs, n, res, ref) -> ScenarioSummary:
    """Figures of one solved case ``n`` (AI results ``res``) against the no-AI reference ``ref``."""
    from computegrid.grid import coplan_results as cr
    from computegrid.grid import results as R

    f = R.annual_factor(n)
    sites = inputs.sites
    fac_mwh, it_mwh = _facility_energy_mwh(inputs, n, res)
    by_site = fac_mwh.groupby(level="site").sum().reindex(sites.index, fill_value=0.0)
    by_class = fac_mwh.groupby(level="class").sum()
    ai_twh = mwh_to_twh(fac_mwh.sum() * f)
    curt_ref = mwh_to_twh(R.curtailment_mwh(ref).sum() * R.annual_factor(ref))
    curt = mwh_to_twh(R.curtailment_mwh(n).sum() * f)
    absorbed = curt_ref - curt
    weighted, mean_price = _site_prices(inputs, n)
    shed_twh = mwh_to_twh(R.unserved_energy_mwh(n) * f)
    ai_unserved_twh = mwh_to_twh(res.unserved_ai_it_mwh * f)
    return ScenarioSummary(
        system_cost_cny_per_year=float(res.objective_cny * f),
        emissions_mt_co2_per_year=t_to_mt(R.emissions_t(n) * f),
        curtailment_twh_per_year=curt,
        curtailment_no_ai_twh_per_year=curt_ref,
        curtailment_absorbed_twh_per_year=absorbed,
        ai_energy_twh_per_year=ai_twh,
        ai_it_energy_twh_per_year=mwh_to_twh(it_mwh.sum() * f),
        ai_energy_by_site_twh_per_year={s: mwh_to_twh(v * f) for s, v in by_site.items()},
        ai_energy_by_class_twh_per_year={c: mwh_to_twh(v * f) for c, v in by_class.items()},
        ai_energy_by_site_and_class_twh_per_year={
            s: {c: mwh_to_twh(v * f) for (c, s2), v in fac_mwh.items() if s2 == s} for s in sites.index},
        ai_energy_west_frac=float(by_site[sites.side == "west"].sum() / by_site.sum()) if by_site.sum() > 0 else 0.0,
        ai_energy_from_curtailment_frac=float(np.clip(absorbed / ai_twh, 0.0, 1.0)) if ai_twh > 0 else 0.0,
        unserved_energy_twh_per_year=shed_twh + ai_unserved_twh,
        unserved_grid_energy_twh_per_year=shed_twh,
        unserved_ai_it_energy_twh_per_year=ai_unserved_twh,
        latency_compliance_frac=latency_compliance_frac(inputs, res),
        solver_rel_gap=None if np.isnan(res.rel_gap) else res.rel_gap,
        dc_capacity_by_site_mw={s: float(v) for s, v in res.capacity_it_mw.items()},
        dc_capacity_total_mw=float(res.capacity_it_mw.sum()),
        dc_capex_cny_per_year=float((res.capacity_it_mw * sites.capex_cny_per_mw_per_year.astype(float)).sum()),
        peak_net_load_east_mw=cr.peak_net_load_mw(n, EASTERN_PROVINCES),
        peak_net_load_east_no_ai_mw=cr.peak_net_load_mw(ref, EASTERN_PROVINCES),
        marginal_price_at_sites_cny_per_mwh={s: (None if pd.isna(v) else float(v)) for s, v in weighted.items()},
        mean_price_at_sites_cny_per_mwh={s: float(v) for s, v in mean_price.items()},
        curtailment_no_ai_frac=vre_curtailment_frac(ref),
        ai_curtailed_energy_twh_per_year=mwh_to_twh(
            float(res.curtailed_facility_mw.mul(R.snapshot_hours(n), axis=0).sum().sum()) * f)
        if not res.curtailed_facility_mw.empty else 0.0,
        cost_breakdown_cny_per_year=cost_breakdown_cny_per_year(inputs, n, res),
        grid_capacity_built_mw=cr.capacity_built_mw(n),
        ai_it_energy_by_site_twh_per_year={
            s: mwh_to_twh(v * f) for s, v in it_mwh.groupby(level="site").sum().reindex(sites.index,
                                                                                          fill_value=0.0).items()},
    )


def add_status_quo_differences(scenarios: dict) -> None:
    """Fill the differences to status-quo of every case's summary dict (in place). [CNY/yr]

    * ``grid_value_vs_status_quo_cny_per_year``: status-quo's cost without IT and facility capex
      minus this case's;
    * ``dc_capex_saving_vs_status_quo_cny_per_year``: status-quo's IT and facility capex minus this
      case's (the utilisation of the hardware);
    * the grid-side value split in three:

      - ``grid_value_pue_cny_per_year``: the facility energy the case saves by its sites' PUE,
        valued at status-quo's prices at those sites (:func:`_status_quo_site_prices`): the excess
        overhead of status-quo minus the case's, where a case's excess overhead is the sum over sites
        of IT energy x (PUE_site - PUE_ref) x price and PUE_ref is status-quo's energy-weighted PUE.
        Each site has one price, the same in both excess overheads, but not of one kind at every site:
        at a site where status-quo draws, the price weighted by status-quo's draw there; at a site
        where it draws nothing (no draw to weight by), the time-weighted mean price at the site's bus.
        Zero for status-quo itself; a first-order estimate. At status-quo's prices (not the case's
        own) the part is a building effect only: that the moved load also meets cheaper hours is left
        to the siting and timing part;
      - ``grid_value_unserved_cny_per_year``: the ``unserved`` cost term of status-quo minus this
        case's (unserved grid load and AI work at the value of lost load, curtailed compute);
      - ``grid_value_siting_timing_cny_per_year``: the rest, i.e. the value of where and when the AI
        load draws power (fuel, carbon and grid capex).
    """
    sq = scenarios.get("status-quo")
    if sq is None:
        return

    def split(s):
        b = s["cost_breakdown_cny_per_year"]
        dc = b["it_capex"] + b["facility_capex"]
        return sum(b.values()) - dc, dc

    grid_sq, dc_sq = split(sq)

    prices = _status_quo_site_prices(sq)

    def excess_overhead(s):
        total = 0.0
        for site, it_twh in s.get("ai_it_energy_by_site_twh_per_year", {}).items():
            price = prices.get(site)
            if it_twh > 0 and price is not None:
                pue_site = s["ai_energy_by_site_twh_per_year"][site] / it_twh
                total += twh_to_mwh(it_twh) * (pue_site - pue_ref) * price
        return total

    pue_ref = sq["ai_energy_twh_per_year"] / sq["ai_it_energy_twh_per_year"] if sq["ai_it_energy_twh_per_year"] else 1.0
    excess_sq = excess_overhead(sq)
    for s in scenarios.values():
        grid, dc = split(s)
        s["grid_value_vs_status_quo_cny_per_year"] = grid_sq - grid
        s["dc_capex_saving_vs_status_quo_cny_per_year"] = dc_sq - dc
        pue_value = excess_sq - excess_overhead(s)
        unserved = sq["cost_breakdown_cny_per_year"]["unserved"] - s["cost_breakdown_cny_per_year"]["unserved"]
        s["grid_value_pue_cny_per_year"] = pue_value
        s["grid_value_unserved_cny_per_year"] = unserved
        s["grid_value_siting_timing_cny_per_year"] = grid_sq - grid - pue_value - unserved


def _status_quo_site_prices(sq: dict) -> dict:
    """Status-quo's price at each site: the price weighted by its data centre's draw where status-quo
    draws there, else the time-weighted mean price at the site's bus. [CNY/MWh]"""
    out = {k: v for k, v in sq.get("mean_price_at_sites_cny_per_mwh", {}).items() if v is not None}
    out.update({k: v for k, v in sq.get("marginal_price_at_sites_cny_per_mwh", {}).items() if v is not None})
    return out
