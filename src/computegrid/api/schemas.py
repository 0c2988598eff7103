"""Pydantic models of the API's requests and responses (field names carry units)."""

from __future__ import annotations

import dataclasses
import typing
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator

from computegrid.services.workload.estimate import FleetEstimate, InferenceEstimate, TrainingEstimate
from computegrid.services.plan.site_catalog import SiteInfo


def response_model(name: str, record: type, **field_types: Any) -> type[BaseModel]:
    """A response model with the fields of a service record (a frozen dataclass), all required.

    The service record stays the one definition of the fields and their units; ``field_types``
    replaces the type of a field where the API says more (``list[Country]`` for ``list[dict]``).
    """
    hints = typing.get_type_hints(record)
    fields = {f.name: (field_types.get(f.name, hints[f.name]), ...) for f in dataclasses.fields(record)}
    return create_model(name, **fields)


class Strict(BaseModel):
    """Request models refuse unknown fields, so that a typo is a 422, not a silent default."""

    model_config = ConfigDict(extra="forbid")


class Health(BaseModel):
    status: Literal["ok"]
    version: str
    database: str = Field(description="sqlite or postgresql")
    runs_by_status: dict[str, int]


# --- planning runs ----------------------------------------------------------------------------
OverrideValue = Annotated[float, Field(allow_inf_nan=False)] | int | str | bool


class PlanRequest(Strict):
    """A planning run: a named scenario with optional single-parameter overrides."""

    scenario: str = Field("china-2030", min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.-]+$",
                          description="name of a bundled scenario")
    overrides: dict[str, OverrideValue] = Field(
        default_factory=dict, max_length=50,
        description="single parameters to override, as `computegrid plan --set key=value`")
    resolution_h: int | None = Field(None, ge=1, le=24,
                                     description="time resolution of the model [h]")

    @field_validator("overrides")
    @classmethod
    def _finite_text(cls, overrides: dict) -> dict:
        """A number sent as text ("inf", "1e999", "NaN") is refused like a JSON one: the scenario
        loader would read it as a non-finite float."""
        import math

        for key, value in overrides.items():
            if isinstance(value, str):
                try:
                    number = float(value)
                except ValueError:
                    continue
                if not math.isfinite(number):
                    raise ValueError(f"overrides.{key}: {value!r} is not a finite number")
        return overrides


class PlanLinks(BaseModel):
    self: str
    report_html: str | None = None
    files: list[str] = Field(default_factory=list)


class PlanFigure(BaseModel):
    """One headline figure of a plan summary (``computegrid.services.plan.summary.HEADLINE_FIGURES``)."""

    key: str = Field(description="key in summary.scenarios.<case>")
    title: str = Field(description="label with its unit")
    unit: str
    scale: float = Field(description="displayed value = summary value x scale")


class PlanRun(BaseModel):
    id: str
    status: Literal["queued", "running", "succeeded", "failed"]
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    error: str | None = None
    params: dict[str, Any]
    summary: dict[str, Any] | None = None
    attempts: int = Field(0, description="times the run was started (restarts included)")
    published_at: datetime | None = Field(None, description="when an operator published the "
                                          "run's signals to the open endpoints")
    links: PlanLinks
    figures: list[PlanFigure] = Field(default_factory=list,
                                      description="headline figures of the summary, in display order")


class AiLoadResponse(BaseModel):
    run_id: str
    scenario: str
    timestamps: list[str] = Field(description="start of each time step (UTC)")
    ai_load_mw_by_site: dict[str, list[float]] = Field(
        description="facility power of AI load per site, mean over each step [MW]")


class PlanList(BaseModel):
    runs: list[PlanRun]
    count: int


# --- sites ------------------------------------------------------------------------------------
Site = response_model("Site", SiteInfo)


class SiteList(BaseModel):
    sites: list[Site]


# --- estimates --------------------------------------------------------------------------------
PositiveFloat = Field(gt=0, allow_inf_nan=False)


