"""``GET /v1/signals``: hourly grid signals per site (read-only; open without a key)."""

from __future__ import annotations

import time
from datetime import datetime

from fastapi import APIRouter, Depends, HTTPException, Query, Request

from computegrid.api.schemas import SignalsResponse, SiteSignalSeries
from computegrid.api.security import Caller, charge, optional_key
from computegrid.errors import InputError
from computegrid.services.signals.signal_feed import SignalFeed, SignalsNotReady


#: Values an answer may hold for the price of one request; larger answers cost more of the
#: caller's rate limit. [-] Measured (docs/service.md, "Limits"): one year of one location of
#: the SDK endpoints (8,760 points) takes 131 ms of CPU, so 100 points cost about 1.5 ms, as
#: much as a small request.
POINTS_PER_REQUEST = 100


class FeedMemo:
    """The feed last found by :func:`current_feed`, reused for ``ttl_s`` seconds, so that a
    request does not ask the store for the published runs and stat the signals file (a publish
    or a new file is served at most ``ttl_s`` later; publishing through this process's API
    clears it at once)."""

    def __init__(self, ttl_s: float) -> None:
        self.ttl_s = ttl_s
        self._entry: tuple[float, SignalFeed] | None = None  # replaced whole: no lock needed

    def get(self) -> SignalFeed | None:
        entry = self._entry
        if entry is not None and time.monotonic() < entry[0]:
            return entry[1]
        return None

    def put(self, feed: SignalFeed) -> None:
        if self.ttl_s > 0:
            self._entry = (time.monotonic() + self.ttl_s, feed)

    def clear(self) -> None:
        self._entry = None


def published_run_ids(app) -> list[str]:
    """Ids of the published succeeded runs, newest first (none asked when ``--signals`` is fixed)."""
    if app.state.signal_cache.signals_path:
        return []
    return [r.id for r in app.state.store.list_runs(limit=20, status="succeeded", published=True)]


def prepare_feed(app) -> None:
    """At start: load the signals to serve, or start building the default signals in the
    background (the signal endpoints answer 503 with ``Retry-After`` until they are ready), so
    that the time to ready counts from the start of the server, not from its first query."""
    try:
        app.state.signal_cache.current(published_run_ids(app))
    except (SignalsNotReady, InputError):
        pass  # being built, no default, or a bad file: the endpoints say so, the server starts


def current_feed(request: Request) -> SignalFeed:
    """The signals being served: ``--signals``, else the newest published run, else the default
    signals; 503 (with ``Retry-After`` while the default signals are built) when none is ready.
    Runs are served only once an operator published them, never because a key submitted them."""
    memo: FeedMemo = request.app.state.feed_memo
    feed = memo.get()
    if feed is not None:
        return feed
    cache = request.app.state.signal_cache
    try:
        feed = cache.current(published_run_ids(request.app))
    except SignalsNotReady as exc:
        headers = {"Retry-After": str(exc.retry_after_s)} if exc.retry_after_s else None
        raise HTTPException(503, str(exc), headers=headers) from None
    memo.put(feed)
    return feed


def build_router() -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["signals"])

    @router.get("/signals", response_model=SignalsResponse, summary="Hourly signals per site")
    def signals(request: Request,
                site: list[str] | None = Query(None, max_length=100,
                                               description="site id (repeat for several); "
                                                           "default: every site"),
                start: datetime | None = Query(None, description="first hour (UTC); default: "
                                                                 "the signals' first hour"),
                end: datetime | None = Query(None, description="end, exclusive; default: "
                                                               "24 h after start"),
                caller: Caller = Depends(optional_key)) -> SignalsResponse:
        feed = current_feed(request)
        sites = list(dict.fromkeys(site)) if site else list(feed.signals.sites)  # duplicates removed
        unknown = [s for s in sites if s not in feed.signals.sites]
        if unknown:
            raise InputError("query.site", unknown[0],
                             "a site id: " + ", ".join(feed.signals.sites))
        index, cols = feed.hours(start, end)
        max_points = request.app.state.settings.max_points
        if len(sites) * len(cols) > max_points:  # refused before the answer is built
            raise InputError("query.end", str(end) if end else "default",
                             f"a period x sites of at most {max_points} site-hours "
                             f"(asked: {len(sites)} sites x {len(cols)} h)")
        # a large answer costs as much of the caller's rate limit as the small ones it stands
        # for (4 values per site and hour; see carbon_aware.POINTS_PER_REQUEST)
        charge(request, caller, 4 * len(sites) * len(cols) / POINTS_PER_REQUEST - 1)
        pos = {s: i for i, s in enumerate(feed.signals.sites)}
        series = [SiteSignalSeries(site=s, **{name: feed.signals.values[name][pos[s], cols].tolist()
                                              for name in ("curtailed_mw", "price_cny_per_mwh",
                                                           "co2_avg_kg_per_mwh",
                                                           "co2_marginal_kg_per_mwh")})
                  for s in sites]
        return SignalsResponse(source=feed.source, generated_at=feed.generated_at,
                               timestamps=list(index.to_pydatetime()), sites=series)

    return router
