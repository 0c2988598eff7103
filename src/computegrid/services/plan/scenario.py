"""Planning scenarios as files: load, override (``--set key=value``), validate, write a template.

A scenario is a YAML file with the structure of the packaged default ``china-2030``
(``services/plan/scenarios/china-2030.yaml``), which documents every field and its source. Unknown
keys, negative loads, unknown sites and latency limits that no site can meet are rejected with one
:class:`~computegrid.errors.InputError`.
"""

from __future__ import annotations

import copy
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from computegrid.errors import InputError
from computegrid.grid.coplan_ranges import RANGE_TIME_BUDGET_S

DEFAULT_SCENARIO = "china-2030"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ClassConfig(_Strict):
    share_frac: float = Field(ge=0.0, le=1.0)
    rtt_max_ms: float | None = Field(default=None, gt=0.0)
    window: Literal["hour", "day", "week", "horizon"]
    floor_frac: float = Field(default=0.0, ge=0.0, le=1.0)
    profile: Literal["measured", "diurnal", "flat"] = "flat"


class AiConfig(_Strict):
    facility_energy_twh_per_year: float = Field(ge=0.0)
    reference_pue: float = Field(default=1.25, ge=1.0)
    origin_weights: Literal["gdp-2023"] | dict[str, float] = "gdp-2023"
    classes: dict[str, ClassConfig]


class SiteOverride(_Strict):
    pue: float | None = Field(default=None, ge=1.0)
    capacity_max_mw: float | None = Field(default=None, ge=0.0)
    capex_annualised_cny_per_kw_it_yr: float | None = Field(default=None, ge=0.0)


class SitesConfig(_Strict):
    include: Literal["all"] | list[str] = "all"
    overrides: dict[str, SiteOverride] = {}


class LatencyConfig(_Strict):
    route_factor: float = Field(default=1.5, ge=1.0)
    equipment_ms: float = Field(default=0.2, ge=0.0)


class CostsConfig(_Strict):
    carbon_price_cny_per_t: float = Field(default=100.0, ge=0.0)
    voll_cny_per_mwh: float = Field(default=30_000.0, gt=0.0)


class GridResponsiveConfig(_Strict):
    #: largest share of each site's AI energy the grid may curtail (Norris et al., Duke 2025, study
    #: curtailment rates of 0.25 %, 0.5 % and 1 %; 0.5 % the default) [-]
    curtailed_share_max_frac: float = Field(default=0.005, ge=0.0, le=1.0)
    #: cost of one MWh of curtailed facility energy; null = the hardware annuity per hour of the
    #: site's accelerators (sites.csv: capex_it, lifetime_it, discount rate) / PUE [CNY/MWh]
    curtailment_cost_cny_per_mwh: float | None = Field(default=None, ge=0.0)


class FleetConfig(_Strict):
    wind_capacity_gw: float | None = Field(default=None, ge=0.0)
    solar_capacity_gw: float | None = Field(default=None, ge=0.0)
    nuclear_capacity_gw: float | None = Field(default=None, ge=0.0)
    coal_capacity_gw: float | None = Field(default=None, ge=0.0)
    gas_capacity_gw: float | None = Field(default=None, ge=0.0)


class ScenarioConfig(_Strict):
    """A validated planning scenario (see the packaged ``china-2030.yaml`` for every field)."""

    name: str
    year: int = Field(ge=2020, le=2060)
    resolution: str | None = None
    #: "expansion": the grid of ``year`` built by brownfield capacity expansion from the 2024 fleet
    #: (``computegrid grid build``, cached); "base-2020": the 2020 fleet, scaled by ``fleet``.
    grid: Literal["expansion", "base-2020"] = "base-2020"
    fleet: FleetConfig = FleetConfig()
    ai: AiConfig
    sites: SitesConfig = SitesConfig()
    latency: LatencyConfig = LatencyConfig()
    costs: CostsConfig = CostsConfig()
    grid_responsive: GridResponsiveConfig = GridResponsiveConfig()
    expand: bool = False
    #: wall-clock budget of the co-optimised plan's near-optimal capacity ranges (``summary.json:
    #: degeneracy``); a range not finished in it is reported as not finished; 0 computes none; at most
    #: one day (assumption: a bound that refuses infinite and mistyped budgets, far above any useful one) [s]
    degeneracy_time_budget_s: float = Field(default=RANGE_TIME_BUDGET_S, ge=0.0, le=86_400.0)


