"""Named demand-outlook scenarios: the packaged YAML, validated into frozen records.

The file ``demand/data/outlook_scenarios.yaml`` holds a ``defaults`` block and one entry per named
scenario that overrides some of those defaults; every parameter carries a ``source``. Loading merges
each scenario over the defaults and validates every value (distribution shape and physical bounds),
so a bad file fails with one :class:`~computegrid.errors.InputError` line naming the parameter.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources

import yaml

from computegrid.demand.distributions import Bounds, Distribution, parse_distribution
from computegrid.errors import DataFileError, InputError

REGIONS_MODELLED = ("world", "china")
#: Regions reported by the outlook: the two modelled ones and China split by EDWC side.
REGIONS_REPORTED = ("world", "china", "china_east", "china_west")

_POS = Bounds(0.0, math.inf, open_low=True)
_FRAC = Bounds(0.0, 1.0)
_FRAC_POS = Bounds(0.0, 1.0, open_low=True)
_GROWTH = Bounds(-1.0, math.inf, open_low=True)

#: Parameters of each modelled region and their physical bounds.
REGION_PARAMETERS: dict[str, Bounds] = {
    "base_energy_twh": _POS,
    "ai_share_base_frac": _FRAC_POS,
    "conventional_growth_frac_per_year": _GROWTH,
    "compute_growth_factor_per_year": _POS,
    "growth_taper_frac_per_year": _FRAC_POS,
    "efficiency_gain_factor_per_year": _POS,
    "accelerators_shipped_base_units": _POS,
    "shipment_growth_frac_per_year": _GROWTH,
    "lifetime_years": Bounds(1.0, 15.0),
    "board_power_base_w": _POS,
    "board_power_growth_frac_per_year": _GROWTH,
    "server_overhead_factor": Bounds(1.0, 5.0),
    "utilisation_frac": _FRAC_POS,
    "pue": Bounds(1.0, 5.0),
    "bottom_up_weight_frac": _FRAC,
}
#: Scenario-wide distributions.
SCENARIO_PARAMETERS: dict[str, Bounds] = {
    "peak_to_average_ratio": Bounds(1.0, 3.0),
    "china_west_share_today_frac": _FRAC,
    "china_west_share_target_frac": _FRAC,
}
_SCENARIO_SCALARS = ("base_year", "fleet_base_year", "bottom_up_horizon_year",
                     "china_west_target_year", "china_split")
_TOP_KEYS = {"description", "stands_for", "regions", *SCENARIO_PARAMETERS, *_SCENARIO_SCALARS}
CHINA_SPLITS = ("stock", "targets")
YEAR_RANGE = (2015, 2060)


@dataclass(frozen=True)
class PublishedFigure:
    """A published figure a scenario stands for (shown by ``outlook --calibrate``)."""

    region: str
    year: int
    energy_twh: float
    energy_high_twh: float | None
    source: str


@dataclass(frozen=True)
class Scenario:
    """One validated outlook scenario (see the packaged YAML for every value and its source)."""

    name: str
    description: str
    base_year: int
    fleet_base_year: int
    bottom_up_horizon_year: int
    china_west_target_year: int
    china_split: str
    regions: Mapping[str, Mapping[str, Distribution]]
    scenario_params: Mapping[str, Distribution]
    stands_for: tuple[PublishedFigure, ...]


def _deep_merge(base: dict, override: Mapping) -> dict:
    out = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and "dist" not in value and isinstance(out.get(key), dict) \
                and "dist" not in out[key]:
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _int_year(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not (
            YEAR_RANGE[0] <= value <= YEAR_RANGE[1]):
        raise InputError(name, value, f"a year in {YEAR_RANGE[0]}-{YEAR_RANGE[1]}")
    return value


def parse_scenario(name: str, spec: Mapping, defaults: Mapping) -> Scenario:
    """Merge one scenario over the defaults and validate it."""
    if not isinstance(spec, Mapping):
        raise InputError(f"scenario {name}", spec, "a mapping of parameters")
    unknown = sorted(set(spec) - _TOP_KEYS)
    if unknown:
        raise InputError(f"scenario {name}", ", ".join(unknown), f"known keys: {', '.join(sorted(_TOP_KEYS))}")
    merged = _deep_merge(dict(defaults), spec)
    regions: dict[str, dict[str, Distribution]] = {}
    for region in REGIONS_MODELLED:
        rspec = merged.get("regions", {}).get(region)
        if not isinstance(rspec, Mapping):
            raise InputError(f"{name}.regions.{region}", rspec, "a mapping of region parameters")
        unknown = sorted(set(rspec) - set(REGION_PARAMETERS))
        if unknown:
            raise InputError(f"{name}.regions.{region}", ", ".join(unknown),
                             f"known parameters: {', '.join(REGION_PARAMETERS)}")
        regions[region] = {}
        for pname, bounds in REGION_PARAMETERS.items():
            if pname not in rspec:
                raise InputError(f"{name}.regions.{region}.{pname}", "missing", "a value with a source")
            regions[region][pname] = parse_distribution(rspec[pname], f"{name}.{region}.{pname}", bounds)
    scenario_params = {}
    for pname, bounds in SCENARIO_PARAMETERS.items():
        if pname not in merged:
            raise InputError(f"{name}.{pname}", "missing", "a value with a source")
        scenario_params[pname] = parse_distribution(merged[pname], f"{name}.{pname}", bounds)
    split = merged.get("china_split")
    if split not in CHINA_SPLITS:
        raise InputError(f"{name}.china_split", split, f"one of {', '.join(CHINA_SPLITS)}")
    figures = []
    for i, fig in enumerate(merged.get("stands_for", []) or []):
        try:
            high = fig.get("energy_high_twh")
            figures.append(PublishedFigure(str(fig["region"]), int(fig["year"]), float(fig["energy_twh"]),
                                           None if high is None else float(high), str(fig["source"])))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise InputError(f"{name}.stands_for[{i}]", fig,
                             "region, year, energy_twh, [energy_high_twh], source") from exc
    base_year = _int_year(f"{name}.base_year", merged.get("base_year"))
    horizon = _int_year(f"{name}.bottom_up_horizon_year", merged.get("bottom_up_horizon_year"))
    if horizon < base_year:
        raise InputError(f"{name}.bottom_up_horizon_year", horizon, f"a year >= base_year {base_year}")
    return Scenario(
        name=name,
        description=str(merged.get("description", "")).strip(),
        base_year=base_year,
        fleet_base_year=_int_year(f"{name}.fleet_base_year", merged.get("fleet_base_year")),
        bottom_up_horizon_year=horizon,
        china_west_target_year=_int_year(f"{name}.china_west_target_year",
                                         merged.get("china_west_target_year")),
        china_split=split,
        regions=regions,
        scenario_params=scenario_params,
        stands_for=tuple(figures),
    )


def load_scenario_file(text: str, origin: str = "outlook_scenarios.yaml") -> dict[str, Scenario]:
    """Parse and validate a scenario YAML document.

    Raises
    ------
    DataFileError
        The text is not YAML or lacks ``defaults``/``scenarios``.
    InputError
        A parameter is missing, unknown or impossible.
    """
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise DataFileError(origin, "invalid YAML", str(exc).splitlines()[0]) from exc
    if not isinstance(doc, Mapping) or not isinstance(doc.get("defaults"), Mapping) \
            or not isinstance(doc.get("scenarios"), Mapping) or not doc["scenarios"]:
        raise DataFileError(origin, "structure", "a mapping with 'defaults' and 'scenarios'")
    return {str(name): parse_scenario(str(name), spec, doc["defaults"])
            for name, spec in doc["scenarios"].items()}


def load_scenarios() -> dict[str, Scenario]:
    """The packaged named scenarios, validated, in file order."""
    text = resources.files("computegrid.demand").joinpath("data/outlook_scenarios.yaml").read_text(
        encoding="utf-8")
    return load_scenario_file(text)


def select_scenarios(names: list[str] | None, available: Mapping[str, Scenario],
                     field: str = "--scenario") -> list[Scenario]:
    """Pick scenarios by name (all when ``names`` is empty), rejecting unknown names."""
    if not names:
        return list(available.values())
    out = []
    for name in names:
        if name not in available:
            raise InputError(field, name, f"one of {', '.join(available)}")
        out.append(available[name])
    return out
