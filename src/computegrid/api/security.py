"""API keys, per-key rate limits and the request-body size limit."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass

from fastapi import HTTPException, Request
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from computegrid.services.runs.store import ApiKeyRecord, RunStore, hash_api_key

API_KEY_HEADER = "X-API-Key"


class TokenBucketLimiter:
    """Token buckets keyed by API key id (or client address): ``rate`` tokens/s, burst 2 s.

    Buckets idle for ``idle_s`` are dropped (a bucket idle that long has refilled for any rate
    of at least ``2 / idle_s`` per second), at most every ``idle_s`` and whenever there are more
    than ``max_buckets``, so that traffic from many addresses cannot grow memory without bound.
    """

    def __init__(self, idle_s: float = 60.0, max_buckets: int = 100_000) -> None:
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()
        self.idle_s = idle_s
        self.max_buckets = max_buckets
        self._swept = time.monotonic()

    def __len__(self) -> int:
        return len(self._buckets)

    def _evict(self, now: float) -> None:
        self._swept = now
        # a bucket in debt (a large answer charged to it) is kept until it is out of debt,
        # whatever its idle time: evicting it would forgive the debt
        self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] <= self.idle_s or v[0] < 0.0}
        if len(self._buckets) > self.max_buckets:  # all busy: keep the debtors and the most recent
            debtors = {k: v for k, v in self._buckets.items() if v[0] < 0.0}
            recent = sorted(self._buckets.items(), key=lambda kv: kv[1][1])
            self._buckets = {**dict(recent[-(self.max_buckets // 2):]), **debtors}

    def allow(self, bucket: str, rate_per_s: float) -> tuple[bool, float]:
        """Take one token; returns (allowed, seconds until the next token)."""
        capacity = max(1.0, 2.0 * rate_per_s)
        now = time.monotonic()
        with self._lock:
            if len(self._buckets) >= self.max_buckets or now - self._swept > self.idle_s:
                self._evict(now)
            tokens, last = self._buckets.get(bucket, (capacity, now))
            tokens = min(capacity, tokens + (now - last) * rate_per_s)
            if tokens >= 1.0:
                self._buckets[bucket] = (tokens - 1.0, now)
                return True, 0.0
            self._buckets[bucket] = (tokens, now)
            return False, (1.0 - tokens) / rate_per_s

    def debit(self, bucket: str, rate_per_s: float, tokens: float) -> None:
        """Take ``tokens`` more from a bucket, into debt if need be: a large answer passes
        (the request was allowed), and the client waits ``debt / rate`` before its next one."""
        capacity = max(1.0, 2.0 * rate_per_s)
        now = time.monotonic()
        with self._lock:
            have, last = self._buckets.get(bucket, (capacity, now))
            have = min(capacity, have + (now - last) * rate_per_s)
            self._buckets[bucket] = (have - tokens, now)


@dataclass(frozen=True)
class Caller:
    """Who made a request: an API key, or an anonymous client address."""

    key: ApiKeyRecord | None
    client: str


def _presented_key(request: Request) -> str | None:
    key = request.headers.get(API_KEY_HEADER)
    if key:
        return key.strip()
    auth = request.headers.get("Authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return None


def client_address(request: Request) -> str:
    """The client's address for rate limits: the peer, or, when the peer is a configured proxy
    (``forwarded_allow_ips``), the nearest address in ``X-Forwarded-For`` that is not one."""
    peer = request.client.host if request.client else "?"
    trusted = request.app.state.settings.forwarded_allow_ips
    if not trusted or (peer not in trusted and "*" not in trusted):
        return peer
    hops = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if hop not in trusted:
            return hop[:100]
    return peer


def open_rate_limit(request: Request, rate_per_s: float | None = None, prefix: str = "anon") -> str:
    """Apply the per-address limit of the open endpoints; returns the address."""
    client = client_address(request)
    rate = rate_per_s or request.app.state.settings.anonymous_rate_limit_per_s
    _rate_limit(request, f"{prefix}:{client}", rate)
    return client


def charge(request: Request, caller: "Caller", tokens: float) -> None:
    """Charge a request ``tokens`` more (its size) to the caller's bucket: an expensive request
    costs as much of the rate limit as the cheap requests it stands for."""
    if tokens <= 0:
        return
    limiter: TokenBucketLimiter = request.app.state.limiter
    if caller.key is not None:
        limiter.debit(f"key:{caller.key.id}", caller.key.rate_limit_per_s, tokens)
    else:
        limiter.debit(f"anon:{caller.client}", request.app.state.settings.anonymous_rate_limit_per_s,
                      tokens)


class RateLimited(HTTPException):
    """429 of the token-bucket limiter (answered after the tarpit delay, ``api/errors.py``); other 429s,
    such as the run quotas, are answered at once."""


def _rate_limit(request: Request, bucket: str, rate_per_s: float) -> None:
    limiter: TokenBucketLimiter = request.app.state.limiter
    allowed, wait_s = limiter.allow(bucket, rate_per_s)
    if not allowed:
        raise RateLimited(status_code=429, detail="rate limit exceeded; retry later",
                            headers={"Retry-After": str(max(1, round(wait_s + 0.5)))})


class KeyCache:
    """Recently authenticated keys (by SHA-256), kept for ``ttl_s`` seconds.

    Saves a database query per request; a revoked key is refused at most ``ttl_s`` later.
    """

    def __init__(self, ttl_s: float):
        self.ttl_s = ttl_s
        self._entries: dict[str, tuple[float, ApiKeyRecord]] = {}
        self._lock = threading.Lock()

    def cached(self, key: str) -> tuple[bool, ApiKeyRecord | None]:
        """``(True, record)`` when ``key`` was authenticated less than ``ttl_s`` ago (``record``
        ``None`` if it has expired since), else ``(False, None)``: ask the store."""
        if self.ttl_s <= 0:
            return False, None
        with self._lock:
            hit = self._entries.get(hash_api_key(key))
        if hit is not None and time.monotonic() - hit[0] < self.ttl_s:
            return True, (hit[1] if hit[1].active() else None)
        return False, None

    def lookup(self, store: RunStore, key: str) -> ApiKeyRecord | None:
        """Ask the store (a database query: call it off the event loop) and remember.

        The entry is stamped with the time *before* the query, so that it never outlives
        ``ttl_s`` after the store state it read: a key revoked at time t is refused by every
        request that arrives after t + ``ttl_s``, in every process."""
        asked_at = time.monotonic()
        record = store.authenticate(key)
        if self.ttl_s > 0:
            digest = hash_api_key(key)
            with self._lock:
                if record is None:
                    self._entries.pop(digest, None)
                else:
                    if len(self._entries) > 10_000:  # bound memory under key-guessing traffic
                        self._entries.clear()
                    self._entries[digest] = (asked_at, record)
        return record


async def _authenticate(request: Request) -> ApiKeyRecord | None:
    """The presented key's record; the cache is read on the event loop (cheap), the store is
    asked in the thread pool (a database query)."""
    presented = _presented_key(request)
    if presented is None:
        return None
    cache: KeyCache = request.app.state.key_cache
    hit, record = cache.cached(presented)
    if not hit:
        record = await run_in_threadpool(cache.lookup, request.app.state.store, presented)
    if record is None:
        # Failed attempts count against the client address, so keys cannot be guessed fast.
        open_rate_limit(request)
        raise HTTPException(status_code=401, detail="invalid, expired or revoked API key",
                            headers={"WWW-Authenticate": "Bearer"})
    return record


async def require_key(request: Request) -> Caller:
    """Dependency: an active API key is required; applies the key's rate limit."""
    record = await _authenticate(request)
    if record is None:
        raise HTTPException(status_code=401,
                            detail=f"API key required: send it in the {API_KEY_HEADER} header "
                                   "(create one with `computegrid keys create`)",
                            headers={"WWW-Authenticate": "Bearer"})
    _rate_limit(request, f"key:{record.id}", record.rate_limit_per_s)
    return Caller(record, client_address(request))


