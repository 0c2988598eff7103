"""The app factory: ``create_app(settings)`` wires the store, the worker pool and the routers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from computegrid import __version__
from computegrid.api import server
from computegrid.api.answer_cache import AnswerCache
from computegrid.api.errors import install_error_handlers
from computegrid.api.routers.signals import FeedMemo, prepare_feed
from computegrid.api.security import (
    BodySizeLimitMiddleware,
    FiniteJsonMiddleware,
    KeyCache,
    TokenBucketLimiter,
)
from computegrid.api.settings import ApiSettings
from computegrid.services.runs.run_worker import DEFAULT_PLAN_RUNNER, RunWorkerPool, WorkerSettings
from computegrid.services.schedule.placement import PlacementService
from computegrid.services.runs.store import open_store
from computegrid.services.signals.signal_feed import SignalFeedCache

DESCRIPTION = """computegrid over HTTP: AI energy estimates, hourly grid signals per site, the best
site and start time for a job, batch scheduling, planning runs, and endpoints compatible with the
Green Software Foundation Carbon Aware SDK Web API.

Send an API key in the `X-API-Key` header (or `Authorization: Bearer <key>`); `/health` and the
read-only signal queries are open without one."""


def _lifespan(settings: ApiSettings):
    """The app's ASGI lifespan: open (and migrate) the store, start the worker pool, prepare the
    signals, freeze the heap; close the pool and the store when the app stops."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = open_store(settings.db_url)
        pool = RunWorkerPool(store, WorkerSettings(
            runs_dir=settings.runs_dir, n_workers=settings.n_workers,
            time_limit_s=settings.plan_time_limit_s, runner=settings.plan_runner,
            max_attempts=settings.max_attempts,
            memory_limit_bytes=settings.worker_memory_limit_bytes))
        app.state.store = store
        app.state.pool = pool
        if settings.start_workers and settings.plan_runner == DEFAULT_PLAN_RUNNER:
            # POST /v1/plans checks resolutions with the grid model's parser: import it (and
            # PyPSA, seconds of CPU under the GIL) before serving, not in the middle of traffic.
            import computegrid.grid.network  # noqa: F401
        if settings.start_workers:
            pool.start()
        if settings.prepare_signals_at_start:
            prepare_feed(app)
        _freeze_startup_heap()
        try:
            yield
        finally:
            pool.stop()
            store.close()

    return lifespan


def create_app(settings: ApiSettings | None = None) -> FastAPI:
    """Build the FastAPI application.

    Parameters
    ----------
    settings : ApiSettings, optional
        Service configuration; defaults to ``ApiSettings()``.

    Returns
    -------
    FastAPI
        The app. The store is opened (and migrated) and the worker pool started when the app
        starts (ASGI lifespan), and both are closed when it stops.
    """
    settings = settings or ApiSettings()

    app = FastAPI(title="computegrid", version=__version__, description=DESCRIPTION,
                  lifespan=_lifespan(settings))
    app.state.settings = settings
    app.state.limiter = TokenBucketLimiter()
    app.state.key_cache = KeyCache(settings.auth_cache_s)
    app.state.placement = PlacementService()
    app.state.signal_cache = SignalFeedCache(settings.signals_path, settings.runs_dir,
                                             settings.signals_builder)
    app.state.feed_memo = FeedMemo(settings.feed_cache_s)
    app.state.answer_cache = AnswerCache(settings.answer_cache_bytes)
    app.add_middleware(FiniteJsonMiddleware)
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)  # outermost
    server.configure(settings.header_timeout_s)
    server.install_access_log_redactor()
    install_error_handlers(app)

    from computegrid.api.routers import ROUTER_MODULES

    import importlib

    for name in ROUTER_MODULES:
        module = importlib.import_module(f"computegrid.api.routers.{name}")
        app.include_router(module.build_router())
    return app


#: Modules the handlers import on first use; imported before serving so that their objects are
#: frozen with the rest (:func:`_freeze_startup_heap`).
_HANDLER_MODULES = ("computegrid.services.signals.carbon_aware", "computegrid.services.schedule.scheduler",
                    "computegrid.services.plan.plan_runs", "computegrid.services.plan.scenario")


def _freeze_startup_heap() -> None:
    """Import the handlers' modules, collect once, and move every object alive now to the
    garbage collector's permanent generation (``gc.freeze``).

    A full (generation-2) collection scans every tracked object and holds the GIL meanwhile:
    with PyPSA and pandas imported (about 280,000 objects) it took 480-500 ms on the development
    machine (2026-11-28), a stall of every request of this process whenever the collector ran
    one during serving. Frozen objects (modules, classes, the store) are never scanned again.
    """
    import gc
    import importlib

    for name in _HANDLER_MODULES:
        importlib.import_module(name)
    gc.collect()
    gc.freeze()


#: Environment variable through which ``computegrid serve --http-workers N`` hands the settings
#: to each uvicorn worker process.
SETTINGS_ENV = "COMPUTEGRID_API_SETTINGS"


def settings_to_env(settings: ApiSettings) -> str:
    """Serialise settings for :func:`app_from_env` (JSON)."""
    import dataclasses
    import json

    return json.dumps({k: (str(v) if isinstance(v, Path) else v)
                       for k, v in dataclasses.asdict(settings).items()})


def app_from_env() -> FastAPI:
    """App factory for uvicorn worker processes: settings from :data:`SETTINGS_ENV`."""
    import json
    import os

    raw = json.loads(os.environ[SETTINGS_ENV])
    for key in ("runs_dir", "signals_path"):
        if raw.get(key) is not None:
            raw[key] = Path(raw[key])
    raw["forwarded_allow_ips"] = tuple(raw.get("forwarded_allow_ips") or ())
    return create_app(ApiSettings(**raw))
