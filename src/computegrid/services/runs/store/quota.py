"""Run submission within the caps of queued + running runs, atomic across threads and processes.

Counting the active runs and then inserting one lets two submissions (two threads, or two
server processes on one store) both see room for one more run: measured in the load test
(benchmarks/load.py --abuse), a key with a cap of 2 had 3 runs active. Here the run is inserted
first and the active runs counted after, in one transaction: on SQLite the insert takes the
database's write lock, which the next submission waits for (``busy_timeout``); on PostgreSQL an
advisory lock is taken first. Either way the submissions are counted one after another.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy import func, insert, select, text

from computegrid.services.runs.store.store import RunRecord, RunStore, _now
from computegrid.services.runs.store.tables import runs

#: Key of the PostgreSQL advisory lock that serialises run submissions (any constant; assumption:
#: no other application takes advisory locks in this database).
QUOTA_LOCK_ID = 0x636772756E73  # "cgruns"


def create_run_within(store: RunStore, kind: str, params: dict[str, Any], key_id: int,
                      max_for_key: int, max_total: int) -> RunRecord | str:
    """Insert a queued run unless the key, or the service, would then have more than its cap.

    Parameters
    ----------
    store : RunStore
        The run store.
    kind, params, key_id
        As :meth:`RunStore.create_run`.
    max_for_key, max_total : int
        Queued + running runs allowed to the key, and to all keys. [-]

    Returns
    -------
    RunRecord or str
        The run, or ``"key"`` / ``"total"``: the cap that was reached (nothing is inserted).
    """
    run_id = uuid.uuid4().hex
    created = _now()
    active = select(func.count()).select_from(runs).where(runs.c.status.in_(("queued", "running")))
    with store.engine.connect() as conn, conn.begin() as tx:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": QUOTA_LOCK_ID})
        conn.execute(insert(runs).values(
            id=run_id, kind=kind, status="queued", params_json=json.dumps(params),
            created_at=created, attempts=0, key_id=key_id))
        if conn.execute(active.where(runs.c.key_id == key_id)).scalar_one() > max_for_key:
            over = "key"
        elif conn.execute(active).scalar_one() > max_total:
            over = "total"
        else:
            return RunRecord(run_id, kind, "queued", params, None, None, created, None, None, 0,
                             key_id)
        tx.rollback()
        return over
