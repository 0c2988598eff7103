"""The Carbon Aware SDK Web API (v1.8), read-only and open without a key.

Every endpoint of the SDK's ``CarbonAwareController`` and ``LocationsController`` with its query
parameters, bodies and JSON shapes (transcribed in tests/data/published/carbon-aware-sdk/).
``rating`` / ``value`` is the *marginal* carbon intensity of the served signals (what the SDK
documents for its sources: "the marginal carbon intensity ... g/kWh"), and
``/emissions/average-carbon-intensity`` the *average* intensity, both in g/kWh. Handlers are
plain functions, so that FastAPI runs them in its thread pool, off the event loop.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Body, Depends, Request, Response
from fastapi.responses import JSONResponse

from computegrid.api.answer_cache import CachedAnswer
from computegrid.api.routers.signals import POINTS_PER_REQUEST, current_feed
from computegrid.api.schemas import (
    CasCarbonIntensityDTO,
    CasEmissionsData,
    CasEmissionsForecastDTO,
    CasLocation,
    CasValidationProblemDetails,
)
from computegrid.api.sdk_params import (
    PROBLEM_JSON,
    SdkProblem,
    SdkQuery,
    body_items,
    from_input_error,
    parse_int,
    parse_time,
    problem_response,
)
from computegrid.api.security import Caller, charge, optional_key
from computegrid.errors import InputError
from computegrid.services.signals import carbon_aware as ca

#: Most requests in one batch body. [-] assumption: 100, the most locations one query may name.
MAX_BATCH = 100
# POINTS_PER_REQUEST: data points an answer may hold for the price of one request; larger
# answers cost more of the caller's rate limit. Measured (docs/service.md, "Limits"): one year
# of one location (8,760 points) takes 131 ms of CPU, so 100 points cost about 1.5 ms, as much
# as a small request.


def _charge_points(request: Request, caller: Caller, n_points: int) -> None:
    request.state.charged_points = n_points  # what a cached copy of the answer is charged
    charge(request, caller, n_points / POINTS_PER_REQUEST - 1)


def _cached(request: Request, caller: Caller, build) -> Response:
    """``_answer(build)``, or the same answer kept from an identical query on the same signals
    in the same hour (:mod:`computegrid.api.answer_cache`), charged as the first one was."""
    feed = current_feed(request)
    cache = request.app.state.answer_cache
    hour = ca.utc_now().replace(minute=0, second=0, microsecond=0)
    key = (request.scope["path"], request.scope.get("query_string", b""), hour)
    hit = cache.get(feed, key)
    if hit is not None:
        _charge_points(request, caller, hit.n_points)
        return Response(hit.body, status_code=hit.status, media_type=hit.media_type,
                        headers=dict(hit.headers))
    response = _answer(build)
    if response.status_code in (200, 204):
        vary = tuple((k, v) for k, v in response.headers.items() if k == "x-total-count")
        cache.put(feed, key, CachedAnswer(response.status_code, bytes(response.body),
                                          response.media_type, vary,
                                          getattr(request.state, "charged_points", 0)))
    return response


_PROBLEM = {400: {"model": CasValidationProblemDetails, "description": "Bad Request",
                  "content": {PROBLEM_JSON: {}}}}


def _q(name: str, kind: str = "string", required: bool = False, array: bool = False,
       description: str = "") -> dict:
    schema = {"type": "string", "format": "date-time"} if kind == "date-time" else (
        {"type": "integer", "format": "int32"} if kind == "int" else {"type": "string"})
    if array:
        schema = {"type": "array", "items": schema}
    return {"name": name, "in": "query", "required": required, "schema": schema,
            "description": description}


def _params(*params: dict) -> dict:
    return {"parameters": list(params)}


_LOCATION = _q("location", required=True, array=True,
               description="locations (GET /locations); repeat, or location[0]=, location[1]=")


def _z(t: datetime) -> str:
    """``YYYY-MM-DDThh:mm:ssZ`` of a UTC time (as ``strftime("%Y-%m-%dT%H:%M:%SZ")`` for the
    years 1000-9999, at a tenth of its cost: 8,760 points took 36 ms with strftime)."""
    return t.isoformat(timespec="seconds")[:19] + "Z"


def _emissions_data(points) -> list[dict]:
    spans: dict[int, str] = {}  # one duration per answer in practice: formatted once
    out = []
    for p in points:
        span = spans.get(p.duration_min)
        if span is None:
            span = spans[p.duration_min] = ca.timespan_hms(p.duration_min)
        out.append({"location": p.location, "time": _z(p.time), "rating": p.rating_g_per_kwh,
                    "duration": span})
    return out


def _dto(p) -> dict:
    return {"location": p.location, "timestamp": _z(p.time), "duration": p.duration_min,
            "value": p.rating_g_per_kwh}


def _forecast_dto(f, start, end, window) -> dict:
    data = [_dto(p) for p in f.forecast_data]
    return {"generatedAt": _z(f.generated_at), "requestedAt": _z(f.requested_at),
            "location": f.location,
            "dataStartAt": _z(start) if start else (data[0]["timestamp"] if data
                                                    else _z(f.data_start_at)),
            "dataEndAt": _z(end) if end else (data[-1]["timestamp"] if data
                                              else _z(f.data_end_at)),
            "windowSize": window or 0,
            "optimalDataPoints": [_dto(p) for p in f.optimal_data_points], "forecastData": data}


def _start_end(start, end, start_name: str, end_name: str) -> None:
    """The SDK's checks: start required if end given, start before end."""
    if end is not None and start is None:
        raise SdkProblem(start_name, f"{start_name} must be defined if {end_name} is defined")
    if start is not None and end is not None and not ca._utc(start, start_name) < ca._utc(
            end, end_name):
        raise SdkProblem(start_name, f"{start_name} must be before {end_name}")


