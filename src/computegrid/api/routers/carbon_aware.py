"""Carbon Aware SDK Web API compatible endpoints (read-only; open without a key).

``GET /emissions/bylocations/best`` and ``GET /emissions/forecasts/current`` with the SDK's
query parameters and JSON shapes (see tests/data/published/carbon-aware-sdk/SOURCE.md), serving
computegrid's marginal carbon intensity per site (g/kWh). Bad input is answered as the SDK does:
400 with a ``ValidationProblemDetails`` body.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse

from computegrid.api.routers.signals import current_feed
from computegrid.api.schemas import (
    CasEmissionsData,
    CasEmissionsDataDTO,
    CasEmissionsForecastDTO,
    CasValidationProblemDetails,
)
from computegrid.api.security import Caller, optional_key
from computegrid.errors import InputError
from computegrid.services.signals import carbon_aware

PREFIX = "/emissions"
_PROBLEM = {400: {"model": CasValidationProblemDetails, "description": "Bad Request"}}


def problem(field: str, message: str) -> JSONResponse:
    """400 with the SDK's ValidationProblemDetails body."""
    return JSONResponse(status_code=400, content={
        "type": "https://tools.ietf.org/html/rfc7231#section-6.5.1",
        "title": "One or more validation errors occurred.", "status": 400,
        "errors": {field: [message]}})


def _dto(p: carbon_aware.EmissionsPoint) -> CasEmissionsDataDTO:
    return CasEmissionsDataDTO(location=p.location, timestamp=p.time, duration=p.duration_min,
                               value=p.rating_g_per_kwh)


def build_router() -> APIRouter:
    router = APIRouter(prefix=PREFIX, tags=["carbon-aware-sdk"])

    @router.get("/bylocations/best", response_model=list[CasEmissionsData],
                responses={204: {"description": "No data in the period"}, **_PROBLEM},
                operation_id="GetBestEmissionsDataForLocationsByTime",
                summary="Best (lowest) carbon intensity among locations in a period "
                        "(Carbon Aware SDK)")
    async def best(request: Request,
             location: list[str] = Query(..., max_length=100, description="site ids (repeat)"),
             time: datetime | None = Query(None, description="start of the period"),
             toTime: datetime | None = Query(None, description="end of the period"),  # noqa: N803
             durationMinutes: int = Query(0, ge=0, le=525600,  # noqa: N803
                                          description="workload duration [min]"),
             _caller: Caller = Depends(optional_key)):
        feed = current_feed(request)
        try:
            points = carbon_aware.best_emissions(feed.intensity_g_per_kwh("marginal"), location,
                                                 time, toTime, durationMinutes)
        except InputError as exc:
            return problem(exc.field, str(exc))
        if not points:
            return Response(status_code=204)
        return [CasEmissionsData(location=p.location, time=p.time, rating=p.rating_g_per_kwh,
                                 duration=carbon_aware.timespan_hms(p.duration_min))
                for p in points]

    @router.get("/forecasts/current", response_model=list[CasEmissionsForecastDTO],
                responses=_PROBLEM, operation_id="GetCurrentForecastData",
                summary="Current forecast per location with its optimal window "
                        "(Carbon Aware SDK)")
    async def forecasts_current(
            request: Request,
            location: list[str] = Query(..., max_length=100, description="site ids (repeat)"),
            dataStartAt: datetime | None = Query(None),  # noqa: N803
            dataEndAt: datetime | None = Query(None),  # noqa: N803
            windowSize: int | None = Query(None, ge=0, le=525600,  # noqa: N803
                                           description="workload duration [min]"),
            _caller: Caller = Depends(optional_key)):
        feed = current_feed(request)
        try:
            forecasts = carbon_aware.current_forecasts(
                feed.intensity_g_per_kwh("marginal"), location, carbon_aware.utc_now(),
                dataStartAt, dataEndAt, windowSize)
        except InputError as exc:
            return problem(exc.field, str(exc))
        return [CasEmissionsForecastDTO(
            generatedAt=f.generated_at, requestedAt=f.requested_at, location=f.location,
            dataStartAt=f.data_start_at, dataEndAt=f.data_end_at, windowSize=f.window_size_min,
            optimalDataPoints=[_dto(p) for p in f.optimal_data_points],
            forecastData=[_dto(p) for p in f.forecast_data]) for f in forecasts]

    return router
