"""Settings of the HTTP service, built by the entry point and passed to ``create_app``."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from computegrid.services.runs.run_worker import DEFAULT_PLAN_RUNNER
from computegrid.services.signals.signal_feed import DEFAULT_SIGNALS_BUILDER


@dataclass(frozen=True)
class ApiSettings:
    """Configuration of one service instance.

    Parameters
    ----------
    db_url : str
        SQLAlchemy URL of the run store (``sqlite:///computegrid.db`` or
        ``postgresql+psycopg://user@host/db``).
    runs_dir : Path
        Folder of planning-run results (``<run-id>/``).
    max_body_bytes : int
        Largest accepted request body; larger bodies get 413. [B]
        assumption: 1 MB holds a schedule batch of ~5,000 jobs, the largest request we expect.
    plan_time_limit_s : float
        Wall-clock limit of one planning run. [s]
    n_workers : int
        Planning runs executed at the same time. [-]
    plan_runner : str
        ``module:function`` that executes one planning run in the worker's child process.
    anonymous_rate_limit_per_s : float
        Request rate allowed per client address on the endpoints open without a key. [1/s]
    start_workers : bool
        Start the worker pool (tests of the HTTP layer alone can switch it off).
    auth_cache_s : float
        How long an authenticated key is remembered; a revoked key is refused at most this
        long after revocation (0: check the store on every request). [s]
    signals_path : Path, optional
        Signals file (CSV/Parquet) or run folder served by the signal endpoints; default: the
        newest published planning run, else the signals of ``signals_builder``.
    signals_builder : str, optional
        ``module:function`` returning the default signals (a tidy frame; see
        :mod:`computegrid.services.signals.signal_feed`), built once in the background on first use;
        ``None``: no default (503 until a run is published).
    max_active_runs_per_key, max_active_runs_total : int
        Queued plus running planning runs allowed to one key, and to all keys; more is 429. [-]
        assumption: 2 per key and 8 in all: with one worker, a queue of 8 runs at 3h, the finest
        resolution a key gets by default (110 s each, docs/planning.md), drains in 15 minutes.
    max_attempts : int
        Attempts of a run cut off by a crash or a stop before it is failed. [-]
    worker_memory_limit_bytes : int, optional
        Address-space limit (RLIMIT_AS) of each planning run's process. [B] assumption: 16 GiB,
        above the hourly run's 9.3 GB peak (docs/planning.md) with room for the address space
        that threads reserve without using it.
    max_points : int
        Most data points in one answer of the Carbon Aware SDK endpoints: tied best points
        beyond it are cut (the earliest kept; ``X-Total-Count`` says how many there were), and
        other queries for more are refused with 400. [-] assumption: 10,000 points (about
        1 MB of JSON), one year of hours at one location.
    forwarded_allow_ips : tuple of str
        Addresses of reverse proxies whose ``X-Forwarded-For`` is trusted; empty: none.
    health_cache_s : float
        How long ``/health`` reuses its run counts. [s]
    answer_cache_bytes : int
        Answers of the Carbon Aware SDK's ``bylocation(s)`` queries kept per HTTP process for
        identical queries on the same signals in the same hour (0: none). [B] assumption:
        16 MiB, 16 answers of the largest size (``max_points``) or thousands of small ones.
    feed_cache_s : float
        How long the served signals are reused before the store (published runs) and the
        signals file are checked again; a run published from another process is served at
        most this long later (0: check on every request). [s] assumption: 1 s, as the key
        cache: the check cost about as much as a small request (docs/service.md, "Load test").
    static_rate_limit_per_s : float
        Requests per second per client address to the dashboard's static files. [1/s]
    timeout_keep_alive_s, header_timeout_s : float
        Idle keep-alive connections are closed after the first, and a connection whose request
        head is not complete after the second. [s] assumption: 5 s (uvicorn's default) and
        10 s (a head is one packet in practice; nginx's client_header_timeout default is 60 s).
    max_connections : int
        Concurrent connections per HTTP process; more are answered 503. [-]
        assumption: 1,000, five seconds of the 200 req/s load target.
    prepare_signals_at_start : bool
        Load the served signals when the server starts, and start building the default signals
        then (in the background) if there is nothing else to serve; ``False``: on the first
        query that needs them. ``computegrid serve`` sets it.
    rate_limit_delay_s : float
        A request refused by the rate limiter (429) is answered after this delay (a tarpit; at most
        ``api.errors.TARPIT_MAX_HELD`` held at once): a client that floods in a
        closed loop is slowed to its connections / delay requests per second, at no CPU cost to the
        server, while normal clients, which wait ``Retry-After`` (1 s or more) anyway, lose nothing.
        0 turns it off. [s] assumption: 1 s, the smallest ``Retry-After`` the limiter sends; measured
        in docs/service.md (load test with the abusive client).
    """

    db_url: str = "sqlite:///computegrid.db"
    runs_dir: Path = field(default_factory=lambda: Path("runs"))
    max_body_bytes: int = 1_000_000
    plan_time_limit_s: float = 900.0
    n_workers: int = 1
    plan_runner: str = DEFAULT_PLAN_RUNNER
    anonymous_rate_limit_per_s: float = 50.0
    start_workers: bool = True
    signals_path: Path | None = None
    auth_cache_s: float = 1.0
    signals_builder: str | None = DEFAULT_SIGNALS_BUILDER
    max_active_runs_per_key: int = 2
    max_active_runs_total: int = 8
    max_attempts: int = 3
    worker_memory_limit_bytes: int | None = 16 * 2**30
    max_points: int = 10_000
    forwarded_allow_ips: tuple[str, ...] = ()
    health_cache_s: float = 2.0
    feed_cache_s: float = 1.0
    answer_cache_bytes: int = 16 * 2**20
    static_rate_limit_per_s: float = 5.0
    timeout_keep_alive_s: float = 5.0
    header_timeout_s: float = 10.0
    max_connections: int = 1000
    rate_limit_delay_s: float = 1.0
    prepare_signals_at_start: bool = False
