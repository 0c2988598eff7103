"""Brownfield capacity expansion of the China grid model to a target year (2025-2030).

The way PyPSA-Eur and PyPSA-China-PIK build a future year: take a base-year network, apply the committed
changes (nuclear units, UHV lines, pumped storage, coal commissioning and retirements, distributed solar) as
fixed capacity,
add extendable components (``p_nom_extendable`` with ``p_nom_max`` and an annualised ``capital_cost``), add
the policy constraints, and solve one least-cost investment-and-dispatch LP over the year.

Names added to the base network (carriers unchanged, so every result function groups them correctly):

- generators ``"<code> <carrier> new"`` for ``onwind``, ``offwind``, ``solar`` (utility PV), ``gas``
  (open-cycle peakers) and ``coal``;
- storage units ``"<code> battery 2h new"`` and ``"<code> battery 4h new"`` (the base network's batteries stay
  fixed);
- links ``"<bus0>-<bus1> <committed line>"`` (carrier ``AC``, fixed) and ``"<bus0>-<bus1> HVDC new"``
  (carrier ``AC``, extendable, costed per MW-km).

:func:`expand_network` takes any base network built with ``empty_components=True`` (the service builds the
end-2024 fleet, :func:`computegrid.grid.network.build_network` with ``base_year=2024``); existing capacity is
never extendable, so the expansion cannot remove it. :func:`fix_capacities` turns the solved expansion into a
dispatch network.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd
import pypsa

from computegrid.datasets import expansion as xds
from computegrid.datasets.grid import load_provinces
from computegrid.facility.latency import great_circle_km
from computegrid.grid.carriers import CORRIDOR_CARRIER, VRE_CARRIERS
from computegrid.grid.expansion_policy import (  # noqa: F401  (re-exported: public names of this module)
    DEFAULT_EXPANSION,
    FOSSIL_GENERATORS,
    NON_FOSSIL_GENERATORS,
    ExpansionParameters,
    battery_min_mw,
    policy_constraints,
    wind_solar_min_mw,
)
from computegrid.grid.inputs import coal_must_run_parts_pu, model_capacity_mw
from computegrid.grid.parameters import DEFAULT_PARAMETERS, GAS_PRICE_CNY_PER_GJ, GAS_TCO2_PER_GJ, GridParameters

NEW = "new"
VRE = VRE_CARRIERS
#: Cost-table technology of each extendable generator carrier.
COST_TECH = {"onwind": "onwind", "offwind": "offwind", "solar": "solar-utility", "gas": "OCGT", "coal": "coal"}
#: Assumption: candidate new UHVDC corridors run from the energy bases of the west and north (coal, wind,
#: solar, hydro) to the load centres of the east, the pattern of China's West-to-East transmission
#: (NDRC/NEA: about 340 GW in 2025, 420 GW planned by 2030 [secondary]).
SENDING = ("XJ", "GS", "QH", "NX", "NM", "SX", "SN", "XZ", "SC", "YN", "GZ", "HL", "JL")
RECEIVING = ("GD", "JS", "ZJ", "SH", "SD", "HE", "BJ", "TJ", "HA", "HB", "HN", "JX", "AH", "FJ", "CQ", "GX", "LN")


def scale_demand(n: pypsa.Network, demand_mwh: pd.Series) -> None:
    """Scale each province's load profile to an annual demand (shape kept; in place). [MWh]"""
    w = n.snapshot_weightings.objective
    now = n.loads_t.p_set.mul(w, axis=0).sum()
    factor = demand_mwh.reindex(now.index) / now
    n.loads_t.p_set = n.loads_t.p_set * factor


