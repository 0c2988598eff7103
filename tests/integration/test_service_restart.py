"""A server restart loses nothing; concurrent submissions do not corrupt the store.

Real uvicorn servers in child processes, killed with SIGKILL in the middle of a run. Runs on
SQLite always and on PostgreSQL when COMPUTEGRID_TEST_PG_URL is set (skipped with the reason
otherwise).
"""

from __future__ import annotations

import json
import os
import signal
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from service_helpers import fresh_pg_url, pg_url_or_skip, server_process, wait_for

from computegrid.services.runs.store import open_store


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/store.db"
    return fresh_pg_url(pg_url_or_skip())


def _key(db_url: str) -> dict[str, str]:
    store = open_store(db_url)
    key, _ = store.create_key("restart-test", rate_limit_per_s=1000)
    store.close()
    return {"X-API-Key": key}


def _status(base, headers, run_id):
    return httpx.get(f"{base}/v1/plans/{run_id}", headers=headers, timeout=5).json()


def test_restart_mid_run_loses_nothing(db_url, tmp_path):
    runs_dir = tmp_path / "runs"
    headers = _key(db_url)
    with server_process(db_url, runs_dir, n_workers=1, log_path=tmp_path / "server1.log") as (base, proc):
        long_run = httpx.post(f"{base}/v1/plans", headers=headers, timeout=5,
                              json={"scenario": "long", "overrides": {"sleep_s": 60}}).json()
        queued = [httpx.post(f"{base}/v1/plans", headers=headers, timeout=5,
                             json={"scenario": f"q{i}", "overrides": {"tag": i}}).json()
                  for i in range(3)]
        wait_for(lambda: _status(base, headers, long_run["id"])["status"] == "running", 30)
        assert all(_status(base, headers, r["id"])["status"] == "queued" for r in queued)
        os.killpg(proc.pid, signal.SIGKILL)  # crash: no chance to clean up
        proc.wait(10)

    with server_process(db_url, runs_dir, n_workers=2, log_path=tmp_path / "server2.log") as (base, _):
        # the crashed server's lease on the long run expires (10 s) and the run starts again
        # (attempt 2 of 3); nothing is lost
        restarted = wait_for(lambda: (s := _status(base, headers, long_run["id"]))["attempts"]
                             == 2 and s, 40)
        assert restarted["status"] in ("queued", "running")
        for i, run in enumerate(queued):  # the queued runs resume and finish after the restart
            done = wait_for(lambda r=run: (s := _status(base, headers, r["id"]))["status"]
                            in ("succeeded", "failed") and s, 60)
            assert done["status"] == "succeeded", done["error"]
            assert done["summary"]["tag"] == i
        listed = httpx.get(f"{base}/v1/plans", headers=headers, timeout=5).json()
        assert listed["count"] == 4
        assert _status(base, headers, long_run["id"])["status"] == "running"
    done = sorted(p.name for p in runs_dir.iterdir() if not p.name.startswith(".tmp-"))
    assert done == sorted(r["id"] for r in queued)


def test_concurrent_runs_do_not_corrupt_the_store(db_url, tmp_path):
    runs_dir = tmp_path / "runs"
    headers = _key(db_url)
    n_runs = 24
    with server_process(db_url, runs_dir, n_workers=3, log_path=tmp_path / "server.log") as (base, _):
        def submit(i):
            r = httpx.post(f"{base}/v1/plans", headers=headers, timeout=10,
                           json={"scenario": f"c{i}", "overrides": {"tag": i, "sleep_s": 0.05}})
            assert r.status_code == 202, r.text
            return r.json()["id"]

        with ThreadPoolExecutor(8) as pool:
            ids = list(pool.map(submit, range(n_runs)))
        assert len(set(ids)) == n_runs

        def all_done():
            runs = httpx.get(f"{base}/v1/plans?limit=500", headers=headers, timeout=5).json()["runs"]
            return runs if all(r["status"] in ("succeeded", "failed") for r in runs) else None

        runs = wait_for(all_done, 120)
    assert len(runs) == n_runs
    by_id = {r["id"]: r for r in runs}
    for i, run_id in enumerate(ids):
        run = by_id[run_id]
        assert run["status"] == "succeeded", run["error"]
        assert run["summary"]["tag"] == i  # each run got its own result
        on_disk = json.loads((runs_dir / run_id / "summary.json").read_text())
        assert on_disk["tag"] == i
    store = open_store(db_url)
    try:
        assert store.count_runs()["succeeded"] == n_runs
        assert all(r.attempts == 1 for r in store.list_runs(limit=500))  # none ran twice
    finally:
        store.close()


def test_two_server_processes_share_one_store(db_url, tmp_path):
    """Runs submitted to either of two servers on one store each run exactly once; idle
    workers of one server pick up runs queued at the other."""
    runs_dir = tmp_path / "runs"
    headers = _key(db_url)
    with server_process(db_url, runs_dir, n_workers=1, log_path=tmp_path / "a.log") as (a, _), \
         server_process(db_url, runs_dir, n_workers=1, log_path=tmp_path / "b.log") as (b, _):
        ids = []
        for i in range(10):
            base = (a, b)[i % 2]
            r = httpx.post(f"{base}/v1/plans", headers=headers, timeout=10,
                           json={"scenario": f"m{i}", "overrides": {"tag": i, "sleep_s": 0.2}})
            assert r.status_code == 202
            ids.append(r.json()["id"])

        def all_done():
            runs = httpx.get(f"{b}/v1/plans?limit=100", headers=headers, timeout=5).json()["runs"]
            return runs if all(r["status"] == "succeeded" for r in runs) and len(runs) == 10 else None

        runs = wait_for(all_done, 120)
    assert {r["id"]: r["summary"]["tag"] for r in runs} == {run_id: i for i, run_id in enumerate(ids)}
    store = open_store(db_url)
    try:
        assert all(r.attempts == 1 for r in store.list_runs(limit=100))
    finally:
        store.close()
