"""Use cases of ``computegrid estimate``: training, inference, fleet, GPU-year, CodeCarbon import.

Each function validates its inputs (field names are the CLI options, so a message points at what
the user typed), calls the pure estimators of :mod:`computegrid.workload` and returns a frozen
dataclass whose field names carry units. Shared by the CLI and the API.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from computegrid import units
from computegrid.errors import InputError
from computegrid.workload import comparisons, energy, inference
from computegrid.workload.checks import (
    require_at_least_one,
    require_count,
    require_fraction,
    require_non_negative,
    require_positive,
)
from computegrid.workload.hardware import HardwareCatalog


@dataclass(frozen=True)
class TrainingEstimate:
    """Energy and emissions of one training run (fields carry units)."""

    accelerator: str
    n_accelerators: int
    avg_power_w: float
    avg_power_basis: str
    duration_days: float
    duration_basis: str
    total_flops: float | None
    mfu_frac: float | None
    peak_tflops_per_accelerator: float | None
    pue: float
    energy_mwh: float
    carbon_intensity_kg_per_kwh: float | None
    emissions_tco2: float | None


@dataclass(frozen=True)
class InferenceEstimate:
    """Energy of a batch of inferences (fields carry units)."""

    task: str
    n_items: int
    energy_kwh: float
    energy_wh_per_item: float
    energy_wh_per_item_std: float | None
    smartphone_charges: float
    smartphone_charge_kwh: float
    source: str


@dataclass(frozen=True)
class FleetEstimate:
    """Annual electricity of a server fleet and the countries that use about as much."""

    server: str
    n_servers: int
    server_power_w: float
    utilisation_frac: float
    pue: float
    energy_twh_per_year: float
    closest_countries: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class GpuYearEstimate:
    """One accelerator running for a year, compared with households."""

    accelerator: str
    power_w: float
    utilisation_frac: float
    pue: float
    energy_kwh_per_year: float
    us_households: float
    china_households: float
    us_household_kwh_per_year: float
    china_household_kwh_per_year: float


@dataclass(frozen=True)
class CodecarbonSummary:
    """Totals of a CodeCarbon ``emissions.csv``."""

    n_runs: int
    duration_h: float
    energy_kwh: float
    emissions_kgco2: float
    implied_carbon_intensity_kg_per_kwh: float | None
    runs: list[dict] = field(default_factory=list)


def estimate_training(catalog: HardwareCatalog, accelerator: str, n_accelerators: int, *,
                      avg_power_w: float | None = None, days: float | None = None,
                      flops: float | None = None, parameters: float | None = None,
                      tokens: float | None = None, mfu: float | None = None, pue: float = 1.0,
                      carbon_intensity_kg_per_kwh: float | None = None) -> TrainingEstimate:
    """Energy of a training run from its duration, or from its compute.

    Give exactly one of ``days``, ``flops`` or ``parameters`` with ``tokens`` (6 N D); with
    compute, ``mfu`` is required and the duration is C / (n x peak x MFU) using the accelerator's
    peak dense FP16/BF16 TFLOPS from the catalog. Without ``avg_power_w`` the catalog's board power
    is used (an upper bound: measured averages are lower, e.g. 310 W vs 450 W TDP for TPU v3 in
    Patterson et al. 2021).
    """
    spec = catalog.get(accelerator, field="--accelerator")
    require_count(n_accelerators, "--n-accelerators")
    require_at_least_one(pue, "--pue")
    if avg_power_w is not None:
        require_positive(avg_power_w, "--avg-power-w")
    if carbon_intensity_kg_per_kwh is not None:
        require_non_negative(carbon_intensity_kg_per_kwh, "--carbon-intensity-kg-per-kwh")
    given = [name for name, v in (("--days", days), ("--flops", flops),
                                  ("--parameters", parameters)) if v is not None]
    if tokens is not None and parameters is None:
        raise InputError("--tokens", tokens, "use together with --parameters (compute = 6 x N x D)")
    if len(given) != 1:
        raise InputError(" / ".join(given) if given else "--days", "both" if given else "missing",
                         "exactly one of --days, --flops, or --parameters with --tokens")
    total_flops = None
    peak = spec.peak_tflops_fp16_dense
    if days is not None:
        require_positive(days, "--days")
        if mfu is not None:
            raise InputError("--mfu", mfu, "only with --flops or --parameters/--tokens")
        duration_h = units.days_to_hours(days)
        duration_basis = "given"
    else:
        if mfu is None:
            raise InputError("--mfu", "missing", "a fraction in (0, 1] when compute is given")
        require_fraction(mfu, "--mfu")
        if flops is not None:
            require_positive(flops, "--flops")
            total_flops = float(flops)
            duration_basis = "from --flops"
        else:
            if tokens is None:
                raise InputError("--tokens", "missing", "a number > 0 with --parameters")
            require_positive(parameters, "--parameters")
            require_positive(tokens, "--tokens")
            total_flops = float(energy.training_flops_from_parameters(parameters, tokens))
            duration_basis = "from 6 x --parameters x --tokens"
        if peak is None:
            raise InputError("--accelerator", accelerator,
                             "an accelerator with peak_tflops_fp16_dense in the catalog")
        duration_h = float(energy.training_duration_h(total_flops, n_accelerators, peak, mfu))
    power = float(avg_power_w) if avg_power_w is not None else spec.power_w
    e_mwh = float(energy.training_energy_mwh(n_accelerators, power, duration_h, pue))
    co2 = None
    if carbon_intensity_kg_per_kwh is not None:
        co2 = float(energy.emissions_tco2(e_mwh, carbon_intensity_kg_per_kwh))
    return TrainingEstimate(
        accelerator=spec.id, n_accelerators=int(n_accelerators), avg_power_w=power,
        avg_power_basis="given" if avg_power_w is not None else "catalog board power (upper bound)",
        duration_days=units.hours_to_days(duration_h), duration_basis=duration_basis,
        total_flops=total_flops, mfu_frac=mfu, peak_tflops_per_accelerator=peak, pue=float(pue),
        energy_mwh=e_mwh, carbon_intensity_kg_per_kwh=carbon_intensity_kg_per_kwh,
        emissions_tco2=co2)


def estimate_inference(table: pd.DataFrame, task: str, n_items: int,
                       charge_kwh: float = comparisons.SMARTPHONE_CHARGE_KWH) -> InferenceEstimate:
    """Energy of ``n_items`` inferences of ``task`` from the Luccioni et al. (2024) table."""
    row = inference.inference_task(table, task)
    require_count(n_items, "--n-items")
    e_kwh = float(inference.inference_energy_kwh(row.energy_kwh_per_1000_items_mean, n_items))
    std = row.energy_kwh_per_1000_items_std
    return InferenceEstimate(
        task=row.task, n_items=int(n_items), energy_kwh=e_kwh,
        energy_wh_per_item=float(inference.energy_wh_per_item(row.energy_kwh_per_1000_items_mean)),
        energy_wh_per_item_std=None if math.isnan(std) else std * units.WH_PER_KWH / 1000.0,
        smartphone_charges=float(comparisons.smartphone_charges(e_kwh, charge_kwh)),
        smartphone_charge_kwh=charge_kwh, source=row.source)


def estimate_fleet(catalog: HardwareCatalog, server: str, n_servers: int, utilisation: float = 1.0,
                   pue: float = 1.0, countries: pd.DataFrame | None = None,
                   n_countries: int = 3) -> FleetEstimate:
    """Annual electricity of ``n_servers`` catalog servers, with the closest countries."""
    spec = catalog.get(server, kind="server", field="--server")
    require_count(n_servers, "--servers")
    require_fraction(utilisation, "--utilisation")
    require_at_least_one(pue, "--pue")
    twh = float(energy.fleet_energy_twh_per_year(n_servers, spec.power_w, utilisation, pue))
    closest: list[dict] = []
    if countries is not None:
        near = comparisons.closest_countries(twh, countries, n=n_countries)
        closest = [
            {"country_name": r.country_name, "iso_code": r.iso_code, "year": int(r.year),
             "electricity_twh_per_year": float(r.electricity_generation_twh),
             "ratio": float(r.ratio)} for r in near.itertuples()]
    return FleetEstimate(server=spec.id, n_servers=int(n_servers), server_power_w=spec.power_w,
                         utilisation_frac=float(utilisation), pue=float(pue),
                         energy_twh_per_year=twh, closest_countries=closest)


def estimate_gpu_year(catalog: HardwareCatalog, accelerator: str, utilisation: float,
                      pue: float = 1.0) -> GpuYearEstimate:
    """One accelerator at board power x utilisation for 8,760 h, against households."""
    spec = catalog.get(accelerator, field="--accelerator")
    require_fraction(utilisation, "--utilisation")
    require_at_least_one(pue, "--pue")
    kwh = float(energy.accelerator_energy_kwh(spec.power_w, utilisation, units.HOURS_PER_YEAR, pue))
    return GpuYearEstimate(
        accelerator=spec.id, power_w=spec.power_w, utilisation_frac=float(utilisation),
        pue=float(pue), energy_kwh_per_year=kwh,
        us_households=float(comparisons.households_equivalent(
            kwh, comparisons.US_HOUSEHOLD_KWH_PER_YEAR)),
        china_households=float(comparisons.households_equivalent(
            kwh, comparisons.CHINA_HOUSEHOLD_KWH_PER_YEAR)),
        us_household_kwh_per_year=comparisons.US_HOUSEHOLD_KWH_PER_YEAR,
        china_household_kwh_per_year=comparisons.CHINA_HOUSEHOLD_KWH_PER_YEAR)


def summarise_codecarbon(runs: pd.DataFrame) -> CodecarbonSummary:
    """Totals of CodeCarbon runs (output of ``computegrid.io.codecarbon``)."""
    e_kwh = float(runs["energy_kwh"].sum())
    co2 = float(runs["emissions_kgco2"].sum())
    keep = [c for c in ("run_id", "project_name", "duration_s", "energy_kwh", "emissions_kgco2",
                        "country_iso_code") if c in runs.columns]
    return CodecarbonSummary(
        n_runs=len(runs), duration_h=float(units.seconds_to_hours(runs["duration_s"].sum())),
        energy_kwh=e_kwh, emissions_kgco2=co2,
        implied_carbon_intensity_kg_per_kwh=co2 / e_kwh if e_kwh > 0 else None,
        runs=runs[keep].to_dict(orient="records"))