def apply_committed(n: pypsa.Network, base_year: int, year: int) -> dict[str, float]:
    """Add the committed changes with ``base_year < in-service year <= year`` (in place).

    Nuclear units and pumped storage raise the provinces' fixed capacity; UHV lines become fixed links;
    coal units commissioned and retired per GEM change the provincial coal fleets; the pumped-storage
    stock moves linearly from the base year to the 2030 target.

    Returns
    -------
    dict
        Capacity added or removed nationally by kind. [MW]
    """
    com = xds.load_committed_projects()
    due = com[(com["in_service_year"] > base_year) & (com["in_service_year"] <= year)]
    nuc = due[due["kind"] == "nuclear"].groupby("bus0")["capacity_mw"].sum()
    for prov, mw in nuc.items():
        n.generators.loc[f"{prov} nuclear", "p_nom"] += mw
    uhv = due[due["kind"] == "uhv"]
    if len(uhv):
        names = [f"{r.bus0}-{r.bus1} {r.name.split(' ')[0]}" for r in uhv.itertuples()]
        n.add("Link", names, bus0=uhv["bus0"].to_numpy(), bus1=uhv["bus1"].to_numpy(),
              carrier=CORRIDOR_CARRIER, p_min_pu=-1.0, p_nom=uhv["capacity_mw"].to_numpy())
    phs_target = com[com["kind"] == "phs"].iloc[0]
    phs = n.storage_units.index[n.storage_units.carrier == "PHS"]
    stock = float(n.storage_units.loc[phs, "p_nom"].sum())
    span = float(phs_target["in_service_year"]) - base_year
    phs_add = max(float(phs_target["capacity_mw"]) - stock, 0.0) * min((year - base_year) / span, 1.0)
    key = xds.load_phs_pipeline_mw()
    key = key / key.sum()
    for prov, share in key.items():
        n.storage_units.loc[f"{prov} PHS", "p_nom"] += phs_add * share
    coal = xds.load_coal_changes_mw()
    coal = coal[(coal["year"] > base_year) & (coal["year"] <= year)]
    net = coal.pivot_table(index="province", columns="change", values="capacity_mw", aggfunc="sum").fillna(0.0)
    net_mw = net.get("commission", 0.0) - net.get("retire", 0.0)
    for prov, mw in net_mw.items():
        name = f"{prov} coal"
        if name in n.generators.index:
            n.generators.loc[name, "p_nom"] = max(n.generators.at[name, "p_nom"] + mw, 0.0)
    return {"nuclear_mw": float(nuc.sum()), "uhv_mw": float(uhv["capacity_mw"].sum()), "phs_mw": phs_add,
            "coal_commissioned_mw": float(net.get("commission", pd.Series(0.0)).sum()),
            "coal_retired_mw": float(net.get("retire", pd.Series(0.0)).sum())}


#: Whether :func:`expand_network` lowers only the condensing part of the coal minimum
#: (:func:`scale_coal_minimum` with ``parts``). False keeps the 2030 expansion as it was built and cached
#: before the fix (every part scaled); switching it on changes the 2030 result (docs/grid-model.md).
SCALE_CONDENSING_COAL_ONLY = False


def scale_coal_minimum(n: pypsa.Network, scale: float, parts: dict | None = None) -> None:
    """Lower the coal fleet's minimum output (``p_min_pu``) in the target year (in place).

    Parameters
    ----------
    n : pypsa.Network
    scale : float
        Factor on the minimum stable load of the grid-dispatched condensing units. [-]
    parts : dict, optional
        The must-run parts of :func:`computegrid.grid.inputs.coal_must_run_parts_pu` on the network's
        snapshots. With them only the ``condensing`` part is scaled: captive units and heat-led CHP keep
        their minimum, and the base network's demand cap is kept
        (``new = min(condensing * scale + chp + captive, old)``). Without them every coal generator's
        whole minimum is multiplied by ``scale`` (the behaviour the cached 2030 expansion was built with).
    """
    coal = n.generators.index[n.generators.carrier == "coal"]
    if parts is None:
        n.generators.loc[coal, "p_min_pu"] *= scale
        cols = [c for c in n.generators_t.p_min_pu.columns if c in set(coal)]
        if cols:
            n.generators_t.p_min_pu[cols] = n.generators_t.p_min_pu[cols] * scale
        return
    cols = [c for c in parts["condensing"].columns if c in set(coal) and c in n.generators_t.p_min_pu.columns]
    if not cols:
        return
    old = n.generators_t.p_min_pu[cols]
    lowered = parts["condensing"][cols] * scale + parts["chp"][cols] + parts["captive"][cols]
    n.generators_t.p_min_pu[cols] = np.minimum(lowered.set_axis(old.index).to_numpy(), old.to_numpy())


