"""What the abusive client of the load test (benchmarks/load.py --abuse) costs the server: work
it can make the server do is done once, or refused before it is done (issue 17, Build 8)."""

from __future__ import annotations

import gc

import pytest
from fastapi.testclient import TestClient
from test_service_abuse import _key, _settings

from computegrid.api.app import create_app
from computegrid.api.routers import plans
from computegrid.services.plan import plan_runs


@pytest.fixture
def counted(monkeypatch):
    """Count the calls of check_plan_params (reads the scenario's YAML: 16 ms each)."""
    calls = []
    real = plan_runs.check_plan_params

    def counting(*args, **kw):
        calls.append(args)
        return real(*args, **kw)

    monkeypatch.setattr(plan_runs, "check_plan_params", counting)
    return calls


def test_queue_spam_over_the_quota_is_refused_before_its_parameters_are_read(tmp_path, counted):
    app = create_app(_settings(tmp_path, max_active_runs_per_key=1))
    with TestClient(app) as c:
        key, _ = _key(app)
        headers = {"X-API-Key": key}
        assert c.post("/v1/plans", json={"scenario": "china-2030"}, headers=headers).status_code == 202
        codes = [c.post("/v1/plans", json={"scenario": "china-2030", "overrides": {"x.y": i}},
                        headers=headers).status_code for i in range(5)]
    assert codes == [429] * 5
    assert len(counted) == 1  # the accepted run only: the refused ones were not parsed


def test_repeated_parameters_are_read_once(tmp_path, counted):
    app = create_app(_settings(tmp_path, max_active_runs_per_key=100, max_active_runs_total=100))
    with TestClient(app) as c:
        key, _ = _key(app)
        headers = {"X-API-Key": key}
        ok = [c.post("/v1/plans", json={"scenario": "china-2030"}, headers=headers).status_code
              for _ in range(3)]
        bad = [c.post("/v1/plans", json={"scenario": "china-2030",
                                         "overrides": {"costs.no_such_key": 1}},
                      headers=headers) for _ in range(3)]
    assert ok == [202] * 3
    assert [r.status_code for r in bad] == [422] * 3  # refused each time, with the same reason
    assert len({r.json()["error"] for r in bad}) == 1 and "costs.no_such_key" in bad[0].text
    assert len(counted) == 2  # once per parameter set


def test_a_new_parameter_set_costs_more_of_the_rate_limit(tmp_path, counted):
    # 4 requests/s, bursts of 8: a new set costs PARAMS_CHECK_REQUESTS (8) requests
    assert plans.PARAMS_CHECK_REQUESTS > 1
    app = create_app(_settings(tmp_path, max_active_runs_per_key=100, max_active_runs_total=100))
    with TestClient(app) as c:
        key, _ = _key(app, rate_limit_per_s=4.0)
        headers = {"X-API-Key": key}
        codes = [c.post("/v1/plans", json={"scenario": "china-2030",
                                           "overrides": {"costs.no_such_key": i}},
                        headers=headers).status_code for i in range(3)]
    assert codes == [422, 429, 429]
    assert len(counted) == 1


def test_the_heap_of_the_started_server_is_frozen(tmp_path):
    """A full garbage collection scanned the ~280,000 objects of the imported model (about
    0.5 s with the GIL held, docs/service.md); after start they are frozen and not scanned."""
    gc.unfreeze()
    app = create_app(_settings(tmp_path))
    with TestClient(app):
        assert gc.get_freeze_count() > 50_000


def test_runs_limit_themselves_without_a_fork_of_the_server(tmp_path, monkeypatch):
    """A run's child is at nice 19, in SCHED_IDLE and under its memory limit, set by the child
    itself: the server starts it without a ``preexec_fn`` (which makes subprocess fork the whole
    server, 20-40 ms with the GIL held) so that subprocess can use vfork."""
    import os
    import subprocess

    from service_helpers import child_env, wait_for

    from computegrid.services.runs.run_worker import RunWorkerPool, WorkerSettings
    from computegrid.services.runs.store import open_store

    monkeypatch.setenv("PYTHONPATH", child_env()["PYTHONPATH"])
    real_popen = subprocess.Popen
    seen = []

    def popen(*args, **kw):
        seen.append(kw.get("preexec_fn"))
        return real_popen(*args, **kw)

    monkeypatch.setattr(subprocess, "Popen", popen)
    store = open_store(f"sqlite:///{tmp_path}/p.db")
    pool = RunWorkerPool(store, WorkerSettings(runs_dir=tmp_path / "runs", time_limit_s=60,
                                               runner="service_helpers:priority_runner",
                                               memory_limit_bytes=3 * 2**30, poll_s=0.2))
    run = store.create_run("plan", {})
    pool.start()
    try:
        done = wait_for(lambda: (r := store.get_run(run.id)).status in ("succeeded", "failed")
                        and r, 60)
    finally:
        pool.stop()
        store.close()
    assert done.status == "succeeded", done.error
    assert seen == [None]
    assert done.summary["nice"] == 19 and done.summary["rlimit_as"] == 3 * 2**30
    if hasattr(os, "SCHED_IDLE"):
        assert done.summary["policy"] == os.SCHED_IDLE


def test_run_caps_hold_under_concurrent_submissions(tmp_path):
    """Found by the load test: count-then-insert let a key with a cap of 2 have 3 runs active
    (8 connections submitting at once, two server processes). Here 16 submissions at once
    through two stores (two engines, as two processes) get exactly the cap: of the key, then
    of the service."""
    import threading

    from computegrid.services.runs.store import open_store
    from computegrid.services.runs.store.quota import create_run_within

    db = f"sqlite:///{tmp_path}/q.db"
    stores = [open_store(db), open_store(db)]
    _, key = stores[0].create_key("spam")
    _, other = stores[0].create_key("other")

    def at_once(key_id: int, max_for_key: int, max_total: int) -> list:
        outcomes, barrier = [], threading.Barrier(16)

        def submit(i: int) -> None:
            barrier.wait()
            outcomes.append(create_run_within(stores[i % 2], "plan", {"i": i}, key_id,
                                              max_for_key, max_total))

        threads = [threading.Thread(target=submit, args=(i,)) for i in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert len(outcomes) == 16
        return outcomes

    first = at_once(key.id, 2, 100)
    assert sum(not isinstance(o, str) for o in first) == 2 and "key" in first
    assert stores[1].count_active_runs(key.id) == 2
    second = at_once(other.id, 100, 3)
    assert sum(not isinstance(o, str) for o in second) == 1 and "total" in second
    assert stores[1].count_active_runs() == 3
    for store in stores:
        store.close()
