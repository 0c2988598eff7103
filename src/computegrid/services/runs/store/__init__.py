"""Persistent store of API keys and planning runs (SQLAlchemy 2; SQLite by default, PostgreSQL).

The schema is owned by the Alembic migrations shipped in ``migrations/``; :func:`open_store`
applies them before returning a :class:`RunStore`. Nothing is opened at import.
"""

from computegrid.services.runs.store.store import (
    RUN_STATUSES,
    ApiKeyRecord,
    RunRecord,
    RunStore,
    hash_api_key,
    open_store,
)

__all__ = ["RUN_STATUSES", "ApiKeyRecord", "RunRecord", "RunStore", "hash_api_key", "open_store"]