def add_extendable_generators(n: pypsa.Network, params: ExpansionParameters = DEFAULT_EXPANSION,
                              grid: GridParameters = DEFAULT_PARAMETERS) -> None:
    """New wind, solar, gas peakers and coal per province, each up to its cap (in place).

    Wind and solar: ``p_nom_max`` = resource potential minus what stands; availability = the province's
    calibrated profile. Coal: ``p_nom_max`` = the permitted pipeline of GEM (the policy cap: only units
    with permits). Gas peakers: no cap. Coal and gas pay the CO2 price in their marginal cost.
    """
    pot = xds.load_resource_potential_mw()
    permitted = xds.load_coal_changes_mw().query("change == 'permitted'").groupby("province")["capacity_mw"].sum()
    co2 = grid.co2_t_per_mwh
    gas_mc = 3.6 / params.gas_peaker_efficiency * GAS_PRICE_CNY_PER_GJ  # fuel [CNY/MWh]
    gas_co2 = 3.6 / params.gas_peaker_efficiency * GAS_TCO2_PER_GJ  # [tCO2/MWh]
    for carrier, tech in COST_TECH.items():
        cost = xds.technology_cost(tech, params.discount_rate_frac).capital_cost_cny_per_mw_yr
        provs, caps = [], []
        for p in n.buses.index:
            existing = n.generators.p_nom.get(f"{p} {carrier}", 0.0)
            if carrier in VRE:
                if f"{p} {carrier}" not in n.generators.index:
                    continue
                cap = max(float(pot.at[p, f"{carrier}_mw"]) - existing, 0.0)
            elif carrier == "coal":
                cap = float(permitted.get(p, 0.0))
            else:
                cap = np.inf
            if cap > 0:
                provs.append(p)
                caps.append(cap)
        names = [f"{p} {carrier} {NEW}" for p in provs]
        kw = {}
        if carrier in VRE:
            kw["p_max_pu"] = n.generators_t.p_max_pu[[f"{p} {carrier}" for p in provs]].set_axis(names, axis=1)
            mc = grid.marginal_cost_cny_per_mwh[carrier]
        elif carrier == "gas":
            mc = gas_mc + params.co2_price_cny_per_t * gas_co2
        else:
            # fuel at the province's coal price factor (as the base network's coal), plus the CO2 price
            mc = np.array([grid.marginal_cost_cny_per_mwh["coal"] * grid.coal_cost_factor_by_province.get(p, 1.0)
                           for p in provs]) + params.co2_price_cny_per_t * co2["coal"]
        n.add("Generator", names, bus=provs, carrier=carrier, p_nom_extendable=True, p_nom_max=caps,
              capital_cost=cost, marginal_cost=mc, **kw)
        if carrier in FOSSIL_GENERATORS:
            per_t = gas_co2 if carrier == "gas" else co2["coal"]
            _record_co2_adder(n, pd.Series(params.co2_price_cny_per_t * per_t, index=names))


def add_co2_price(n: pypsa.Network, co2_price_cny_per_t: float, grid: GridParameters = DEFAULT_PARAMETERS,
                  ) -> None:
    """Add the CO2 price to the marginal cost of the existing coal and gas generators (in place)."""
    old = n.generators.index[n.generators.carrier.isin(FOSSIL_GENERATORS) & ~n.generators.index.str.endswith(NEW)]
    factor = n.generators.loc[old, "carrier"].map(grid.co2_t_per_mwh)
    n.generators.loc[old, "marginal_cost"] += co2_price_cny_per_t * factor
    _record_co2_adder(n, co2_price_cny_per_t * factor)


def _record_co2_adder(n: pypsa.Network, adder_cny_per_mwh: pd.Series) -> None:
    """Remember the CO2 price added to each generator's marginal cost (``n.meta``, saved with the network),
    so that :func:`strip_co2_price` can take it out again. [CNY/MWh]"""
    meta = dict(getattr(n, "meta", None) or {})
    done = dict(meta.get("co2_adder_cny_per_mwh", {}))
    done.update({str(k): float(v) for k, v in adder_cny_per_mwh.items()})
    meta["co2_adder_cny_per_mwh"] = done
    n.meta = meta


def strip_co2_price(n: pypsa.Network) -> float:
    """Take the expansion's CO2 price out of the marginal costs again (in place), for users that price CO2
    themselves (the planning scenarios). Returns the largest adder removed. [CNY/MWh]"""
    meta = dict(getattr(n, "meta", None) or {})
    adder = pd.Series(meta.pop("co2_adder_cny_per_mwh", {}), dtype=float)
    adder = adder[adder.index.isin(n.generators.index)]
    n.generators.loc[adder.index, "marginal_cost"] -= adder
    n.meta = meta
    return float(adder.max()) if len(adder) else 0.0


