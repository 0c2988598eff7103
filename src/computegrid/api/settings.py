"""Settings of the HTTP service, built by the entry point and passed to ``create_app``."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from computegrid.services.runs.run_worker import DEFAULT_PLAN_RUNNER


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
        newest succeeded planning run that wrote ``signals.parquet``.
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
    auth_cache_s: float = 5.0
