"""Hourly inputs of the grid model before time aggregation: fleet, calibrated availability, must-run, inflow.

Split from :mod:`computegrid.grid.network` (which re-exports these names); the base year (2020 or 2024)
selects the fleet, the demand of that year and the calibration targets.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from computegrid.datasets import grid as ds
from computegrid.datasets.grid_base_year import load_fleet_mw
from computegrid.grid.parameters import DEFAULT_PARAMETERS, GridParameters
from computegrid.supply.calibration import (
    available_hours_target_h,
    scale_to_full_load_hours,
    scale_to_national_hours,
)


@dataclass(frozen=True)
class HourlyInputs:
    """Hourly inputs of the model before time aggregation (8,760 steps, Beijing time).

    Attributes
    ----------
    demand_mw : DataFrame  ``timestamp x province`` [MW]
    p_max_pu : DataFrame   ``timestamp x generator name`` availability of wind/solar/nuclear [p.u.]
    p_min_pu : DataFrame   ``timestamp x generator name`` must-run of coal/nuclear [p.u.]
    hydro_inflow_mw : DataFrame ``timestamp x storage unit name`` natural inflow [MW]
    capacity_mw : DataFrame province x carrier capacities used [MW]
    """

    demand_mw: pd.DataFrame
    p_max_pu: pd.DataFrame
    p_min_pu: pd.DataFrame
    hydro_inflow_mw: pd.DataFrame
    capacity_mw: pd.DataFrame


def model_capacity_mw(year: int = 2020, params: GridParameters = DEFAULT_PARAMETERS, *,
                      base_year: int = 2020, fleet: pd.DataFrame | None = None) -> pd.DataFrame:
    """Capacities of the model fleet by province and carrier.

    Parameters
    ----------
    year : int
        Target year; in the base year itself wind and solar count only the capacity that ran through the
        year (``*_year_average_frac``), other years take the base year's year-end stock.
    params : GridParameters
    base_year : {2020, 2024}
        Fleet: the 2020 stock or the end-2024 fleet (:mod:`computegrid.datasets.grid_base_year`).
    fleet : DataFrame, optional
        A fleet table in the columns of :func:`computegrid.datasets.grid_base_year.load_fleet_mw`
        (e.g. from :func:`~computegrid.io.fleet_file.read_user_fleet`). [MW]

    Returns
    -------
    pandas.DataFrame
        ``province x carrier`` (coal, coal_chp, coal_captive, gas, nuclear, hydro, onwind, offwind, solar,
        PHS, battery); ``coal_chp`` and ``coal_captive`` are parts of ``coal``.
        [MW]
    """
    raw = load_fleet_mw(base_year) if fleet is None else fleet
    cap = pd.DataFrame(index=raw.index)
    coal_total = raw["coal_mw"] + raw["coal_chp_mw"]
    coal_scale = (params.coal_capacity_mw / coal_total.sum()) if params.coal_capacity_mw else 1.0
    cap["coal"] = coal_total * coal_scale
    cap["coal_chp"] = raw["coal_chp_mw"] * coal_scale
    cap["coal_captive"] = (raw["coal_captive_mw"] if "coal_captive_mw" in raw else 0.0) * coal_scale
    gas_scale = (params.gas_capacity_mw / raw["gas_mw"].sum()) if params.gas_capacity_mw else 1.0
    cap["gas"] = raw["gas_mw"] * gas_scale
    nuc_scale = (params.nuclear_capacity_mw / raw["nuclear_mw"].sum()) if params.nuclear_capacity_mw else 1.0
    cap["nuclear"] = raw["nuclear_mw"] * nuc_scale
    cap["hydro"] = raw["hydro_mw"]
    wind_f = params.wind_year_average_frac if year == base_year else 1.0
    solar_f = params.solar_year_average_frac if year == base_year else 1.0
    cap["onwind"] = raw["onwind_mw"] * wind_f
    cap["offwind"] = raw["offwind_mw"] * wind_f
    cap["solar"] = raw["solar_mw"] * solar_f
    cap["PHS"] = raw["phs_mw"]
    cap["battery"] = raw["battery_mw"]
    return cap


def calibrated_profiles(params: GridParameters = DEFAULT_PARAMETERS,
                        capacity_mw: pd.DataFrame | None = None) -> pd.DataFrame:
    """Wind and solar availability calibrated to realised full-load hours of each province.

    Target available hours = realised hours / (1 - national curtailment), per province; onshore and
    offshore wind share the province's wind target (the statistic covers both). Realised hours are the
    2020 provincial statistics; where ``params`` sets a national figure (``wind_full_load_hours_h``,
    ``solar_full_load_hours_h``: the 2024 base year, no provincial 2024 table bundled) they are scaled by
    one factor so that their capacity-weighted mean over ``capacity_mw`` equals it.

    Returns
    -------
    pandas.DataFrame
        ``timestamp x (carrier, province)``. [p.u.]
    """
    prof = ds.load_renewable_profiles()
    flh = ds.load_full_load_hours()
    wind_h, solar_h = flh["wind_full_load_hours_h"], flh["solar_full_load_hours_h"]
    if capacity_mw is not None:
        wind_cap = (capacity_mw["onwind"] + capacity_mw["offwind"]).reindex(flh.index).fillna(0.0)
        solar_cap = capacity_mw["solar"].reindex(flh.index).fillna(0.0)
        wind_h = scale_to_national_hours(wind_h, wind_cap, params.wind_full_load_hours_h)
        solar_h = scale_to_national_hours(solar_h, solar_cap, params.solar_full_load_hours_h)
    wind_t = pd.Series(available_hours_target_h(wind_h, params.wind_curtailment_frac), index=flh.index)
    solar_t = pd.Series(available_hours_target_h(solar_h, params.solar_curtailment_frac), index=flh.index)
    out = {}
    for carrier, prov in prof.columns:
        target = (solar_t if carrier == "solar" else wind_t)[prov]
        out[(carrier, prov)] = scale_to_full_load_hours(prof[(carrier, prov)].to_numpy(), float(target))
    return pd.DataFrame(out, index=prof.index).rename_axis(columns=["carrier", "province"])


def _heating_season(index: pd.DatetimeIndex) -> np.ndarray:
    md = index.month * 100 + index.day
    return (md >= 1115) | (md < 315)


def hydro_inflow_pu(index: pd.DatetimeIndex, params: GridParameters = DEFAULT_PARAMETERS) -> np.ndarray:
    """Seasonal natural inflow of conventional hydro per MW of capacity.

    A monthly cosine peaking in August with amplitude ``hydro_seasonal_amplitude``, normalised so that the
    year holds ``hydro_full_load_hours_h`` full-load hours.

    Returns
    -------
    numpy.ndarray
        One value per step of ``index``. [p.u.]
    """
    shape = 1.0 + params.hydro_seasonal_amplitude * np.cos(2 * np.pi * (index.month.to_numpy() - 8) / 12)
    return shape / shape.sum() * params.hydro_full_load_hours_h


def hourly_inputs(year: int = 2020, params: GridParameters = DEFAULT_PARAMETERS,
                  calibrate: bool = True, inflexibility: bool = True, *, base_year: int = 2020,
                  fleet: pd.DataFrame | None = None) -> HourlyInputs:
    """Hourly demand, availability, must-run and inflow of the model (before time aggregation).

    Parameters
    ----------
    year : int
        Demand year, 2020..2060 (provincial annual demand of pypsa-china-pik).
    params : GridParameters
    calibrate : bool, default True
        Scale wind and solar profiles to the realised 2020 full-load hours (else raw atlite profiles).
    inflexibility : bool, default True
        Coal minimum load, CHP must-run in the northern heating season, nuclear flat.
    base_year, fleet
        See :func:`model_capacity_mw`; in the base year 2024 demand is the 2024 provincial consumption.

    Returns
    -------
    HourlyInputs
    """
    demand = base_year_demand_mw(year, base_year)
    index = demand.index
    cap = model_capacity_mw(year, params, base_year=base_year, fleet=fleet)
    prof = calibrated_profiles(params, cap) if calibrate else ds.load_renewable_profiles()
    pmax, pmin = {}, {}
    for carrier, prov in prof.columns:
        pmax[f"{prov} {carrier}"] = prof[(carrier, prov)].to_numpy()
    heating = _heating_season(index)
    for prov in cap.index:
        if cap.at[prov, "nuclear"] > 0:
            pmax[f"{prov} nuclear"] = np.full(len(index), params.nuclear_pu)
            if inflexibility:
                pmin[f"{prov} nuclear"] = np.full(len(index), params.nuclear_pu)
        if inflexibility and cap.at[prov, "coal"] > 0:
            chp = cap.at[prov, "coal_chp"]
            cond = cap.at[prov, "coal"] - chp
            winter = params.chp_winter_min_pu if prov in params.heating_provinces else params.coal_min_pu
            must = np.where(heating, cond * params.coal_min_pu + chp * max(winter, params.coal_min_pu),
                            cap.at[prov, "coal"] * params.coal_min_pu)
            if params.captive_coal_min_pu is not None:
                # captive units (a share f of the fleet, CHP or not) at their own minimum all year
                f = min(cap.at[prov, "coal_captive"] / cap.at[prov, "coal"], 1.0)  # a user fleet may cut coal
                must = (1 - f) * must + f * cap.at[prov, "coal"] * params.captive_coal_min_pu
            pmin[f"{prov} coal"] = must / cap.at[prov, "coal"]
        if inflexibility and cap.at[prov, "gas"] > 0:
            winter = params.chp_winter_min_pu if prov in params.heating_provinces else params.gas_min_pu
            pmin[f"{prov} gas"] = np.where(heating, max(winter, params.gas_min_pu), params.gas_min_pu)
    k = params.hydro_run_of_river_frac if inflexibility else 0.0
    inflow_pu = hydro_inflow_pu(index, params)
    if pmin:
        _cap_must_run(pmin, cap, demand, params, ror_mw=inflow_pu[:, None] * cap["hydro"].to_numpy() * k)
    inflow = {f"{p} hydro": (1.0 - k) * inflow_pu * cap.at[p, "hydro"] for p in cap.index
              if cap.at[p, "hydro"] > 0}
    if k > 0:
        # run-of-river share of the inflow: generated as it arrives (p.u. of the "ror" capacity k x hydro)
        for p in cap.index[cap["hydro"] > 0]:
            pmax[f"{p} ror"] = inflow_pu
            pmin[f"{p} ror"] = inflow_pu
    return HourlyInputs(demand_mw=demand, p_max_pu=pd.DataFrame(pmax, index=index),
                        p_min_pu=pd.DataFrame(pmin, index=index),
                        hydro_inflow_mw=pd.DataFrame(inflow, index=index), capacity_mw=cap)


def coal_must_run_parts_pu(cap: pd.DataFrame, index: pd.DatetimeIndex,
                           params: GridParameters = DEFAULT_PARAMETERS) -> dict[str, pd.DataFrame]:
    """The coal must-run of :func:`hourly_inputs` split by who holds it, before the demand cap.

    * ``condensing``: non-captive units held at the fleet minimum ``coal_min_pu`` by the grid's dispatch
      (condensing units, and CHP units outside their heating season);
    * ``chp``: non-captive CHP units of the heating provinces at their heat-led minimum in the heating
      season (15 Nov - 15 Mar);
    * ``captive``: captive (industry-owned) units at ``captive_coal_min_pu`` all year (zero where that
      parameter is None).

    Their sum is the coal ``p_min_pu`` of :func:`hourly_inputs` where the demand cap does not bind.

    Parameters
    ----------
    cap : DataFrame
        ``province x carrier`` capacities of :func:`model_capacity_mw`. [MW]
    index : DatetimeIndex
        Timestamps (hourly or the snapshots of a network); only their calendar day is used.
    params : GridParameters

    Returns
    -------
    dict of str to DataFrame
        ``timestamp x "<province> coal"`` for each part. [p.u. of the province's coal capacity]
    """
    coal = cap.index[cap["coal"] > 0]
    heating = _heating_season(pd.DatetimeIndex(index))[:, None]
    total = cap.loc[coal, "coal"].to_numpy()
    chp_share = (cap.loc[coal, "coal_chp"].to_numpy() / total)[None, :]
    heat_prov = np.isin(coal, params.heating_provinces)[None, :]
    in_heat = heating & heat_prov
    if params.captive_coal_min_pu is None:
        f = np.zeros((1, len(coal)))
    else:
        f = np.minimum(cap.loc[coal, "coal_captive"].to_numpy() / total, 1.0)[None, :]
    winter = max(params.chp_winter_min_pu, params.coal_min_pu)
    parts = {
        "condensing": (1 - f) * params.coal_min_pu * np.where(in_heat, 1 - chp_share, 1.0),
        "chp": (1 - f) * np.where(in_heat, chp_share * winter, 0.0),
        "captive": np.broadcast_to(f * (params.captive_coal_min_pu or 0.0), (len(index), len(coal))),
    }
    cols = [f"{p} coal" for p in coal]
    return {k: pd.DataFrame(v, index=index, columns=cols) for k, v in parts.items()}


def _cap_must_run(pmin: dict, cap: pd.DataFrame, demand: pd.DataFrame, params: GridParameters,
                  ror_mw: np.ndarray) -> None:
    """Must-run never exceeds a share of local demand (in place): operators dispatch CHP and coal down
    before that (assumption: ``must_run_max_demand_frac``); coal must-run is cut first, then gas; nuclear
    and run-of-river hydro (``ror_mw``, ``time x province`` [MW]) are kept."""
    cap_mw = {name: cap.at[name.split(" ")[0], name.split(" ")[1]] for name in pmin}
    for i, prov in enumerate(cap.index):
        coal, nuc, gas = f"{prov} coal", f"{prov} nuclear", f"{prov} gas"
        limit = demand[prov].to_numpy() * params.must_run_max_demand_frac
        nuc_mw = pmin[nuc] * cap_mw[nuc] if nuc in pmin else 0.0
        room = np.maximum(limit - nuc_mw - ror_mw[:, i], 0.0)
        if gas in pmin:
            gas_mw = np.minimum(pmin[gas] * cap_mw[gas], room)
            pmin[gas] = gas_mw / cap_mw[gas]
            room = room - gas_mw
        if coal in pmin:
            coal_mw = np.minimum(pmin[coal] * cap_mw[coal], room)
            pmin[coal] = coal_mw / cap_mw[coal]


def base_year_demand_mw(year: int, base_year: int = 2020) -> pd.DataFrame:
    """Hourly demand of the year: the 2024 provincial consumption in the base year 2024, else the
    provincial projection of :func:`computegrid.datasets.grid.load_hourly_demand_mw`. [MW]"""
    if int(base_year) == 2024 and int(year) == 2024:
        from computegrid.datasets.grid_base_year import load_annual_demand_2024_mwh

        raw = ds.load_hourly_demand_mw(None)
        return raw * (load_annual_demand_2024_mwh() / raw.sum()).reindex(raw.columns)
    return ds.load_hourly_demand_mw(year)
