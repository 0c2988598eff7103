"""Error responses: validation errors as 422 naming the field; no traceback ever reaches a client."""

from __future__ import annotations

import asyncio
import logging

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from computegrid.api.security import RateLimited
from computegrid.errors import ComputegridError, InputError

#: Most rate-limited requests held in the tarpit at once per HTTP process (assumption: a tenth of the
#: default 1,000 connections per process, ``ApiSettings.max_connections``; beyond it refusals are immediate).
TARPIT_MAX_HELD = 100

log = logging.getLogger("computegrid.api")


def _field(loc: tuple | list) -> str:
    return ".".join(str(part) for part in loc)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers on ``app``."""

    held = {"n": 0}  # refusals being held in the tarpit now (one event loop per app: no lock needed)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        # tarpit (ApiSettings.rate_limit_delay_s): a rate-limited request is answered late, which slows a
        # closed-loop flood at no CPU cost; at most TARPIT_MAX_HELD at once, so that held refusals never
        # take the connection slots (ApiSettings.max_connections) from other clients: beyond it, at once
        delay_s = request.app.state.settings.rate_limit_delay_s
        if isinstance(exc, RateLimited) and delay_s > 0 and held["n"] < TARPIT_MAX_HELD:
            held["n"] += 1
            try:
                await asyncio.sleep(delay_s)
            finally:
                held["n"] -= 1
        return await http_exception_handler(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        if request.url.path.startswith(("/emissions/", "/locations")):
            # Carbon Aware SDK endpoints answer bad input as the SDK does: 400, problem details.
            problems: dict[str, list[str]] = {}
            for e in exc.errors():
                loc = e.get("loc", ())
                problems.setdefault(str(loc[-1]) if loc else "?", []).append(e.get("msg", ""))
            return JSONResponse(status_code=400, media_type="application/problem+json", content={
                "type": "https://tools.ietf.org/html/rfc7231#section-6.5.1",
                "title": "One or more validation errors occurred.", "status": 400,
                "errors": problems})
        errors = [{"field": _field(e.get("loc", ())), "message": e.get("msg", ""),
                   "type": e.get("type", "")} for e in exc.errors()]
        first = errors[0] if errors else {"field": "?", "message": "invalid request"}
        return JSONResponse(status_code=422, content={
            "detail": errors, "error": f"{first['field']}: {first['message']}"})

    @app.exception_handler(InputError)
    async def _input(_request: Request, exc: InputError) -> JSONResponse:
        return JSONResponse(status_code=422, content={
            "detail": [{"field": exc.field, "message": exc.allowed, "value": str(exc.value)[:200],
                        "type": "input_error"}],
            "error": str(exc)})

    @app.exception_handler(ComputegridError)
    async def _domain(_request: Request, exc: ComputegridError) -> JSONResponse:
        return JSONResponse(status_code=422, content={"detail": [], "error": str(exc)})

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> JSONResponse:
        # The path only: query strings and headers may carry secrets.
        log.error("internal error on %s %s: %s", request.method, request.url.path,
                  type(exc).__name__)
        return JSONResponse(status_code=500, content={"detail": "internal error", "error":
                                                      f"internal error ({type(exc).__name__})"})