def add_extendable_storage(n: pypsa.Network, params: ExpansionParameters = DEFAULT_EXPANSION,
                           grid: GridParameters = DEFAULT_PARAMETERS) -> None:
    """New batteries of each duration in ``params.battery_max_hours`` (2 h and 4 h) in every province,
    ``"<code> battery <h>h new"``, at China's turnkey prices
    (:func:`computegrid.datasets.expansion.battery_cost_china`); the base network's batteries stay fixed.

    The cost table's Danish Energy Agency figures (1,260 CNY/kW + 1,118 CNY/kWh: 3,496 CNY/kW for 2 h) are
    2.6 times China's 2025 turnkey price (1,331 CNY/kW for 2 h); at those costs the optimum built no new
    battery at all (run of 2026-11-28, rep12).
    """
    cost = xds.battery_cost_china(params.discount_rate_frac)
    eff = grid.battery_efficiency ** 0.5
    buses = list(n.buses.index)
    for hours in params.battery_max_hours:
        n.add("StorageUnit", [f"{b} battery {hours:g}h {NEW}" for b in buses], bus=buses, carrier="battery",
              p_nom_extendable=True, max_hours=hours, capital_cost=cost.capital_cost_cny_per_mw_yr(hours),
              efficiency_store=eff, efficiency_dispatch=eff,
              marginal_cost=grid.marginal_cost_cny_per_mwh["battery"], cyclic_state_of_charge=True)


def add_distributed_solar(n: pypsa.Network, base_year: int, year: int, add_mw_per_yr: float) -> float:
    """Committed distributed solar: ``add_mw_per_yr`` x (year - base_year), added to each province's existing
    solar in proportion to its end-2024 distributed stock (in place). Returns the national addition. [MW]"""
    from computegrid.datasets.grid_base_year import load_fleet_mw

    total = add_mw_per_yr * max(int(year) - int(base_year), 0)
    # the provincial key: end-2024 distributed PV, the only base year with the utility/distributed split
    key = load_fleet_mw(2024)["solar_distributed_mw"]
    key = key[[f"{p} solar" in n.generators.index for p in key.index]]
    for prov, share in (key / key.sum()).items():
        n.generators.loc[f"{prov} solar", "p_nom"] += total * share
    return total


def candidate_corridors(n: pypsa.Network, nearest: int = 4) -> pd.DataFrame:
    """Pairs of provinces a new HVDC corridor may join: each sending province to its ``nearest`` receiving
    provinces (seat to seat), with the great-circle distance. [km]

    Four per sending province (52 candidates) keeps the LP small: with every sending x receiving pair
    and every existing corridor (318 links) the rep12 interior-point solve took 7 s per iteration.
    """
    prov = load_provinces()
    rows = []
    for a in SENDING:
        dist = sorted((float(great_circle_km(prov.at[a, "latitude_deg"], prov.at[a, "longitude_deg"],
                                             prov.at[b, "latitude_deg"], prov.at[b, "longitude_deg"])), b)
                      for b in RECEIVING if b != a)
        rows += [(a, b, d) for d, b in dist[:nearest]]
    return pd.DataFrame(rows, columns=["bus0", "bus1", "distance_km"])


def add_extendable_corridors(n: pypsa.Network, params: ExpansionParameters = DEFAULT_EXPANSION) -> None:
    """New HVDC corridors between candidate pairs, costed per MW-km plus a converter pair (in place)."""
    cand = candidate_corridors(n)
    line = xds.technology_cost("HVDC overhead", params.discount_rate_frac).capital_cost_cny_per_mw_yr
    station = xds.technology_cost("HVDC inverter pair", params.discount_rate_frac).capital_cost_cny_per_mw_yr
    length = cand["distance_km"] * params.line_length_factor
    n.add("Link", [f"{a}-{b} HVDC {NEW}" for a, b in zip(cand.bus0, cand.bus1)], bus0=cand["bus0"].to_numpy(),
          bus1=cand["bus1"].to_numpy(), carrier=CORRIDOR_CARRIER, p_min_pu=-1.0, p_nom_extendable=True,
          capital_cost=(line * length + station).to_numpy(), length=length.to_numpy())


