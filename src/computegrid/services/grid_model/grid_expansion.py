"""Use case: the grid of a future year (2025-2030) by brownfield capacity expansion, solved once and cached.

:func:`expanded_network` returns the solved, capacity-fixed network of a year (PyPSA netCDF under the user
cache directory, :func:`expansion_cache_path`); the first call builds and solves it. :func:`build_report`
summarises it for ``computegrid grid build --json`` and the plausibility report.

The base network is :data:`BASE_YEAR`'s (:func:`base_network`); switching the base year is that one line.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from computegrid.datasets.expansion import EXPANSION_YEARS
from computegrid.errors import InputError
from computegrid.grid.carriers import LOAD_SHEDDING_CARRIER, VRE_CARRIERS
from computegrid.io.atomic import atomic_write
from computegrid.services.signals.grid_signals import cache_dir
from computegrid.units import MW_PER_GW, MWH_PER_TWH

#: Fleet year of the base network the expansion starts from: the end-2024 fleet (official national totals,
#: datasets/grid_base_year.py) with the corridors in operation at end-2024.
BASE_YEAR = 2024
DEFAULT_RESOLUTION = "rep12"
#: Bumped whenever the expansion model changes, so that cached networks of an older model are not reused.
MODEL_VERSION = "3"


def check_year(year: int, field: str = "--year") -> int:
    """``year`` if the expansion can be built for it, else InputError naming ``field`` and the years
    available."""
    if int(year) not in EXPANSION_YEARS:
        raise InputError(field, year, "one of " + ", ".join(map(str, EXPANSION_YEARS)))
    return int(year)


def base_network(resolution: str, year: int):
    """The base-year fleet the expansion starts from, with empty wind/solar/storage in every province.

    Built for demand year ``year`` so that the base network counts the year-end wind and solar stock (in
    its own year it counts the mean of the year, as additions came through the year) and caps must-run below
    that year's demand; the expansion then rescales demand to its own projection.
    """
    from computegrid.grid.network import build_network

    return build_network(year, resolution, empty_components=True, base_year=BASE_YEAR)


def expansion_cache_path(year: int, resolution: str = DEFAULT_RESOLUTION, params=None) -> Path:
    """Where the solved expansion network of ``year`` is cached (netCDF); the name carries a hash of the
    parameters, the base year, the model version and the model's fingerprint (code and bundled data,
    :func:`computegrid.io.fingerprint.model_fingerprint`: a recalibrated base year or a new data file is
    never answered from an older network)."""
    from computegrid.grid.capacity_expansion import DEFAULT_EXPANSION
    from computegrid.io.fingerprint import model_fingerprint

    p = DEFAULT_EXPANSION if params is None else params
    key = hashlib.sha1(f"{MODEL_VERSION}|{BASE_YEAR}|{model_fingerprint()}|{sorted(asdict(p).items())}"
                       .encode()).hexdigest()[:10]
    return cache_dir() / "grid" / f"expansion-{year}-{resolution}-{key}.nc"


def expansion_problem(year: int = 2030, resolution: str = DEFAULT_RESOLUTION, params=None):
    """The unsolved expansion problem of ``year`` (what :func:`expanded_network` solves): the
    :data:`BASE_YEAR` fleet with the committed changes, the CO2 price in the fossil marginal costs and the
    extendable wind, solar, gas, coal, batteries and HVDC corridors
    (:func:`computegrid.grid.capacity_expansion.expand_network`). Solve it with the policy constraints
    (:func:`computegrid.grid.capacity_expansion.policy_constraints`)."""
    from computegrid.grid.capacity_expansion import DEFAULT_EXPANSION, expand_network
    from computegrid.grid.parameters import base_year_parameters

    check_year(year)
    p = DEFAULT_EXPANSION if params is None else params
    return expand_network(base_network(resolution, year), year, base_year=BASE_YEAR, params=p,
                          grid=base_year_parameters(BASE_YEAR))


@dataclass
class ExpansionRun:
    """A solved expansion network and how it was obtained."""

    network: object  # pypsa.Network, capacities fixed
    path: Path
    runtime_s: float  # build + solve, or reading the cache [s]
    cached: bool
    committed_mw: dict = field(default_factory=dict)


def expanded_network(year: int = 2030, resolution: str = DEFAULT_RESOLUTION, *, params=None,
                     use_cache: bool = True) -> ExpansionRun:
    """The solved grid of ``year``, from the cache or built, solved and cached now (minutes at rep12).

    Parameters
    ----------
    year : int
        2025..2030.
    resolution : str
        As in :func:`computegrid.grid.network.build_network` (``rep12``, ``3h``, ...).
    params : ExpansionParameters, optional
    use_cache : bool, default True
        Read the cached network if there is one; write it after solving.

    Returns
    -------
    ExpansionRun
    """
    from computegrid.grid.capacity_expansion import (
        DEFAULT_EXPANSION,
        fix_capacities,
        read_network,
        solve_expansion,
    )
    from computegrid.grid.network import parse_resolution

    check_year(year)
    parse_resolution(resolution)
    p = DEFAULT_EXPANSION if params is None else params
    path = expansion_cache_path(year, resolution, p)
    start = time.perf_counter()
    if use_cache and path.is_file():
        return ExpansionRun(read_network(path), path, time.perf_counter() - start, True)
    n = expansion_problem(year, resolution, p)
    solve_expansion(n, p)
    fix_capacities(n)
    runtime = time.perf_counter() - start
    n.meta = {**(n.meta or {}), "expansion_year": year, "base_year": BASE_YEAR, "runtime_s": runtime}
    if use_cache:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, lambda tmp: n.export_to_netcdf(str(tmp)))
    return ExpansionRun(n, path, runtime, False)


def _capacity_gw(n) -> dict:
    """Capacity by carrier: ``existing`` (the base fleet with the committed changes), ``new`` (built by the
    optimiser, ``"... new"`` components) and ``total``; generators and storage units of one carrier (hydro:
    run-of-river generators and reservoirs) are added up. [GW]"""
    from computegrid.grid.capacity_expansion import NEW

    rows = []
    for comp in (n.generators, n.storage_units):
        df = comp[comp.carrier != LOAD_SHEDDING_CARRIER]
        if df.empty:  # e.g. no storage units (an empty index read back from netCDF is not a string index)
            continue
        rows.append(pd.DataFrame({"carrier": df.carrier, "p_nom": df.p_nom,
                                  "new": df.index.str.endswith(NEW)}))
    df = pd.concat(rows)
    out = {}
    for carrier, grp in df.groupby("carrier"):
        new = float(grp.p_nom[grp["new"]].sum()) / MW_PER_GW
        total = float(grp.p_nom.sum()) / MW_PER_GW
        out[carrier] = {"existing": total - new, "new": new, "total": total}
    return out


def build_report(run: ExpansionRun, year: int, resolution: str) -> dict:
    """The figures of ``computegrid grid build --json`` for a solved expansion network."""
    from computegrid.grid import results as r
    from computegrid.grid.capacity_expansion import NEW

    n = run.network
    meta = getattr(n, "meta", None) or {}
    gen = r.generation_by_carrier_twh(n)
    curt = r.curtailment_by_carrier(n)
    wind = curt.loc[[c for c in ("onwind", "offwind") if c in curt.index]]
    wind_frac = float(wind.curtailed_twh.sum() / wind.available_twh.sum()) if len(wind) else 0.0
    solar_frac = float(curt.at["solar", "curtailment_frac"]) if "solar" in curt.index else 0.0
    by_prov = {}
    for key, carriers in (("wind", ("onwind", "offwind")), ("solar", ("solar",))):
        both = pd.concat([r.curtailment_by_province(n, c) for c in carriers]).groupby(level=0).sum()
        avail = both["available_twh"]
        cur = avail - both["generated_twh"]
        by_prov[key] = (cur / avail.where(avail > 0)).dropna().clip(lower=0.0).round(4).to_dict()
    vre = curt.loc[[c for c in VRE_CARRIERS if c in curt.index]]
    both_frac = float(vre.curtailed_twh.sum() / vre.available_twh.sum()) if len(vre) else 0.0
    fossil = float(gen.get("coal", 0.0) + gen.get("gas", 0.0))
    clean = float(sum(gen.get(c, 0.0) for c in ("nuclear", "hydro", "onwind", "offwind", "solar")))
    links = n.links
    added = links.index.str.endswith(NEW)
    demand = float(n.loads_t.p_set.mul(n.snapshot_weightings.objective, axis=0).sum().sum()) / MWH_PER_TWH
    return {
        "year": year, "resolution": resolution, "base_year": BASE_YEAR, "demand_twh": demand,
        "capacity_gw": _capacity_gw(n),
        "generation_twh": {k: float(v) for k, v in gen.items()},
        "curtailment_frac": {"wind": wind_frac, "solar": solar_frac},
        "curtailment_frac_wind_solar": both_frac,
        "curtailment_frac_by_province": by_prov,
        "non_fossil_share": clean / (clean + fossil) if clean + fossil > 0 else 0.0,
        "emission_factor_tco2_per_mwh": r.emission_factor_t_per_mwh(n),
        "emissions_mt": r.emissions_t(n) / 1e6,
        "unserved_energy_twh": r.unserved_energy_twh(n),
        "transmission_added_gw": float(links.p_nom[added].sum()) / MW_PER_GW,
        "corridor_use": [{"corridor": i, "capacity_mw": float(c.capacity_mw), "utilisation_frac":
                          float(c.utilisation_frac), "congested_frac": float(c.congested_frac)}
                         for i, c in r.corridor_use(n).head(15).iterrows()],
        "transmission_committed_gw": float(links.p_nom[links.index.str.contains(" ") & ~added].sum()) / MW_PER_GW,
        "committed_mw": meta.get("committed_mw", {}),
        "policy": {"wind_solar_min_gw": meta.get("wind_solar_min_mw", 0.0) / MW_PER_GW,
                   "battery_min_gw": meta.get("battery_min_mw", 0.0) / MW_PER_GW,
                   "wind_max_new_gw": meta.get("wind_max_new_mw", 0.0) / MW_PER_GW},
        "network_path": str(run.path), "cached": run.cached, "runtime_s": run.runtime_s,
        "build_runtime_s": float((getattr(n, "meta", None) or {}).get("runtime_s", run.runtime_s)),
    }