class TrainingEstimateRequest(Strict):
    """A training run: give exactly one of ``days``, ``flops``, or ``parameters`` + ``tokens``."""

    accelerator: str = Field(..., min_length=1, max_length=64, examples=["v100"])
    n_accelerators: int = Field(..., gt=0, le=10_000_000)
    avg_power_w: float | None = Field(None, gt=0, le=100_000, allow_inf_nan=False,
                                      description="mean power per accelerator [W]")
    days: float | None = Field(None, gt=0, le=36_500, allow_inf_nan=False)
    flops: float | None = Field(None, gt=0, le=1e35, allow_inf_nan=False)
    parameters: float | None = Field(None, gt=0, le=1e16, allow_inf_nan=False)
    tokens: float | None = Field(None, gt=0, le=1e18, allow_inf_nan=False)
    mfu: float | None = Field(None, gt=0, le=1, allow_inf_nan=False,
                              description="model FLOPs utilisation [-]")
    pue: float = Field(1.0, ge=1, le=5, allow_inf_nan=False)
    carbon_intensity_kg_per_kwh: float | None = Field(None, ge=0, le=5, allow_inf_nan=False)


TrainingEstimateResponse = response_model("TrainingEstimateResponse", TrainingEstimate)


class InferenceEstimateRequest(Strict):
    task: str = Field(..., min_length=1, max_length=64, examples=["image-generation"])
    n_items: int = Field(..., gt=0, le=10**15)


InferenceEstimateResponse = response_model("InferenceEstimateResponse", InferenceEstimate)


class FleetEstimateRequest(Strict):
    server: str = Field(..., min_length=1, max_length=64, examples=["dgx-h100"])
    n_servers: int = Field(..., gt=0, le=10**9)
    utilisation_frac: float = Field(1.0, gt=0, le=1, allow_inf_nan=False)
    pue: float = Field(1.0, ge=1, le=5, allow_inf_nan=False)


class Country(BaseModel):
    country_name: str
    iso_code: str | None
    year: int
    electricity_twh_per_year: float
    ratio: float


FleetEstimateResponse = response_model("FleetEstimateResponse", FleetEstimate,
                                       closest_countries=list[Country])


# --- signals ----------------------------------------------------------------------------------
class SiteSignalSeries(BaseModel):
    site: str
    curtailed_mw: list[float]
    price_cny_per_mwh: list[float]
    co2_avg_kg_per_mwh: list[float]
    co2_marginal_kg_per_mwh: list[float]


class SignalsResponse(BaseModel):
    source: str = Field(description="signals file or planning run the values come from")
    generated_at: datetime
    timestamps: list[datetime] = Field(description="hour starts (UTC); each value is the mean "
                                                   "over the hour")
    sites: list[SiteSignalSeries]


# --- Carbon Aware SDK Web API (camelCase, as the SDK) -----------------------------------------
class CasEmissionsData(BaseModel):
    """``EmissionsData`` of the Carbon Aware SDK: rating in g/kWh, duration as hh:mm:ss."""

    model_config = ConfigDict(extra="forbid")
    location: str | None
    time: datetime
    rating: float
    duration: str


class CasEmissionsDataDTO(BaseModel):
    """``EmissionsDataDTO`` of the Carbon Aware SDK: value in g/kWh, duration in minutes."""

    model_config = ConfigDict(extra="forbid")
    location: str | None
    timestamp: datetime
    duration: int
    value: float


class CasEmissionsForecastDTO(BaseModel):
    """``EmissionsForecastDTO`` of the Carbon Aware SDK."""

    model_config = ConfigDict(extra="forbid")
    generatedAt: datetime  # noqa: N815 - SDK field name
    requestedAt: datetime  # noqa: N815
    location: str | None
    dataStartAt: datetime  # noqa: N815
    dataEndAt: datetime  # noqa: N815
    windowSize: int  # noqa: N815
    optimalDataPoints: list[CasEmissionsDataDTO] | None  # noqa: N815
    forecastData: list[CasEmissionsDataDTO] | None  # noqa: N815


