"""Policy and cost settings of the capacity expansion and its policy constraints (``extra_functionality``).

Split from :mod:`computegrid.grid.capacity_expansion` (which re-exports these names) to keep each module
under 400 lines.
"""

from __future__ import annotations

from dataclasses import dataclass

import pypsa
import xarray as xr

from computegrid.datasets import expansion as xds
from computegrid.grid.carriers import VRE_CARRIERS

NON_FOSSIL_GENERATORS = ("nuclear", "hydro", "onwind", "offwind", "solar")
FOSSIL_GENERATORS = ("coal", "gas")


@dataclass(frozen=True)
class ExpansionParameters:
    """Policy and cost settings of the expansion; every default is cited or marked as an assumption.

    Attributes
    ----------
    co2_price_cny_per_t : float
        Carbon price added to coal and gas marginal costs. [CNY/tCO2]
    non_fossil_share_min_frac : float
        Minimum share of non-fossil generation (nuclear, hydro, wind, solar) in generation. [-]
    wind_solar_min_mw : float or None
        Minimum wind + solar capacity (existing + new); None: the trajectory of the target year,
        :func:`computegrid.datasets.expansion.wind_solar_floor_mw`. [MW]
    discount_rate_frac : float
        Real discount rate of the annuities. [-]
    line_length_factor : float
        Route length over great-circle distance of new corridors. [-]
    battery_max_hours : tuple
        Energy-to-power ratios of the extendable batteries. [h]
    gas_peaker_efficiency : float
        Net efficiency of new open-cycle gas turbines. [-]
    demand_case : str
        ``low``, ``central`` or ``high`` (:data:`computegrid.datasets.expansion.DEMAND_GROWTH_FRAC`).
    distributed_solar_add_mw_per_yr : float
        Distributed solar added each year after the base year (committed, not optimised). [MW/yr]
    battery_min_mw : float or None
        Minimum battery power in operation (existing + new); None: the target of the year,
        :func:`computegrid.datasets.expansion.battery_floor_mw`. [MW]
    wind_max_growth_mw_per_yr : float
        Most new wind (onshore + offshore) per year after the base year; 0 or less: no limit. [MW/yr]
    coal_min_load_scale : float
        Factor on the base network's coal minimum output (``p_min_pu``) in the target year. [-]
    """

    #: Issue 14 default; China's national ETS traded around 100 CNY/t in 2024 (Shanghai Environment and
    #: Energy Exchange, annual average about 98 CNY/t [secondary]).
    co2_price_cny_per_t: float = 100.0
    #: NDRC/NEA, 14th Five-Year Plan for a Modern Energy System (发改能源〔2022〕210号): non-fossil share of
    #: generation "about 39 %" by 2025; kept as the floor for 2025-2030 (no later generation target).
    non_fossil_share_min_frac: float = 0.39
    #: None: linear from the end-2024 stock (1,407 GW, NEA) to the 2035 NDC target of 3,600 GW: 2,603 GW in
    #: 2030 (:func:`computegrid.datasets.expansion.wind_solar_floor_mw`).
    wind_solar_min_mw: float | None = None
    discount_rate_frac: float = xds.DISCOUNT_RATE_FRAC
    #: PyPSA-China-PIK config ``lines: line_length_factor: 1.25``.
    line_length_factor: float = 1.25
    battery_max_hours: tuple = (2.0, 4.0)
    #: OCGT electrical efficiency 2030 of the cost table (Danish Energy Agency via PyPSA-China-PIK): 0.41.
    gas_peaker_efficiency: float = 0.41
    demand_case: str = "central"
    #: :data:`computegrid.datasets.expansion.DISTRIBUTED_SOLAR_ADD_MW_PER_YR` (NEA 2023-2024 mean).
    distributed_solar_add_mw_per_yr: float = xds.DISTRIBUTED_SOLAR_ADD_MW_PER_YR
    #: None: 180 GW from 2027 (NDRC/NEA 发改能源〔2025〕1144号), linear from end-2024's 73.76 GW before.
    battery_min_mw: float | None = None
    #: PyPSA-Eur's ``limit_max_growth``: 1.3 x the largest annual wind addition (79.82 GW in 2024, NEA).
    wind_max_growth_mw_per_yr: float = xds.MAX_GROWTH_FACTOR * xds.WIND_MAX_ANNUAL_ADDITION_MW
    #: Assumption: by 2030 the minimum stable load of the coal fleet falls from about 50 % of rating (the base
    #: network's assumption, grid/parameters.py ``coal_min_pu``) to 30 %: 0.30 / 0.50 = 0.6. The NDRC/NEA
    #: New-generation Coal Power Upgrade Action Plan 2025-2027 (People's Daily, 2025-04-19) sets a
    #: "deep-peaking minimum output" index (深度调峰最小出力; verified: People's Daily lists it among the
    #: plan's six regulation indices); the 30 % is recalled for retrofitted units and was not found in a
    #: retrieved source, so it stays an assumption. Without it the 2024 fleet's 40 % of capacity
    #: online at all hours (about 500 GW in 2030) left no room at noon for new solar (run of 2026-11-28).
    coal_min_load_scale: float = 0.6


