"""Build the PyPSA model of China's power system (31 provincial buses) from the bundled data.

Naming (stable, other packages rely on it):

- buses: province codes (``"AH"`` ... ``"ZJ"``), ``x`` = longitude, ``y`` = latitude of the provincial seat;
- generators: ``"<code> <carrier>"`` with carrier in ``coal``, ``gas``, ``nuclear``, ``onwind``,
  ``offwind``, ``solar`` and ``"<code> load-shedding"`` (carrier ``load-shedding``);
- storage units: ``"<code> hydro"`` (conventional hydro: reservoir with natural inflow and spill),
  ``"<code> PHS"``, ``"<code> battery"``;
- loads: ``"<code>"``; links (corridors): ``"<bus0>-<bus1>"``, bidirectional (``p_min_pu = -1``),
  carrier ``AC``.

Snapshots are naive timestamps in Beijing time of the weather year 2020 (29 February removed);
``n.snapshot_weightings`` holds the hours each snapshot stands for (N for N-hourly averages, the number of
days a representative day stands for).
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pypsa

from computegrid.datasets import grid as ds
from computegrid.datasets.grid_base_year import check_base_year, load_corridors_base_year
from computegrid.errors import InputError
from computegrid.grid.carriers import (CARRIER_COLOURS, CORRIDOR_CARRIER, LOAD_SHEDDING_CARRIER, NICE_NAMES,
                                      VRE_CARRIERS)
from computegrid.grid.parameters import DEFAULT_PARAMETERS, GridParameters, base_year_parameters
from computegrid.grid.results import load_by_bus_mw
from computegrid.grid.inputs import (  # noqa: F401  (re-exported: public names of this module)
    HourlyInputs,
    base_year_demand_mw,
    calibrated_profiles,
    hourly_inputs,
    hydro_inflow_pu,
    model_capacity_mw,
)

HOURS = 8760
_NH = re.compile(r"^(\d+)h$")
_REP = re.compile(r"^rep(\d+)$")

def parse_resolution(resolution: str) -> tuple[str, int]:
    """``"1h"``/``"3h"``/``"24h"`` -> ("hours", N); ``"rep12"`` -> ("representative-days", 12)."""
    text = str(resolution).strip().lower()
    m = _NH.match(text)
    if m and int(m.group(1)) >= 1 and HOURS % int(m.group(1)) == 0:
        return "hours", int(m.group(1))
    m = _REP.match(text)
    if m and 1 <= int(m.group(1)) <= 365:
        return "representative-days", int(m.group(1))
    raise InputError("resolution", resolution,
                     "'<N>h' with N dividing 8760 (1h, 2h, 3h, 4h, 6h, 8h, 12h, 24h) or 'rep<K>' "
                     "(K representative days, 1..365)")


def aggregate_time(frames: dict[str, pd.DataFrame], resolution: str
                   ) -> tuple[pd.DatetimeIndex, pd.Series, dict[str, pd.DataFrame]]:
    """Reduce hourly frames to N-hourly means or representative days.

    Parameters
    ----------
    frames : dict of str to DataFrame
        Hourly frames on the same 8,760-step index.
    resolution : str
        ``"<N>h"`` or ``"rep<K>"`` (tsam, hierarchical clustering of days, medoids rescaled to keep each
        column's annual mean).

    Returns
    -------
    snapshots : pandas.DatetimeIndex
    weights_h : pandas.Series
        Hours each snapshot stands for. [h]
    reduced : dict of str to DataFrame
    """
    kind, k = parse_resolution(resolution)
    index = next(iter(frames.values())).index
    if kind == "hours":
        groups = np.arange(len(index)) // k
        snaps = index[::k]
        reduced = {name: f.groupby(groups).mean().set_axis(snaps) for name, f in frames.items()}
        return snaps, pd.Series(float(k), index=snaps), reduced
    import tsam

    parts, keys = [], {}
    for name, f in frames.items():
        if f.shape[1] == 0:
            continue
        cols = [f"{name}|{c}" for c in f.columns]
        keys[name] = cols
        parts.append(f.set_axis(cols, axis=1))
    data = pd.concat(parts, axis=1)
    data.index = data.index.tz_localize(None) if data.index.tz is not None else data.index
    # normalise each column to [0, 1] so that MW and p.u. columns weigh alike
    span = (data.max() - data.min()).replace(0.0, 1.0)
    norm = (data - data.min()) / span
    result = tsam.aggregate(norm, n_clusters=k, period_duration=24, temporal_resolution=1.0,
                            preserve_column_means=True)
    reps = result.cluster_representatives * span + data.min()
    assign = np.asarray(result.cluster_assignments)
    days = pd.DatetimeIndex(index[::24])
    first_day = {c: int(np.flatnonzero(assign == c)[0]) for c in np.unique(assign)}
    order = sorted(first_day, key=first_day.get)
    snap_list, weight_list, rows = [], [], []
    counts = result.cluster_counts
    for c in order:
        day0 = days[first_day[c]]
        block = reps.loc[c]
        for h in range(24):
            snap_list.append(day0 + pd.Timedelta(hours=h))
            weight_list.append(float(counts[c]))
        rows.append(block.to_numpy())
    snaps = pd.DatetimeIndex(snap_list, name=index.name)
    values = np.vstack(rows)
    allcols = list(data.columns)
    reduced = {}
    for name, f in frames.items():
        if f.shape[1] == 0:
            reduced[name] = pd.DataFrame(index=snaps)
            continue
        idx = [allcols.index(c) for c in keys[name]]
        reduced[name] = pd.DataFrame(values[:, idx], index=snaps, columns=f.columns)
    if "p_max_pu" in reduced:
        reduced["p_max_pu"] = reduced["p_max_pu"].clip(0.0, 1.0)
    if "p_min_pu" in reduced:
        reduced["p_min_pu"] = reduced["p_min_pu"].clip(0.0, 1.0)
    return snaps, pd.Series(weight_list, index=snaps), reduced


def add_load_shedding(n: pypsa.Network, voll_cny_per_mwh: float = DEFAULT_PARAMETERS.voll_cny_per_mwh,
                      p_nom_mw: float | None = None) -> None:
    """Add one ``load-shedding`` generator at every bus that lacks one, so that a shortage shows as
    unserved energy (priced at the value of lost load) and never makes the model infeasible.

    The only load-shedding adder: the grid model, every solve and the co-planning model call it.

    Parameters
    ----------
    n : pypsa.Network
    voll_cny_per_mwh : float
        Value of lost load, the generators' marginal cost. [CNY/MWh]
    p_nom_mw : float, optional
        Capacity of each added generator. Default: 1.5 x the bus's peak load, static and time-varying
        loads together (at least 1.5 MW); the
        co-planning model passes a bound that its data-centre draws cannot reach. [MW]
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        _add_load_shedding(n, voll_cny_per_mwh, p_nom_mw)


def _add_load_shedding(n: pypsa.Network, voll_cny_per_mwh: float, p_nom_mw: float | None) -> None:
    if LOAD_SHEDDING_CARRIER not in n.carriers.index:
        n.add("Carrier", LOAD_SHEDDING_CARRIER, co2_emissions=0.0,
              color=CARRIER_COLOURS[LOAD_SHEDDING_CARRIER], nice_name=NICE_NAMES[LOAD_SHEDDING_CARRIER])
    buses = [b for b in n.buses.index if f"{b} {LOAD_SHEDDING_CARRIER}" not in n.generators.index]
    if not buses:
        return
    if p_nom_mw is None:
        peak = load_by_bus_mw(n).max()  # static and time-varying loads
        p_nom = [max(float(peak.get(b, 0.0)), 1.0) * 1.5 for b in buses]
    else:
        p_nom = [float(p_nom_mw)] * len(buses)
    n.add("Generator", [f"{b} {LOAD_SHEDDING_CARRIER}" for b in buses], bus=buses,
          carrier=LOAD_SHEDDING_CARRIER, p_nom=p_nom, marginal_cost=voll_cny_per_mwh)


def build_network(year: int = 2020, resolution: str = "3h", *, params: GridParameters | None = None,
                  calibrate: bool = True, inflexibility: bool = True, corridor_limits: bool = True,
                  load_shedding: bool = True, empty_components: bool = False,
                  inputs: HourlyInputs | None = None, base_year: int = 2020,
                  fleet: pd.DataFrame | None = None) -> pypsa.Network:
    """Build the dispatch model of China's power system for one year.

    Parameters
    ----------
    year : int, default 2020
        Demand year (2020..2060); the fleet is the base year's stock.
    resolution : str, default "3h"
        ``"1h"`` (8,760 steps), ``"<N>h"`` (N-hourly means) or ``"rep<K>"`` (K representative days).
    params : GridParameters, optional
        Costs, emissions, inflexibility and calibration parameters; default
        :func:`~computegrid.grid.parameters.base_year_parameters` of ``base_year``.
    calibrate : bool, default True
        Wind/solar availability calibrated to the base year's realised full-load hours.
    inflexibility : bool, default True
        Coal minimum load, northern CHP must-run in the heating season, nuclear flat.
    corridor_limits : bool, default True
        Corridors at their capacity; ``False`` makes them unconstrained (1e7 MW).
    load_shedding : bool, default True
        Add ``load-shedding`` generators at the value of lost load.
    empty_components : bool, default False
        Also add wind/solar generators and PHS/battery storage of zero capacity in every province (with
        their profiles), for planners that make them extendable. Off by default: they only enlarge the LP.
    inputs : HourlyInputs, optional
        Pre-computed hourly inputs (reuse across resolutions).
    base_year : {2020, 2024}, default 2020
        Fleet, corridors and (in that year) demand of the base year: the 2020 stock or the end-2024
        fleet with the corridors in operation at end-2024 and the 2024 provincial consumption.
    fleet : DataFrame, optional
        A fleet table replacing the base year's (:func:`computegrid.io.fleet_file.read_user_fleet`).

    Returns
    -------
    pypsa.Network
        Ready to solve with :func:`computegrid.grid.solve.solve_network`.
    """
    base_year = check_base_year(base_year, "base_year")
    if params is None:
        params = base_year_parameters(base_year)
    if inputs is None:
        inputs = hourly_inputs(year, params, calibrate=calibrate, inflexibility=inflexibility,
                               base_year=base_year, fleet=fleet)
    with warnings.catch_warnings():
        # pypsa 1.x warns about pandas 3 string dtypes on every ``add``; nothing for users to act on
        warnings.simplefilter("ignore", FutureWarning)
        return _build(year, resolution, params, corridor_limits, load_shedding, empty_components, inputs,
                      base_year)


def _build(year, resolution, params, corridor_limits, load_shedding, empty_components, inputs, base_year):
    """Build the network from the hourly inputs, component by component.

    Longer than 60 lines: it is one sequence (carriers, buses, loads, generators, storage,
    corridors, load shedding), kept in one place because the order in which components are added
    fixes the order of the LP's columns, and with it the solver's path.
    """
    frames = {"demand": inputs.demand_mw, "p_max_pu": inputs.p_max_pu, "p_min_pu": inputs.p_min_pu,
              "inflow": inputs.hydro_inflow_mw}
    snaps, weights, red = aggregate_time(frames, resolution)
    snaps = snaps.tz_localize(None) if snaps.tz is not None else snaps
    for f in red.values():
        f.index = snaps
    weights.index = snaps
    cap = inputs.capacity_mw
    prov = ds.load_provinces()

    n = pypsa.Network(name=f"China {year} ({resolution}, fleet {base_year})")
    n.set_snapshots(snaps)
    n.snapshot_weightings.loc[:, :] = np.repeat(weights.to_numpy()[:, None], 3, axis=1)
    for carrier, colour in CARRIER_COLOURS.items():
        if carrier == LOAD_SHEDDING_CARRIER:
            continue
        n.add("Carrier", carrier, co2_emissions=params.co2_t_per_mwh.get(carrier, 0.0), color=colour,
              nice_name=NICE_NAMES[carrier])
    n.add("Bus", prov.index, x=prov["longitude_deg"], y=prov["latitude_deg"], carrier=CORRIDOR_CARRIER)
    n.add("Load", prov.index, bus=prov.index, p_set=red["demand"][prov.index])

    mc = params.marginal_cost_cny_per_mwh
    pmax, pmin = red["p_max_pu"], red["p_min_pu"]
    for carrier in ("coal", "gas", "nuclear", *VRE_CARRIERS):
        provs = [p for p in prov.index if cap.at[p, carrier] > 0 or (
            empty_components and carrier in VRE_CARRIERS and f"{p} {carrier}" in pmax.columns)]
        if not provs:
            continue
        names = [f"{p} {carrier}" for p in provs]
        kw = {}
        cols_max = [c for c in names if c in pmax.columns]
        cols_min = [c for c in names if c in pmin.columns]
        if cols_max:
            kw["p_max_pu"] = pmax[cols_max]
        if cols_min:
            kw["p_min_pu"] = pmin[cols_min]
        cost = np.full(len(provs), float(mc[carrier]))
        if carrier == "coal":
            cost = cost * np.array([params.coal_cost_factor_by_province.get(p, 1.0) for p in provs])
        n.add("Generator", names, bus=provs, carrier=carrier, p_nom=cap.loc[provs, carrier].to_numpy(),
              marginal_cost=cost, **kw)

    hydro = [p for p in prov.index if cap.at[p, "hydro"] > 0]
    ror = [f"{p} ror" for p in hydro if f"{p} ror" in pmin.columns]
    k = params.hydro_run_of_river_frac if ror else 0.0
    if ror:
        n.add("Generator", ror, bus=[r.split(" ")[0] for r in ror], carrier="hydro",
              p_nom=k * cap.loc[[r.split(" ")[0] for r in ror], "hydro"].to_numpy(),
              p_max_pu=pmax[ror], p_min_pu=pmin[ror], marginal_cost=mc["hydro"])
    n.add("StorageUnit", [f"{p} hydro" for p in hydro], bus=hydro, carrier="hydro",
          p_nom=(1.0 - k) * cap.loc[hydro, "hydro"].to_numpy(), max_hours=params.hydro_max_hours_h,
          inflow=red["inflow"][[f"{p} hydro" for p in hydro]], marginal_cost=mc["hydro"],
          efficiency_store=0.0, efficiency_dispatch=1.0, p_min_pu=0.0, cyclic_state_of_charge=True)
    for carrier, hours, eff in (("PHS", params.phs_max_hours_h, params.phs_efficiency),
                                ("battery", params.battery_max_hours_h, params.battery_efficiency)):
        provs = [p for p in prov.index if empty_components or cap.at[p, carrier] > 0]
        if not provs:
            continue
        n.add("StorageUnit", [f"{p} {carrier}" for p in provs], bus=provs, carrier=carrier,
              p_nom=cap.loc[provs, carrier].to_numpy(), max_hours=hours,
              efficiency_store=eff ** 0.5, efficiency_dispatch=eff ** 0.5, marginal_cost=mc[carrier],
              cyclic_state_of_charge=True)

    cor = load_corridors_base_year(base_year)
    n.add("Link", cor.index, bus0=cor["bus0"].to_numpy(), bus1=cor["bus1"].to_numpy(),
          carrier=CORRIDOR_CARRIER, p_min_pu=-1.0,
          p_nom=cor["capacity_mw"].to_numpy() if corridor_limits else 1e7)
    if load_shedding:
        add_load_shedding(n, params.voll_cny_per_mwh)
    return n
