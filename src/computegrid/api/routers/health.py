"""``GET /health``: liveness and store reachability (open, no key)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from computegrid import __version__
from computegrid.api.schemas import Health


def build_router() -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/health", response_model=Health, summary="Service health")
    def health(request: Request) -> Health:
        store = request.app.state.store
        return Health(status="ok", version=__version__, database=store.dialect,
                      runs_by_status=store.count_runs())

    return router
