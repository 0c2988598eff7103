"""Table definitions of the run store (SQLAlchemy Core). The migrations create exactly these."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, Float, ForeignKey, Integer, MetaData, String, Table, Text

metadata = MetaData()

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(100), nullable=False),
    # First characters of the key, shown to operators to tell keys apart; not enough to use it.
    Column("key_prefix", String(16), nullable=False),
    # SHA-256 of the full key (hex). Keys are 256-bit random tokens, so a fast hash is enough
    # (brute force over 2**256 is infeasible); the plain key is never stored.
    Column("key_sha256", String(64), nullable=False, unique=True),
    Column("rate_limit_per_s", Float, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
    # Migration 0003: what the key may do (read < plan < admin), until when, the finest time
    # resolution of its planning runs [h], and whether its runs may expand capacity.
    Column("scope", String(16), nullable=False, default="plan"),
    Column("expires_at", DateTime(timezone=True), nullable=True),
    Column("min_resolution_h", Integer, nullable=False, default=3),
    Column("allow_expand", Boolean, nullable=False, default=False),
)

runs = Table(
    "runs",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("params_json", Text, nullable=False),
    Column("summary_json", Text, nullable=True),
    Column("error", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
    Column("started_at", DateTime(timezone=True), nullable=True),
    Column("finished_at", DateTime(timezone=True), nullable=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("key_id", Integer, ForeignKey("api_keys.id"), nullable=True, index=True),
    # Lease of a running run (migration 0002): the worker process holding it and its last
    # heartbeat; a run whose heartbeat is older than the lease lost its worker.
    Column("worker_id", String(100), nullable=True),
    Column("heartbeat_at", DateTime(timezone=True), nullable=True),
    # Migration 0003: when an operator published the run's signals to the open endpoints.
    Column("published_at", DateTime(timezone=True), nullable=True),
)