class CasCarbonIntensityDTO(BaseModel):
    """``CarbonIntensityDTO`` of the Carbon Aware SDK: average intensity in g/kWh."""

    model_config = ConfigDict(extra="forbid")
    location: str | None
    startTime: datetime | None  # noqa: N815 - SDK field name
    endTime: datetime | None  # noqa: N815
    carbonIntensity: float  # noqa: N815


class CasLocation(BaseModel):
    """``Location`` of the Carbon Aware SDK (a named place with its coordinates) [deg]."""

    latitude: float | None
    longitude: float | None
    name: str | None


class CasValidationProblemDetails(BaseModel):
    """``ValidationProblemDetails`` (RFC 7807) as the SDK returns on bad input."""

    type: str | None = None
    title: str | None = None
    status: int | None = None
    detail: str | None = None
    instance: str | None = None
    errors: dict[str, list[str]] | None = None


# --- scheduling -------------------------------------------------------------------------------
JobClassName = Literal["online", "batch", "training"]


class BestRequest(Strict):
    """One job: where and when should it run?"""

    job_class: JobClassName = Field("training", description="latency class: online 20 ms, "
                                    "batch 30 ms, training any site")
    duration_h: float = Field(..., gt=0, le=720, allow_inf_nan=False, description="run time [h]")
    n_accelerators: int | None = Field(None, gt=0, le=1_000_000)
    energy_mwh: float | None = Field(None, gt=0, le=1e6, allow_inf_nan=False,
                                     description="instead of n_accelerators: IT energy [MWh]")
    origin_province: str = Field(..., min_length=1, max_length=40, examples=["Shanghai"])
    latency_limit_ms: float | None = Field(None, gt=0, le=1000, allow_inf_nan=False,
                                           description="round-trip limit from the origin [ms]")
    earliest_start: datetime | None = Field(None, description="default: the current hour (UTC)")
    deadline: datetime | None = Field(None, description="latest end; default: the class's slack")
    n_alternatives: int = Field(2, ge=0, le=5, description="runner-up options at other sites")


class Placement(BaseModel):
    """Where and when one job runs."""

    site: str
    start_time: datetime
    end_time: datetime
    delay_h: float
    rtt_ms: float
    deadline_met: bool
    latency_met: bool


class PlacementOption(Placement):
    energy_mwh: float
    cost_cny: float
    emissions_marginal_tco2: float
    emissions_average_tco2: float
    curtailment_absorbed_mwh: float


class BestResponse(BaseModel):
    best: PlacementOption
    alternatives: list[PlacementOption]
    n_accelerators: int
    latency_limit_ms: float | None = Field(description="limit applied [ms]; null: any site")
    candidate_sites: list[str]
    signals_source: str


class ScheduleJob(Strict):
    job_id: str = Field(..., min_length=1, max_length=100)
    submit_time: datetime
    n_accelerators: int = Field(..., gt=0, le=1_000_000)
    duration_h: float = Field(..., gt=0, le=720, allow_inf_nan=False)
    origin_province: str = Field(..., min_length=1, max_length=40)
    job_class: JobClassName = "training"
    deadline_time: datetime | None = None
    slack_h: float | None = Field(None, ge=0, le=8760, allow_inf_nan=False)
    interruptible: bool = False


class ScheduleRequest(Strict):
    """A batch of jobs, sorted by submit time, and the policy that places them."""

    policy: Literal["fifo-local", "temporal", "spatial", "greedy"] = "greedy"
    jobs: list[ScheduleJob] = Field(..., min_length=1, max_length=5000)


class ScheduledJob(Placement):
    job_id: str


class ScheduleResponse(BaseModel):
    policy: str
    metrics: dict[str, float | int | str | bool | None] = Field(
        description="energy_mwh, cost_cny, emissions_marginal_tco2, emissions_average_tco2, "
                    "curtailment_absorbed_mwh, "
                    "mean_delay_h, p95_delay_h, deadline_misses, ...")
    schedule: list[ScheduledJob]
    signals_source: str