DEFAULT_EXPANSION = ExpansionParameters()


def wind_solar_min_mw(params: ExpansionParameters, year: int | None) -> float:
    """The wind + solar floor of a target year: the parameter, else the trajectory (0 without a year). [MW]"""
    if params.wind_solar_min_mw is not None:
        return float(params.wind_solar_min_mw)
    return xds.wind_solar_floor_mw(year) if year is not None else 0.0


def battery_min_mw(params: ExpansionParameters, year: int | None) -> float:
    """The battery floor of a target year: the parameter, else the target (0 without a year). [MW]"""
    if params.battery_min_mw is not None:
        return float(params.battery_min_mw)
    return xds.battery_floor_mw(year) if year is not None else 0.0


def _capacity_limits(n: pypsa.Network, params: ExpansionParameters) -> None:
    """Battery floor and wind build-rate limit over the extendable units (years from ``n.meta``)."""
    m, meta = n.model, (getattr(n, "meta", None) or {})
    year, base = meta.get("expansion_year"), meta.get("base_year")
    su = n.storage_units
    bat = su.carrier == "battery"
    ext = list(su.index[bat & su.p_nom_extendable])
    need = battery_min_mw(params, year) - float(su.loc[bat & ~su.p_nom_extendable, "p_nom"].sum())
    if ext and need > 0:
        m.add_constraints(m["StorageUnit-p_nom"].sel(name=ext).sum() >= need, name="policy-battery-min")
    gens = n.generators
    wind = list(gens.index[gens.carrier.isin(("onwind", "offwind")) & gens.p_nom_extendable])
    if wind and params.wind_max_growth_mw_per_yr > 0 and year is not None and base is not None:
        cap = params.wind_max_growth_mw_per_yr * max(int(year) - int(base), 0)
        m.add_constraints(m["Generator-p_nom"].sel(name=wind).sum() <= cap, name="policy-wind-max-growth")


def policy_constraints(params: ExpansionParameters = DEFAULT_EXPANSION):
    """``extra_functionality`` adding the non-fossil share of generation, the wind + solar floor, the battery
    floor and the wind build-rate limit.

    Non-fossil generation counts nuclear, hydro (run-of-river generators and reservoir dispatch), wind and
    solar; the target year of the floors is ``n.meta["expansion_year"]`` (set by ``expand_network``).
    """

    def extra_functionality(n: pypsa.Network, snapshots) -> None:
        m = n.model
        w = xr.DataArray(n.snapshot_weightings.generators.loc[snapshots].to_numpy(),
                         coords={"snapshot": snapshots})
        gens, p = n.generators, m["Generator-p"]
        clean = list(gens.index[gens.carrier.isin(NON_FOSSIL_GENERATORS)])
        fossil = list(gens.index[gens.carrier.isin(FOSSIL_GENERATORS)])
        hydro = list(n.storage_units.index[n.storage_units.carrier == "hydro"])
        s = params.non_fossil_share_min_frac
        if s > 0 and fossil:
            clean_e = (p.sel(name=clean) * w).sum()
            if hydro:
                clean_e = clean_e + (m["StorageUnit-p_dispatch"].sel(name=hydro) * w).sum()
            fossil_e = (p.sel(name=fossil) * w).sum()
            m.add_constraints((1 - s) * clean_e - s * fossil_e >= 0, name="policy-non-fossil-share")
        vre = gens.carrier.isin(VRE_CARRIERS)
        ext = list(gens.index[vre & gens.p_nom_extendable])
        fixed = float(gens.loc[vre & ~gens.p_nom_extendable, "p_nom"].sum())
        floor = wind_solar_min_mw(params, (getattr(n, "meta", None) or {}).get("expansion_year"))
        if ext and floor > fixed:
            m.add_constraints(m["Generator-p_nom"].sel(name=ext).sum() >= floor - fixed,
                              name="policy-wind-solar-min")
        _capacity_limits(n, params)

    return extra_functionality
