"""Use case: run the base-year dispatch and compare it with official statistics."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import pandas as pd

from computegrid.datasets.grid import load_official_2020

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
    extra: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        """The JSON object printed by ``computegrid grid validate --json``."""
        return {
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


def validate_base_year(year: int = 2020, resolution: str = "3h", n_corridors: int = 5) -> ValidationReport:
    """Solve the base-year dispatch and compare national figures with the official ones.

    Parameters
    ----------
    year : int, default 2020
        Only 2020 has official figures bundled.
    resolution : str, default "3h"
        Time resolution (``"1h"``, ``"<N>h"``, ``"rep<K>"``).
    n_corridors : int, default 5
        Number of most congested corridors to report.

    Returns
    -------
    ValidationReport
    """
    if int(year) != 2020:
        from computegrid.errors import InputError

        raise InputError("--year", year, "2020 (the only year with bundled official statistics)")
    from computegrid.grid import results as R
    from computegrid.grid.network import build_network
    from computegrid.grid.solve import solve_network

    start = time.perf_counter()
    n = build_network(year, resolution)
    solved = solve_network(n)
    gen = R.generation_by_carrier_twh(n)
    cur = R.curtailment_by_carrier(n)
    g = {
        "coal": float(gen.get("coal", 0.0)), "gas": float(gen.get("gas", 0.0)),
        "hydro": float(gen.get("hydro", 0.0)), "nuclear": float(gen.get("nuclear", 0.0)),
        "wind": float(gen.get("onwind", 0.0) + gen.get("offwind", 0.0)),
        "solar": float(gen.get("solar", 0.0)),
    }
    g["thermal"] = g["coal"] + g["gas"]
    wind_avail = float(cur.loc[[c for c in ("onwind", "offwind") if c in cur.index], "available_twh"].sum())
    wind_cur = float(cur.loc[[c for c in ("onwind", "offwind") if c in cur.index], "curtailed_twh"].sum())
    curtail = {"wind": wind_cur / wind_avail if wind_avail else 0.0,
               "solar": float(cur.at["solar", "curtailment_frac"]) if "solar" in cur.index else 0.0}
    ef = R.emission_factor_t_per_mwh(n)
    official, sources = _official_dict(load_official_2020())
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
                            runtime_s=time.perf_counter() - start)
