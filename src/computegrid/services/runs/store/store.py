"""The run store: API keys (hashed) and planning runs with their status.

Runs move ``queued -> running -> succeeded | failed``. A worker claims a queued run with a
conditional update (``WHERE status = 'queued'``), so two workers, threads or processes never run
the same run twice, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any

from sqlalchemy import Engine, create_engine, event, func, insert, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from computegrid.errors import InputError
from computegrid.services.runs.store.keys import (
    check_expires_in_s,
    check_min_resolution_h,
    check_rate_limit,
    check_scope,
    scope_allows,
)
from computegrid.services.runs.store.tables import api_keys, runs

#: Run statuses, in lifecycle order.
RUN_STATUSES = ("queued", "running", "succeeded", "failed")

#: Prefix of every API key, so that leaked keys are recognisable by secret scanners.
KEY_PREFIX = "cg_"


def hash_api_key(key: str) -> str:
    """SHA-256 (hex) of an API key; what the store keeps instead of the key."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(ts: datetime | None) -> datetime | None:
    # SQLite returns naive datetimes; everything stored is UTC.
    if ts is None or ts.tzinfo is not None:
        return ts
    return ts.replace(tzinfo=UTC)


@dataclass(frozen=True)
class ApiKeyRecord:
    """An API key as stored (never the key itself); see :mod:`.keys` for scopes and limits."""

    id: int
    name: str
    key_prefix: str
    rate_limit_per_s: float
    created_at: datetime
    revoked_at: datetime | None
    scope: str = "plan"
    expires_at: datetime | None = None
    min_resolution_h: int = 3
    allow_expand: bool = False

    def allows(self, scope: str) -> bool:
        """Whether this key may do what needs ``scope``."""
        return scope_allows(self.scope, scope)

    def active(self, now: datetime | None = None) -> bool:
        """Not revoked and not expired."""
        now = now or _now()
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)


@dataclass(frozen=True)
class RunRecord:
    """A planning run and its status."""

    id: str
    kind: str
    status: str
    params: dict[str, Any]
    summary: dict[str, Any] | None
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    attempts: int
    key_id: int | None = None
    published_at: datetime | None = None


def _run_from_row(row: Any) -> RunRecord:
    return RunRecord(
        id=row.id, kind=row.kind, status=row.status, params=json.loads(row.params_json),
        summary=json.loads(row.summary_json) if row.summary_json else None, error=row.error,
        created_at=_aware(row.created_at), started_at=_aware(row.started_at),
        finished_at=_aware(row.finished_at), attempts=row.attempts or 0, key_id=row.key_id,
        published_at=_aware(row.published_at),
    )