def require_scope(scope: str):
    """Dependency factory: an active key whose scope includes ``scope`` (else 403)."""

    async def dependency(request: Request) -> Caller:
        caller = await require_key(request)
        if not caller.key.allows(scope):
            raise HTTPException(status_code=403, detail=f"this key's scope is "
                                f"'{caller.key.scope}'; this needs the '{scope}' scope "
                                f"(computegrid keys create --scope {scope})")
        return caller

    return dependency


async def optional_key(request: Request) -> Caller:
    """Dependency for open read-only endpoints: a key is optional (its own rate limit applies);
    without one, the per-address anonymous rate limit applies."""
    record = await _authenticate(request)
    if record is not None:
        _rate_limit(request, f"key:{record.id}", record.rate_limit_per_s)
        return Caller(record, client_address(request))
    return Caller(None, open_rate_limit(request))


class BodySizeLimitMiddleware:
    """Refuse request bodies larger than ``max_bytes`` with 413, declared or streamed."""

    def __init__(self, app: ASGIApp, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None:
            try:
                too_big = int(declared) > self.max_bytes
            except ValueError:
                too_big = True
            if too_big:
                await _send_413(send, self.max_bytes)
                return
        seen = 0
        responded = False

        async def limited_receive() -> Message:
            nonlocal seen, responded
            if responded:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    # Answer now and tell the app the client went away, so that it stops reading.
                    responded = True
                    await _send_413(send, self.max_bytes)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if not responded:
                await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            if not responded:
                raise


async def _send_413(send: Send, max_bytes: int) -> None:
    body = json.dumps({"detail": f"request body larger than {max_bytes} bytes"}).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def _reject_constant(name: str) -> None:
    raise ValueError(name)


class FiniteJsonMiddleware:
    """Refuse JSON bodies holding ``NaN``, ``Infinity`` or ``-Infinity`` with 422, on every
    endpoint: they are not JSON (RFC 8259), but Python's parser accepts them, and pydantic lets
    them through wherever a field allows any float (the overrides of a planning run)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers") or []) if scope["type"] == "http" else {}
        if b"json" not in headers.get(b"content-type", b""):
            await self.app(scope, receive, send)
            return
        messages, body = [], b""
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        try:
            json.loads(body or b"null", parse_constant=_reject_constant)
        except ValueError as exc:
            if str(exc) in ("NaN", "Infinity", "-Infinity"):
                await _send_json(send, 422, {
                    "detail": [{"field": "body", "message": f"{exc} is not a JSON number; send "
                                "finite numbers only", "type": "non_finite_number"}],
                    "error": f"body: {exc} is not a JSON number; send finite numbers only"})
                return  # other parse errors are the app's to report

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)


async def _send_json(send: Send, status: int, content: dict) -> None:
    body = json.dumps(content).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
