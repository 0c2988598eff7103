"""Use case: run the base-year dispatch and compare it with official statistics."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import pandas as pd

from computegrid.datasets.grid_base_year import check_base_year, load_official
from computegrid.grid.carriers import LOAD_SHEDDING_CARRIER, VRE_CARRIERS

#: Keys of the comparison, in report order.
GENERATION_KEYS = ("coal", "gas", "hydro", "nuclear", "wind", "solar", "thermal")
#: Relative miss above which docs must explain the gap (issue 3).
MISS_THRESHOLD_FRAC = 0.15


@dataclass
class ValidationReport:
    """Modelled vs official base-year figures (field names are the JSON fields of ``grid validate``)."""

    year: int
    resolution: str
    generation_twh: dict
    curtailment_frac: dict
    emission_factor_tco2_per_mwh: float
    official: dict
    sources: dict
    miss_frac: dict
    congested_corridors: list
    unserved_energy_twh: float
    objective_cny: float
    runtime_s: float
    capacity_gw: dict = field(default_factory=dict)
    curtailment_frac_by_province: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        """The JSON object printed by ``computegrid grid validate --json``."""
        return {
            "capacity_gw": self.capacity_gw, "curtailment_frac_by_province": self.curtailment_frac_by_province,
            "year": self.year, "resolution": self.resolution,
            "generation_twh": self.generation_twh, "curtailment_frac": self.curtailment_frac,
            "emission_factor_tco2_per_mwh": self.emission_factor_tco2_per_mwh,
            "official": self.official, "official_sources": self.sources, "miss_frac": self.miss_frac,
            "congested_corridors": self.congested_corridors,
            "unserved_energy_twh": self.unserved_energy_twh, "objective_cny": self.objective_cny,
            "runtime_s": self.runtime_s,
        }


def _official_dict(table: pd.DataFrame) -> tuple[dict, dict]:
    official: dict = {"generation_twh": {}, "curtailment_frac": {}}
    sources: dict = {"generation_twh": {}, "curtailment_frac": {}}
    for key, row in table.iterrows():
        if "." in key:
            group, name = key.split(".", 1)
            official[group][name] = float(row["value"])
            sources[group][name] = row["source"]
        else:
            official[key] = float(row["value"])
            sources[key] = row["source"]
    return official, sources


def validate_base_year(year: int = 2020, resolution: str = "3h", n_corridors: int = 5,
                       fleet=None) -> ValidationReport:
    """Solve the base-year dispatch and compare national figures with the official ones.

    Parameters
    ----------
    year : {2020, 2024}
        Base year (fleet, corridors, demand and official statistics of that year).
    resolution : str, default "3h"
        Time resolution (``"1h"``, ``"<N>h"``, ``"rep<K>"``).
    n_corridors : int, default 5
        Number of most congested corridors to report.
    fleet : DataFrame, optional
        A fleet replacing the bundled one (:func:`computegrid.io.fleet_file.read_user_fleet`).

    Returns
    -------
    ValidationReport
    """
    year = check_base_year(year)
    from computegrid.grid import results as R
    from computegrid.grid.network import build_network
    from computegrid.grid.operations import combine, daily_flat_schedules, proportional_curtailment
    from computegrid.grid.parameters import base_year_parameters
    from computegrid.grid.solve import solve_network

    start = time.perf_counter()
    params = base_year_parameters(year)
    n = build_network(year, resolution, base_year=year, fleet=fleet, params=params)
    scheduled = params.daily_scheduled_corridors
    rules = combine(daily_flat_schedules(scheduled) if scheduled else None,
                    proportional_curtailment if params.proportional_curtailment else None)
    solved = solve_network(n, extra_functionality=rules)
    g, curtail, by_province = _modelled(n, R)
    ef = R.emission_factor_t_per_mwh(n)
    official, sources = _official_dict(load_official(year))
    miss = {"generation_twh": {k: g[k] / official["generation_twh"][k] - 1 for k in GENERATION_KEYS},
            "curtailment_frac": {k: curtail[k] - official["curtailment_frac"][k] for k in curtail},
            "emission_factor_tco2_per_mwh": ef / official["emission_factor_tco2_per_mwh"] - 1}
    use = R.corridor_use(n).head(n_corridors)
    corridors = [{"corridor": name, "capacity_mw": float(r["capacity_mw"]),
                  "congested_frac": float(r["congested_frac"]), "utilisation_frac": float(r["utilisation_frac"]),
                  "congestion_rent_cny": float(r.get("congestion_rent_cny", float("nan")))}
                 for name, r in use.iterrows()]
    return ValidationReport(year=year, resolution=resolution, generation_twh=g, curtailment_frac=curtail,
                            emission_factor_tco2_per_mwh=ef, official=official, sources=sources,
                            miss_frac=miss, congested_corridors=corridors,
                            unserved_energy_twh=R.unserved_energy_twh(n), objective_cny=solved.objective_cny,
                            runtime_s=time.perf_counter() - start, capacity_gw=_capacity_gw(n),
                            curtailment_frac_by_province=by_province)


def _modelled(n, R) -> tuple[dict, dict, dict]:
    """Generation by carrier [TWh], national and provincial curtailment of wind and solar [-]."""
    gen = R.generation_by_carrier_twh(n)
    cur = R.curtailment_by_carrier(n)
    g = {
        "coal": float(gen.get("coal", 0.0)), "gas": float(gen.get("gas", 0.0)),
        "hydro": float(gen.get("hydro", 0.0)), "nuclear": float(gen.get("nuclear", 0.0)),
        "wind": float(gen.get("onwind", 0.0) + gen.get("offwind", 0.0)),
        "solar": float(gen.get("solar", 0.0)),
    }
    g["thermal"] = g["coal"] + g["gas"]
    wind_rows = [c for c in ("onwind", "offwind") if c in cur.index]
    wind_avail = float(cur.loc[wind_rows, "available_twh"].sum())
    wind_cur = float(cur.loc[wind_rows, "curtailed_twh"].sum())
    curtail = {"wind": wind_cur / wind_avail if wind_avail else 0.0,
               "solar": float(cur.at["solar", "curtailment_frac"]) if "solar" in cur.index else 0.0}
    parts = {c: R.curtailment_by_province(n, c) for c in VRE_CARRIERS}
    wind = parts["onwind"].add(parts["offwind"], fill_value=0.0)
    both = wind.add(parts["solar"], fill_value=0.0)
    by_province = {}
    for key, df in (("wind", wind), ("solar", parts["solar"]), ("wind_and_solar", both)):
        avail = df["available_twh"]
        frac = (1 - df["generated_twh"] / avail.where(avail > 0)).fillna(0.0).clip(lower=0.0)
        by_province[key] = {str(p): round(float(v), 5) for p, v in frac.sort_values(ascending=False).items()}
    return g, curtail, by_province


def _capacity_gw(n) -> dict:
    """Capacity the model used by carrier (generators and storage power; battery energy too). [GW], [GWh]"""
    gen = n.generators[n.generators.carrier != LOAD_SHEDDING_CARRIER].groupby("carrier")["p_nom"].sum()
    sto = n.storage_units.groupby("carrier")["p_nom"].sum()
    out = {str(k): round(float(v) / 1e3, 3) for k, v in pd.concat([gen, sto]).groupby(level=0).sum().items()}
    bat = n.storage_units[n.storage_units.carrier == "battery"]
    out["battery_energy_gwh"] = round(float((bat.p_nom * bat.max_hours).sum()) / 1e3, 3)
    return out
