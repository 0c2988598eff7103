"""Brownfield capacity expansion of the China grid model to a target year (2025-2030).

The way PyPSA-Eur and PyPSA-China-PIK build a future year: take a base-year network, apply the committed
changes (nuclear units, UHV lines, pumped storage, coal commissioning and retirements) as fixed capacity,
add extendable components (``p_nom_extendable`` with ``p_nom_max`` and an annualised ``capital_cost``), add
the policy constraints, and solve one least-cost investment-and-dispatch LP over the year.

Names added to the base network (carriers unchanged, so every result function groups them correctly):

- generators ``"<code> <carrier> new"`` for ``onwind``, ``offwind``, ``solar`` (utility PV), ``gas``
  (open-cycle peakers) and ``coal``;
- storage units ``"<code> battery"`` (2 h, made extendable) and ``"<code> battery 4h new"``;
- links ``"<bus0>-<bus1> <committed line>"`` (carrier ``AC``, fixed) and ``"<bus0>-<bus1> HVDC new"``
  (carrier ``AC``, extendable, costed per MW-km).

:func:`expand_network` takes any base network built with ``empty_components=True`` (today the 2020
network of :func:`computegrid.grid.network.build_network`); the base year is an argument, so moving the
base to 2024 changes one call. :func:`fix_capacities` turns the solved expansion into a dispatch network.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pypsa
import xarray as xr

from computegrid.datasets import expansion as xds
from computegrid.datasets.grid import load_provinces
from computegrid.facility.latency import great_circle_km
from computegrid.grid.carriers import CORRIDOR_CARRIER, VRE_CARRIERS
from computegrid.grid.parameters import (
    DEFAULT_PARAMETERS,
    GAS_PRICE_CNY_PER_GJ,
    GAS_TCO2_PER_GJ,
    GridParameters,
)

NEW = "new"
VRE = VRE_CARRIERS
#: Cost-table technology of each extendable generator carrier.
COST_TECH = {"onwind": "onwind", "offwind": "offwind", "solar": "solar-utility", "gas": "OCGT", "coal": "coal"}
NON_FOSSIL_GENERATORS = ("nuclear", "onwind", "offwind", "solar")
FOSSIL_GENERATORS = ("coal", "gas")
#: Assumption: candidate new UHVDC corridors run from the energy bases of the west and north (coal, wind,
#: solar, hydro) to the load centres of the east, the pattern of China's West-to-East transmission
#: (NDRC/NEA: about 340 GW in 2025, 420 GW planned by 2030 [secondary]).
SENDING = ("XJ", "GS", "QH", "NX", "NM", "SX", "SN", "XZ", "SC", "YN", "GZ", "HL", "JL")
RECEIVING = ("GD", "JS", "ZJ", "SH", "SD", "HE", "BJ", "TJ", "HA", "HB", "HN", "JX", "AH", "FJ", "CQ", "GX", "LN")


@dataclass(frozen=True)
class ExpansionParameters:
    """Policy and cost settings of the expansion; every default is cited or marked as an assumption.

    Attributes
    ----------
    co2_price_cny_per_t : float
        Carbon price added to coal and gas marginal costs. [CNY/tCO2]
    non_fossil_share_min_frac : float
        Minimum share of non-fossil generation (nuclear, hydro, wind, solar) in generation. [-]
    wind_solar_min_mw : float
        Minimum wind + solar capacity (existing + new). [MW]
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
    """

    #: Issue 14 default; China's national ETS traded around 100 CNY/t in 2024 (Shanghai Environment and
    #: Energy Exchange, annual average about 98 CNY/t [secondary]).
    co2_price_cny_per_t: float = 100.0
    #: NDRC/NEA, 14th Five-Year Plan for a Modern Energy System (发改能源〔2022〕210号): non-fossil share of
    #: generation "about 39 %" by 2025; kept as the floor for 2025-2030 (no later generation target).
    non_fossil_share_min_frac: float = 0.39
    #: State Council, Action Plan for Carbon Dioxide Peaking Before 2030 (国发〔2021〕23号): wind + solar
    #: above 1,200 GW by 2030 - already passed: end-2024 wind about 520 GW + solar about 890 GW (NEA,
    #: 2025-01-21), so the floor is what stands at end-2024 (capacity is not removed), 1,410 GW.
    wind_solar_min_mw: float = 1_410_000.0
    discount_rate_frac: float = xds.DISCOUNT_RATE_FRAC
    #: PyPSA-China-PIK config ``lines: line_length_factor: 1.25``.
    line_length_factor: float = 1.25
    battery_max_hours: tuple = (2.0, 4.0)
    #: OCGT electrical efficiency 2030 of the cost table (Danish Energy Agency via PyPSA-China-PIK): 0.41.
    gas_peaker_efficiency: float = 0.41
    demand_case: str = "central"


DEFAULT_EXPANSION = ExpansionParameters()


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


def add_co2_price(n: pypsa.Network, co2_price_cny_per_t: float, grid: GridParameters = DEFAULT_PARAMETERS,
                  ) -> None:
    """Add the CO2 price to the marginal cost of the existing coal and gas generators (in place)."""
    old = n.generators.index[n.generators.carrier.isin(FOSSIL_GENERATORS) & ~n.generators.index.str.endswith(NEW)]
    factor = n.generators.loc[old, "carrier"].map(grid.co2_t_per_mwh)
    n.generators.loc[old, "marginal_cost"] += co2_price_cny_per_t * factor


def add_extendable_storage(n: pypsa.Network, params: ExpansionParameters = DEFAULT_EXPANSION,
                           grid: GridParameters = DEFAULT_PARAMETERS) -> None:
    """Batteries of 2 h (the base network's ``battery`` units, made extendable) and 4 h, in every province."""
    inverter = xds.technology_cost("battery inverter", params.discount_rate_frac).capital_cost_cny_per_mw_yr
    energy = xds.technology_cost("battery storage", params.discount_rate_frac).capital_cost_cny_per_mw_yr
    h2, h4 = params.battery_max_hours
    eff = grid.battery_efficiency ** 0.5
    bat = n.storage_units.index[n.storage_units.carrier == "battery"]
    n.storage_units.loc[bat, "p_nom_extendable"] = True
    n.storage_units.loc[bat, "p_nom_min"] = n.storage_units.loc[bat, "p_nom"]
    n.storage_units.loc[bat, "max_hours"] = h2
    n.storage_units.loc[bat, "capital_cost"] = inverter + h2 * energy
    buses = list(n.buses.index)
    n.add("StorageUnit", [f"{b} battery 4h {NEW}" for b in buses], bus=buses, carrier="battery",
          p_nom_extendable=True, max_hours=h4, capital_cost=inverter + h4 * energy,
          efficiency_store=eff, efficiency_dispatch=eff, marginal_cost=grid.marginal_cost_cny_per_mwh["battery"],
          cyclic_state_of_charge=True)


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
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        scale_demand(n, demand)
        apply_committed(n, base_year, year)
        add_co2_price(n, params.co2_price_cny_per_t, grid)
        add_extendable_generators(n, params, grid)
        add_extendable_storage(n, params, grid)
        add_extendable_corridors(n, params)
    return n


def policy_constraints(params: ExpansionParameters = DEFAULT_EXPANSION):
    """``extra_functionality`` adding the non-fossil share of generation and the wind + solar floor."""

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
        vre = gens.carrier.isin(VRE)
        ext = list(gens.index[vre & gens.p_nom_extendable])
        fixed = float(gens.loc[vre & ~gens.p_nom_extendable, "p_nom"].sum())
        if ext and params.wind_solar_min_mw > 0:
            m.add_constraints(m["Generator-p_nom"].sel(name=ext).sum() >= params.wind_solar_min_mw - fixed,
                              name="policy-wind-solar-min")

    return extra_functionality


def fix_capacities(n: pypsa.Network, min_mw: float = 1.0) -> None:
    """Turn a solved expansion into a dispatch network: ``p_nom = p_nom_opt``, nothing extendable; new
    components built below ``min_mw`` are removed (in place)."""
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


#: HiGHS options of the expansion solve: HiPO interior point without crossover (highspy-extras), with the
#: project's HiPO tolerances (:data:`computegrid.grid.solve.HIPO_TOLERANCES`, PyPSA-Eur's highs-default).
EXPANSION_SOLVER_OPTIONS = {"solver": "hipo", "run_crossover": "off"}


def solve_expansion(n: pypsa.Network, params: ExpansionParameters = DEFAULT_EXPANSION, *,
                    solver_options: dict | None = None, threads: int | None = 2):
    """Solve the expansion LP (investment and dispatch) with the policy constraints.

    Returns
    -------
    computegrid.grid.solve.SolveResult
        Raises :class:`computegrid.grid.solve.SolveError` unless optimal.
    """
    from computegrid.grid.solve import chain_functionality, solve_network

    opts = {**EXPANSION_SOLVER_OPTIONS, **(solver_options or {})}
    hipo = opts.get("solver") == "hipo"
    # the solve entry point turns limits into bounds first, so that the copies inherit bounds
    # instead of being free columns; HiPO tolerances and presolve switches come from its HiGHS policy
    extra = chain_functionality(policy_constraints(params), define_capacity_copies if hipo else None)
    return solve_network(n, extra_functionality=extra, solver_options=opts, threads=threads,
                         block_copies=hipo)


def read_network(path) -> pypsa.Network:
    """A network written by :meth:`pypsa.Network.export_to_netcdf` (the cached expansion)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return pypsa.Network(str(path))