def default_scenario_text() -> str:
    """The packaged default scenario as YAML text (documented template)."""
    path = resources.files("computegrid.services.plan") / "scenarios" / f"{DEFAULT_SCENARIO}.yaml"
    return path.read_text(encoding="utf-8")


def _raw_from(source: str | Path | dict | None) -> tuple[dict, str]:
    if source is None or source == DEFAULT_SCENARIO:
        return yaml.safe_load(default_scenario_text()), DEFAULT_SCENARIO
    if isinstance(source, dict):
        return copy.deepcopy(source), "<dict>"
    path = Path(source)
    if not path.is_file():
        raise InputError("--scenario", str(source), f"allowed: an existing YAML file or '{DEFAULT_SCENARIO}'")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise InputError(str(path), "invalid YAML", f"a YAML mapping ({str(exc).splitlines()[0]})") from None
    if not isinstance(raw, dict):
        raise InputError(str(path), type(raw).__name__, "allowed: a YAML mapping at the top level")
    return raw, str(path)


def apply_overrides(raw: dict, overrides: list[str] | None) -> dict:
    """Apply ``key.sub=value`` overrides (values parsed as YAML) to a raw scenario mapping."""
    out = copy.deepcopy(raw)
    for item in overrides or []:
        if "=" not in item:
            raise InputError("--set", item, "allowed: key=value, e.g. costs.carbon_price_cny_per_t=200")
        key, value = item.split("=", 1)
        parts = [p for p in key.strip().split(".") if p]
        if not parts:
            raise InputError("--set", item, "allowed: key=value with a non-empty key")
        node = out
        for p in parts[:-1]:
            if not isinstance(node.get(p), dict):
                node[p] = {} if p not in node else node[p]
                if not isinstance(node[p], dict):
                    raise InputError("--set", key, "allowed: a key path into the scenario mapping")
            node = node[p]
        try:
            node[parts[-1]] = yaml.safe_load(value)
        except yaml.YAMLError:
            node[parts[-1]] = value
    return out


def _first_error(exc: ValidationError, origin: str) -> InputError:
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err["loc"])
    kind = err.get("type", "")
    if kind == "extra_forbidden":
        return InputError(f"{origin}: {loc}", "unknown key", "allowed: the keys of the template "
                          "(computegrid scenario init FILE)")
    if kind == "missing":
        return InputError(f"{origin}: {loc}", "missing", "required key")
    return InputError(f"{origin}: {loc}", err.get("input"), err.get("msg", "invalid value"))


def load_scenario(source: str | Path | dict | None = None, overrides: list[str] | None = None) -> ScenarioConfig:
    """Load a scenario file (or the default) and apply ``--set`` overrides; validate its shape.

    Semantic checks that need the grid data (sites, latency reach) happen in
    :func:`computegrid.services.plan.inputs.prepare`.
    """
    raw, origin = _raw_from(source)
    raw = apply_overrides(raw, overrides)
    try:
        return ScenarioConfig.model_validate(raw)
    except ValidationError as exc:
        raise _first_error(exc, origin) from None


def write_template(path: str | Path, force: bool = False) -> Path:
    """Write the documented default scenario to ``path`` (atomically); refuse to overwrite."""
    target = Path(path)
    if target.exists() and not force:
        raise InputError("FILE", str(target), "allowed: a path that does not exist yet (or --force)")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_text(default_scenario_text(), encoding="utf-8")
    tmp.replace(target)
    return target


def scenario_dict(config: ScenarioConfig) -> dict[str, Any]:
    """The scenario as a plain mapping (for summary.json)."""
    return config.model_dump(mode="json")
