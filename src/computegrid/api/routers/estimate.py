"""``POST /v1/estimate/{training,inference,fleet}``: the AI energy estimators."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Depends

from computegrid.api.schemas import (
    FleetEstimateRequest,
    FleetEstimateResponse,
    InferenceEstimateRequest,
    InferenceEstimateResponse,
    TrainingEstimateRequest,
    TrainingEstimateResponse,
)
from computegrid.api.security import Caller, require_key
from computegrid.errors import InputError

# The estimators name CLI options in their errors; the API names the body field instead.
_FIELDS = {"--servers": "n_servers", "--utilisation": "utilisation_frac",
           "--carbon-intensity-kg-per-kwh": "carbon_intensity_kg_per_kwh"}


def _as_body_field(exc: InputError) -> InputError:
    names = [part.strip() for part in str(exc.field).split("/")]
    mapped = [_FIELDS.get(n, n.lstrip("-").replace("-", "_")) for n in names]
    return InputError(" / ".join(f"body.{m}" for m in mapped), exc.value, exc.allowed)


def build_router() -> APIRouter:
    router = APIRouter(prefix="/v1/estimate", tags=["estimate"])

    @router.post("/training", response_model=TrainingEstimateResponse,
                 summary="Energy and emissions of a training run")
    def training(body: TrainingEstimateRequest,
                 _caller: Caller = Depends(require_key)) -> TrainingEstimateResponse:
        from computegrid.datasets.workload import load_hardware_catalog
        from computegrid.services.workload.estimate import estimate_training

        try:
            est = estimate_training(load_hardware_catalog(), body.accelerator, body.n_accelerators,
                                    avg_power_w=body.avg_power_w, days=body.days, flops=body.flops,
                                    parameters=body.parameters, tokens=body.tokens, mfu=body.mfu,
                                    pue=body.pue,
                                    carbon_intensity_kg_per_kwh=body.carbon_intensity_kg_per_kwh)
        except InputError as exc:
            raise _as_body_field(exc) from None
        return TrainingEstimateResponse(**asdict(est))

    @router.post("/inference", response_model=InferenceEstimateResponse,
                 summary="Energy of inference requests (per-task table of Luccioni et al. 2024)")
    def inference(body: InferenceEstimateRequest,
                  _caller: Caller = Depends(require_key)) -> InferenceEstimateResponse:
        from computegrid.datasets.workload import load_luccioni_inference
        from computegrid.services.workload.estimate import estimate_inference

        try:
            est = estimate_inference(load_luccioni_inference(), body.task, body.n_items)
        except InputError as exc:
            raise _as_body_field(exc) from None
        return InferenceEstimateResponse(**asdict(est))

    @router.post("/fleet", response_model=FleetEstimateResponse,
                 summary="Annual electricity of a server fleet, with the closest countries")
    def fleet(body: FleetEstimateRequest,
              _caller: Caller = Depends(require_key)) -> FleetEstimateResponse:
        from computegrid.datasets.workload import load_country_electricity, load_hardware_catalog
        from computegrid.services.workload.estimate import estimate_fleet

        try:
            est = estimate_fleet(load_hardware_catalog(), body.server, body.n_servers,
                                 body.utilisation_frac, body.pue,
                                 countries=load_country_electricity())
        except InputError as exc:
            raise _as_body_field(exc) from None
        return FleetEstimateResponse(**asdict(est))

    return router
