"""``GET /health``: liveness and store reachability (open, no key; rate-limited per address)."""

from __future__ import annotations

import threading
import time

from fastapi import APIRouter, Request

from computegrid import __version__
from computegrid.api.schemas import Health
from computegrid.api.security import open_rate_limit


class _CachedCounts:
    """The store's run counts, reused for ``ttl_s`` seconds (one query per period, not per call)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._at = -float("inf")
        self._counts: dict[str, int] = {}

    def get(self, store, ttl_s: float) -> dict[str, int]:
        with self._lock:
            if time.monotonic() - self._at > ttl_s:
                self._counts = store.count_runs()
                self._at = time.monotonic()
            return dict(self._counts)


def build_router() -> APIRouter:
    router = APIRouter(tags=["health"])
    counts = _CachedCounts()

    @router.get("/health", response_model=Health, summary="Service health")
    def health(request: Request) -> Health:
        open_rate_limit(request)
        store = request.app.state.store
        return Health(status="ok", version=__version__, database=store.dialect,
                      runs_by_status=counts.get(store, request.app.state.settings.health_cache_s))

    return router