def expand_network(base: pypsa.Network, year: int, *, base_year: int = 2020,
                   params: ExpansionParameters = DEFAULT_EXPANSION,
                   grid: GridParameters = DEFAULT_PARAMETERS) -> pypsa.Network:
    """The expansion problem of ``year`` from a base-year network (a copy; the base is left unchanged).

    Parameters
    ----------
    base : pypsa.Network
        Base-year network built with ``empty_components=True`` (wind/solar/PHS/battery in every province).
    year : int
        Target year, 2025..2030.
    base_year : int
        Year of the base network's fleet: committed changes after it are applied.
    params : ExpansionParameters
    grid : GridParameters
        The parameters the base network was built with (costs, emissions).

    Returns
    -------
    pypsa.Network
        Unsolved; solve with :func:`solve_expansion`.
    """
    demand = xds.demand_projection_mwh(year, params.demand_case)
    n = base.copy()
    n.name = f"China {year} expansion from {base_year}"
    n.meta = {**(n.meta or {}), "expansion_year": int(year), "base_year": int(base_year),
              "wind_solar_min_mw": wind_solar_min_mw(params, year), "battery_min_mw": battery_min_mw(params, year),
              "wind_max_new_mw": params.wind_max_growth_mw_per_yr * max(int(year) - int(base_year), 0)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        scale_demand(n, demand)
        committed = apply_committed(n, base_year, year)
        committed["distributed_solar_mw"] = add_distributed_solar(n, base_year, year,
                                                                  params.distributed_solar_add_mw_per_yr)
        n.meta["committed_mw"] = committed
        parts = (coal_must_run_parts_pu(model_capacity_mw(base_year, grid, base_year=base_year), n.snapshots, grid)
                 if SCALE_CONDENSING_COAL_ONLY else None)
        scale_coal_minimum(n, params.coal_min_load_scale, parts)
        add_co2_price(n, params.co2_price_cny_per_t, grid)
        add_extendable_generators(n, params, grid)
        add_extendable_storage(n, params, grid)
        add_extendable_corridors(n, params)
    return n


def fix_capacities(n: pypsa.Network, min_mw: float = 1.0) -> None:
    """Turn a solved expansion into a dispatch network: ``p_nom = p_nom_opt``, nothing extendable; new
    components built below ``min_mw`` are removed and the solved linopy model is released (the solution
    stays; a network with a model attached cannot be copied) (in place)."""
    from computegrid.grid.solve import release_model

    release_model(n)
    for comp, df in (("Generator", n.generators), ("StorageUnit", n.storage_units), ("Link", n.links)):
        ext = df.index[df.p_nom_extendable]
        drop = [i for i in ext if i.endswith(NEW) and df.at[i, "p_nom_opt"] < min_mw]
        df.loc[ext, "p_nom"] = df.loc[ext, "p_nom_opt"]
        df.loc[ext, "p_nom_extendable"] = False
        if drop:
            n.remove(comp, drop)


def define_capacity_copies(n: pypsa.Network, snapshots) -> int:
    """Daily copies of the capacity variables in their per-snapshot limits
    (:func:`computegrid.grid.block_copies.split_capacity_columns`), so that the interior-point solver keeps the
    normal equations: without them each of the ~300 capacity columns has an entry in every snapshot and
    HiPO's factorisation of the rep12 problem grew past 4 GB before its first iteration (measured,
    docs/grid-model.md). Returns the number of coefficients moved."""
    from computegrid.grid.block_copies import split_capacity_columns

    return split_capacity_columns(n.model, snapshots)


#: HiGHS options of the expansion solve: HiPO without crossover (its tolerances: grid/solve.py), and HiPO's pick
#: for this LP fixed (normal equations, METIS), found otherwise by analysing every option: analyse 4.9 -> 1.4 s at
#: rep12 (same result), ~410 -> 64 s at 1h (docs/grid-model.md, "Performance").
EXPANSION_SOLVER_OPTIONS = {"solver": "hipo", "run_crossover": "off", "hipo_system": "normaleq",
                            "hipo_ordering": "metis"}


def expansion_functionality(chain: Callable | None, block_copies: bool) -> Callable | None:
    """The ``extra_functionality`` of a solve with extendable capacity: ``chain`` (the policy constraints) and,
    for an interior-point solve (``block_copies``), then the daily copies of the capacity columns
    (:func:`define_capacity_copies`); ``chain`` alone otherwise. :func:`solve_expansion` and the plan's solves
    (:func:`computegrid.grid.coplan_solve.grid_functionality`) both take it from here."""
    from computegrid.grid.solve import chain_functionality

    return chain_functionality(chain, define_capacity_copies) if block_copies else chain


def solve_expansion(n: pypsa.Network, params: ExpansionParameters = DEFAULT_EXPANSION, *,
                    solver_options: dict | None = None, threads: int | None = 2):
    """Solve the expansion LP (investment and dispatch) with the policy constraints.

    Returns
    -------
    computegrid.grid.solve.SolveResult
        Raises :class:`computegrid.grid.solve.SolveError` unless optimal.
    """
    from computegrid.grid.solve import solve_network

    opts = {**EXPANSION_SOLVER_OPTIONS, **(solver_options or {})}
    hipo = opts.get("solver") == "hipo"
    # the solve entry point turns limits into bounds first, so that the copies inherit bounds
    # instead of being free columns; HiPO tolerances and presolve switches come from its HiGHS policy
    extra = expansion_functionality(policy_constraints(params), hipo)
    return solve_network(n, extra_functionality=extra, solver_options=opts, threads=threads,
                         block_copies=hipo)


def read_network(path) -> pypsa.Network:
    """A network written by :meth:`pypsa.Network.export_to_netcdf` (the cached expansion)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return pypsa.Network(str(path))