class RunStore:
    """Keys and runs in one SQL database. Thread-safe: each call uses its own connection."""

    def __init__(self, engine: Engine):
        self.engine = engine

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    def close(self) -> None:
        """Release every pooled connection."""
        self.engine.dispose()

    # --- API keys -------------------------------------------------------------------------
    def create_key(self, name: str, rate_limit_per_s: float = 20.0, *, scope: str = "plan",
                   expires_in_s: float | None = None, min_resolution_h: int = 3,
                   allow_expand: bool = False) -> tuple[str, ApiKeyRecord]:
        """Create an API key; returns the key (shown once, never stored) and its record.

        Parameters
        ----------
        name : str
            Who or what uses the key (1-100 characters).
        rate_limit_per_s : float
            Requests per second allowed, finite and > 0. [1/s]
        scope : str
            ``read``, ``plan`` or ``admin`` (see :mod:`.keys`).
        expires_in_s : float, optional
            Lifetime from now; ``None``: no expiry. [s]
        min_resolution_h : int
            Finest time resolution of the key's planning runs. [h]
        allow_expand : bool
            Whether the key's planning runs may expand capacity (``expand: true``).
        """
        if not name or len(name) > 100:
            raise InputError("--name", name, "1 to 100 characters")
        rate = check_rate_limit(rate_limit_per_s)
        check_scope(scope)
        lifetime = check_expires_in_s(expires_in_s)
        check_min_resolution_h(min_resolution_h)
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        created = _now()
        expires = None if lifetime is None else created + timedelta(seconds=lifetime)
        values = dict(name=name, key_prefix=key[:10], key_sha256=hash_api_key(key),
                      rate_limit_per_s=rate, created_at=created, scope=scope, expires_at=expires,
                      min_resolution_h=int(min_resolution_h), allow_expand=bool(allow_expand))
        with self.engine.begin() as conn:
            key_id = conn.execute(insert(api_keys).values(**values)
                                  .returning(api_keys.c.id)).scalar_one()
        return key, ApiKeyRecord(key_id, name, key[:10], rate, created, None, scope, expires,
                                 int(min_resolution_h), bool(allow_expand))

    def revoke_key(self, key_id: int) -> ApiKeyRecord:
        """Revoke a key by id; raises ``InputError`` if there is no such key."""
        with self.engine.begin() as conn:
            conn.execute(update(api_keys).where(api_keys.c.id == key_id,
                                                api_keys.c.revoked_at.is_(None))
                         .values(revoked_at=_now()))
            row = conn.execute(select(api_keys).where(api_keys.c.id == key_id)).first()
        if row is None:
            raise InputError("KEY_ID", key_id, "the id of an existing key (computegrid keys list)")
        return self._key_from_row(row)

    def list_keys(self) -> list[ApiKeyRecord]:
        """All keys, revoked ones included, oldest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(api_keys).order_by(api_keys.c.id)).all()
        return [self._key_from_row(r) for r in rows]

    def authenticate(self, key: str) -> ApiKeyRecord | None:
        """The active key record matching ``key``, or ``None``."""
        if not key.startswith(KEY_PREFIX) or len(key) > 200:
            return None
        with self.engine.connect() as conn:
            row = conn.execute(select(api_keys).where(
                api_keys.c.key_sha256 == hash_api_key(key),
                api_keys.c.revoked_at.is_(None))).first()
        record = None if row is None else self._key_from_row(row)
        return record if record is not None and record.active() else None

    @staticmethod
    def _key_from_row(row: Any) -> ApiKeyRecord:
        return ApiKeyRecord(row.id, row.name, row.key_prefix, row.rate_limit_per_s,
                            _aware(row.created_at), _aware(row.revoked_at), row.scope,
                            _aware(row.expires_at), row.min_resolution_h, bool(row.allow_expand))

    # --- runs -----------------------------------------------------------------------------
    def create_run(self, kind: str, params: dict[str, Any], key_id: int | None = None) -> RunRecord:
        """Insert a queued run and return it."""
        run_id = uuid.uuid4().hex
        created = _now()
        with self.engine.begin() as conn:
            conn.execute(insert(runs).values(
                id=run_id, kind=kind, status="queued", params_json=json.dumps(params),
                created_at=created, attempts=0, key_id=key_id))
        return RunRecord(run_id, kind, "queued", params, None, None, created, None, None, 0,
                         key_id)

    def get_run(self, run_id: str) -> RunRecord | None:
        """One run, or ``None``."""
        with self.engine.connect() as conn:
            row = conn.execute(select(runs).where(runs.c.id == run_id)).first()
        return None if row is None else _run_from_row(row)

    def list_runs(self, limit: int = 100, status: str | None = None, key_id: int | None = None,
                  published: bool | None = None) -> list[RunRecord]:
        """Runs, newest first; only those of ``key_id`` if given; only published ones (or only
        unpublished ones) if ``published`` is given."""
        query = select(runs).order_by(runs.c.created_at.desc(), runs.c.id).limit(limit)
        if status is not None:
            query = query.where(runs.c.status == status)
        if key_id is not None:
            query = query.where(runs.c.key_id == key_id)
        if published is not None:
            query = query.where(runs.c.published_at.is_not(None) if published
                                else runs.c.published_at.is_(None))
        with self.engine.connect() as conn:
            return [_run_from_row(r) for r in conn.execute(query).all()]

    def count_active_runs(self, key_id: int | None = None) -> int:
        """Queued and running runs, of one key or of all."""
        query = select(func.count()).select_from(runs).where(
            runs.c.status.in_(("queued", "running")))
        if key_id is not None:
            query = query.where(runs.c.key_id == key_id)
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar_one())

    def publish_run(self, run_id: str) -> RunRecord:
        """Publish a succeeded run: the open endpoints may serve its signals."""
        with self.engine.begin() as conn:
            conn.execute(update(runs).where(runs.c.id == run_id, runs.c.status == "succeeded",
                                            runs.c.published_at.is_(None))
                         .values(published_at=_now()))
        run = self.get_run(run_id)
        if run is None or run.published_at is None:
            raise InputError("RUN_ID", run_id, "the id of a succeeded run (computegrid serve's "
                             "store; see GET /v1/plans)")
        return run

    def count_runs(self) -> dict[str, int]:
        """Number of runs per status."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(runs.c.status, func.count()).group_by(runs.c.status)).all()
        counts = dict.fromkeys(RUN_STATUSES, 0)
        counts.update({status: n for status, n in rows})
        return counts

    def claim_run(self, run_id: str, worker_id: str = "") -> bool:
        """Move a queued run to running, leased to ``worker_id``; ``False`` if another worker
        got it first."""
        now = _now()
        with self.engine.begin() as conn:
            result = conn.execute(
                update(runs).where(runs.c.id == run_id, runs.c.status == "queued")
                .values(status="running", started_at=now, attempts=runs.c.attempts + 1,
                        worker_id=worker_id[:100], heartbeat_at=now))
        return result.rowcount == 1

    def queued_run_ids(self, limit: int = 20) -> list[str]:
        """Ids of queued runs, oldest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(runs.c.id).where(runs.c.status == "queued")
                                .order_by(runs.c.created_at, runs.c.id).limit(limit)).all()
        return [r.id for r in rows]

    def heartbeat(self, run_ids: list[str], worker_id: str) -> None:
        """Renew the leases of the runs this worker is executing."""
        if not run_ids:
            return
        with self.engine.begin() as conn:
            conn.execute(update(runs).where(runs.c.id.in_(run_ids), runs.c.status == "running",
                                            runs.c.worker_id == worker_id[:100])
                         .values(heartbeat_at=_now()))

    def expire_leases(self, lease_s: float, max_attempts: int) -> tuple[list[str], list[str]]:
        """Requeue the running runs whose worker stopped renewing its lease (a crash); fail
        those that already had ``max_attempts`` attempts.

        Returns
        -------
        tuple of list of str
            Ids of the runs requeued, and of the runs marked failed.
        """
        cutoff = _now() - timedelta(seconds=lease_s)
        stale_when = (runs.c.status == "running") & (
            runs.c.heartbeat_at.is_(None) | (runs.c.heartbeat_at < cutoff))
        with self.engine.begin() as conn:
            stale = conn.execute(select(runs.c.id, runs.c.attempts).where(stale_when)).all()
            retry = [r.id for r in stale if (r.attempts or 0) < max_attempts]
            give_up = [r.id for r in stale if (r.attempts or 0) >= max_attempts]
            if retry:
                conn.execute(update(runs).where(runs.c.id.in_(retry), stale_when)
                             .values(status="queued", started_at=None, worker_id=None))
            if give_up:
                conn.execute(update(runs).where(runs.c.id.in_(give_up), stale_when)
                             .values(status="failed", finished_at=_now(),
                                     error=f"interrupted: the server stopped while the run was "
                                           f"running, {max_attempts} attempts; submit it again"))
        return retry, give_up

    def finish_run(self, run_id: str, summary: dict[str, Any]) -> None:
        """Mark a running run succeeded with its summary."""
        with self.engine.begin() as conn:
            conn.execute(update(runs).where(runs.c.id == run_id, runs.c.status == "running")
                         .values(status="succeeded", summary_json=json.dumps(summary),
                                 finished_at=_now(), error=None))

    def fail_run(self, run_id: str, reason: str) -> None:
        """Mark a queued or running run failed with a reason."""
        with self.engine.begin() as conn:
            conn.execute(update(runs).where(runs.c.id == run_id,
                                            runs.c.status.in_(("queued", "running")))
                         .values(status="failed", error=reason[:2000], finished_at=_now()))

    def requeue_run(self, run_id: str, max_attempts: int | None = None) -> str:
        """Put a running run back in the queue (graceful shutdown: it starts again later), or
        fail it when it already had ``max_attempts`` attempts. Returns the new status."""
        with self.engine.begin() as conn:
            row = conn.execute(select(runs.c.attempts).where(
                runs.c.id == run_id, runs.c.status == "running")).first()
            if row is None:
                return "unchanged"
            if max_attempts is not None and (row.attempts or 0) >= max_attempts:
                conn.execute(update(runs).where(runs.c.id == run_id, runs.c.status == "running")
                             .values(status="failed", finished_at=_now(),
                                     error=f"stopped {max_attempts} times while running "
                                           f"(server restarts); submit it again"))
                return "failed"
            conn.execute(update(runs).where(runs.c.id == run_id, runs.c.status == "running")
                         .values(status="queued", started_at=None))
        return "queued"


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")  # readers do not block the writer
    cur.execute("PRAGMA busy_timeout=10000")  # [ms] wait for a lock instead of failing
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def make_engine(db_url: str) -> Engine:
    """SQLAlchemy engine for ``sqlite:///path`` or ``postgresql+psycopg://...``."""
    try:
        url = make_url(db_url)
    except ArgumentError as exc:
        raise InputError("--db", db_url, "a database URL such as sqlite:///runs.db or "
                         "postgresql+psycopg://user@host/db") from exc
    if url.get_backend_name() == "postgresql" and url.get_driver_name() in ("", "psycopg2"):
        url = url.set(drivername="postgresql+psycopg")
    if url.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 10})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if url.get_backend_name() != "postgresql":
        raise InputError("--db", db_url, "a sqlite:// or postgresql:// URL")
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


def upgrade_schema(engine: Engine) -> None:
    """Apply every shipped Alembic migration (idempotent)."""
    from alembic import command
    from alembic.config import Config

    script_dir = resources.files("computegrid.services.runs.store") / "migrations"
    cfg = Config()
    cfg.set_main_option("script_location", str(script_dir))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def open_store(db_url: str) -> RunStore:
    """Open (and migrate) the store at ``db_url``."""
    engine = make_engine(db_url)
    upgrade_schema(engine)
    return RunStore(engine)