def _answer(build):
    """Run ``build()``; SDK problems and service InputErrors become problem+json 400s."""
    try:
        return build()
    except SdkProblem as exc:
        return problem_response(exc.field, str(exc), exc.binding)
    except InputError as exc:
        problem = from_input_error(exc)
        return problem_response(problem.field, str(problem))


def build_router() -> APIRouter:  # noqa: C901 - one closure per SDK endpoint
    """The SDK's routes (eight endpoints).

    Longer than 60 lines: one closure per SDK endpoint, each with its parameters documented.
    """
    router = APIRouter(tags=["carbon-aware-sdk"])

    def by_locations(request: Request, caller: Caller, locations: list[str], start,
                     end) -> Response:
        feed = current_feed(request)
        start = start or ca.utc_now()
        points = ca.emissions_data(feed.intensity_g_per_kwh("marginal"), locations, start, end,
                                   request.app.state.settings.max_points)
        _charge_points(request, caller, len(points))
        return JSONResponse(_emissions_data(points)) if points else Response(status_code=204)

    @router.get("/emissions/bylocations/best", response_model=list[CasEmissionsData],
                responses={204: {"description": "No data in the period"}, **_PROBLEM},
                operation_id="GetBestEmissionsDataForLocationsByTime",
                summary="Best (lowest) marginal carbon intensity among locations in a period",
                openapi_extra=_params(_LOCATION, _q("time", "date-time"),
                                      _q("toTime", "date-time"),
                                      _q("durationMinutes", "int", description="computegrid "
                                         "extension: workload length [min], rating = its mean")))
    def best(request: Request, caller: Caller = Depends(optional_key)):
        def build():
            q = SdkQuery(request)
            start, end = q.time("time"), q.time("toTime")
            _start_end(start, end, "time", "toTime")
            duration = q.integer("durationMinutes") or 0
            feed = current_feed(request)
            start = start or ca.utc_now()
            kept, total = ca.best_emissions_capped(
                feed.intensity_g_per_kwh("marginal"), q.strings("location"), start, end,
                duration, request.app.state.settings.max_points)
            if not kept:
                return Response(status_code=204)
            _charge_points(request, caller, len(kept))
            return JSONResponse(_emissions_data(kept), headers={"X-Total-Count": str(total)})
        return _cached(request, caller, build)

    @router.get("/emissions/bylocations", response_model=list[CasEmissionsData],
                responses={204: {"description": "No data"}, **_PROBLEM},
                operation_id="GetEmissionsDataForLocationsByTime",
                summary="Marginal carbon intensity of locations, hour by hour, in a period",
                openapi_extra=_params(_LOCATION, _q("time", "date-time"),
                                      _q("toTime", "date-time")))
    def bylocations(request: Request, caller: Caller = Depends(optional_key)):
        def build():
            q = SdkQuery(request)
            start, end = q.time("time"), q.time("toTime")
            _start_end(start, end, "time", "toTime")
            return by_locations(request, caller, q.strings("location"), start, end)
        return _cached(request, caller, build)

    @router.get("/emissions/bylocation", response_model=list[CasEmissionsData],
                responses={204: {"description": "No data"}, **_PROBLEM},
                operation_id="GetEmissionsDataForLocationByTime",
                summary="Marginal carbon intensity of one location, hour by hour, in a period",
                openapi_extra=_params(_q("location", required=True), _q("time", "date-time"),
                                      _q("toTime", "date-time")))
    def bylocation(request: Request, caller: Caller = Depends(optional_key)):
        def build():
            q = SdkQuery(request)
            start, end = q.time("time"), q.time("toTime")
            _start_end(start, end, "time", "toTime")
            location = q.string("location")
            return by_locations(request, caller, [location] if location else [], start, end)
        return _cached(request, caller, build)

    @router.get("/emissions/forecasts/current", response_model=list[CasEmissionsForecastDTO],
                responses=_PROBLEM, operation_id="GetCurrentForecastData",
                summary="Current forecast per location with its optimal windows",
                openapi_extra=_params(_LOCATION, _q("dataStartAt", "date-time"),
                                      _q("dataEndAt", "date-time"), _q("windowSize", "int")))
    def forecasts_current(request: Request, caller: Caller = Depends(optional_key)):
        def build():
            q = SdkQuery(request)
            start, end = q.time("dataStartAt"), q.time("dataEndAt")
            window = q.integer("windowSize")
            return JSONResponse(_forecasts(request, caller, q.strings("location"), ca.utc_now(),
                                           start, end, window)[0])
        return _answer(build)

    @router.post("/emissions/forecasts/batch", response_model=list[CasEmissionsForecastDTO],
                 responses=_PROBLEM, operation_id="BatchForecastDataAsync",
                 summary="Forecasts as they were at given times (one per request), with their "
                         "optimal windows")
    def forecasts_batch(request: Request, body: list = Body(..., description=(
            "array of EmissionsForecastBatchParametersDTO: requestedAt, location (required), "
            "dataStartAt, dataEndAt, windowSize")),
            caller: Caller = Depends(optional_key)):
        def build():
            out, budget = [], request.app.state.settings.max_points
            for item in body_items(body, ("requestedAt", "location"), MAX_BATCH):
                requested = parse_time(item.get("requestedat"), "requestedAt")
                start = parse_time(item.get("datastartat"), "dataStartAt")
                end = parse_time(item.get("dataendat"), "dataEndAt")
                window = parse_int(item.get("windowsize"), "windowSize")
                # the cap on points holds for the whole answer, not each item
                dtos, n_points = _forecasts(request, caller, [str(item["location"])], requested,
                                            start, end, window, budget)
                out += dtos
                budget -= n_points
            return JSONResponse(out)
        return _answer(build)

    def _forecasts(request, caller, locations, now, start, end, window,
                   budget: int | None = None) -> tuple[list[dict], int]:
        """The forecasts' DTOs and their number of points; a query over ``budget`` points (default:
        ``max_points``) is refused before any point is built."""
        feed = current_feed(request)
        budget = request.app.state.settings.max_points if budget is None else budget
        forecasts = ca.current_forecasts(feed.intensity_g_per_kwh("marginal"), locations, now,
                                         start, end, window, max_points=budget)
        n_points = sum(len(f.forecast_data) for f in forecasts)
        _charge_points(request, caller, 2 * n_points)  # the forecast and its optimal points
        return [_forecast_dto(f, start, end, window) for f in forecasts], n_points

    @router.get("/emissions/average-carbon-intensity", response_model=CasCarbonIntensityDTO,
                responses=_PROBLEM, operation_id="GetAverageCarbonIntensity",
                summary="Average carbon intensity of one location over a period",
                openapi_extra=_params(_q("location", required=True),
                                      _q("startTime", "date-time", required=True),
                                      _q("endTime", "date-time", required=True)))
    def average(request: Request, caller: Caller = Depends(optional_key)):
        def build():
            q = SdkQuery(request)
            item = {"location": q.string("location"), "starttime": q.string("startTime"),
                    "endtime": q.string("endTime")}
            return JSONResponse(_average(request, item))
        return _answer(build)

    @router.post("/emissions/average-carbon-intensity/batch",
                 response_model=list[CasCarbonIntensityDTO], responses=_PROBLEM,
                 operation_id="GetAverageCarbonIntensityBatch",
                 summary="Average carbon intensity of periods (one per request)")
    def average_batch(request: Request, body: list = Body(..., description=(
            "array of CarbonIntensityBatchParametersDTO: location, startTime, endTime "
            "(all required)")), caller: Caller = Depends(optional_key)):
        def build():
            items = body_items(body, ("location", "startTime", "endTime"), MAX_BATCH)
            charge(request, caller, len(items) - 1)
            return JSONResponse([_average(request, item) for item in items])
        return _answer(build)

    def _average(request, item: dict) -> dict:
        for name in ("location", "startTime", "endTime"):
            if item.get(name.lower()) in (None, ""):
                raise SdkProblem(name, f"{name} is not set")
        start = parse_time(item["starttime"], "startTime")
        end = parse_time(item["endtime"], "endTime")
        feed = current_feed(request)
        value = ca.average_intensity(feed.intensity_g_per_kwh("average"), str(item["location"]),
                                     start, end)
        return {"location": str(item["location"]), "startTime": _z(ca._utc(start, "startTime")),
                "endTime": _z(ca._utc(end, "endTime")), "carbonIntensity": value}

    @router.get("/locations", response_model=dict[str, CasLocation],
                responses={204: {"description": "No locations"}}, operation_id="GetAllLocations",
                summary="Every location (sites and provinces) with its coordinates")
    def locations(request: Request, caller: Caller = Depends(optional_key)):
        return JSONResponse(ca.location_catalog())

    return router
