"""Run store: keys hashed, runs claimed once, restart recovery, migrations idempotent."""

from __future__ import annotations

import threading

import pytest

from computegrid.errors import InputError
from computegrid.services.runs.store import hash_api_key, open_store
from computegrid.services.runs.store.store import make_engine


@pytest.fixture
def store(tmp_path):
    s = open_store(f"sqlite:///{tmp_path}/store.db")
    yield s
    s.close()


def test_key_roundtrip_and_revoke(store):
    key, record = store.create_key("ops", rate_limit_per_s=5)
    assert key.startswith("cg_") and len(key) > 40
    assert store.authenticate(key).id == record.id
    assert store.authenticate(key + "x") is None
    assert store.authenticate("not-a-key") is None
    assert hash_api_key(key) != key and len(hash_api_key(key)) == 64
    store.revoke_key(record.id)
    assert store.authenticate(key) is None
    assert store.list_keys()[0].revoked_at is not None
    with pytest.raises(InputError):
        store.revoke_key(999)


@pytest.mark.parametrize(("name", "rate"), [("", 1.0), ("x" * 101, 1.0), ("ok", 0.0)])
def test_bad_key_parameters(store, name, rate):
    with pytest.raises(InputError):
        store.create_key(name, rate)


def test_a_run_is_claimed_once_under_contention(store):
    run = store.create_run("plan", {"scenario": "x"})
    wins = []

    def claim():
        if store.claim_run(run.id):
            wins.append(1)

    threads = [threading.Thread(target=claim) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(wins) == 1
    assert store.get_run(run.id).status == "running"
    assert store.get_run(run.id).attempts == 1


def test_lifecycle_and_expired_leases(store):
    import time

    a = store.create_run("plan", {"n": 1})
    b = store.create_run("plan", {"n": 2})
    c = store.create_run("plan", {"n": 3})
    assert store.claim_run(a.id, "w1") and store.claim_run(c.id, "w2")
    store.finish_run(c.id, {"cost": 1.5})
    assert store.expire_leases(lease_s=60, max_attempts=1) == ([], [])  # a's lease is fresh
    time.sleep(0.3)
    store.heartbeat([a.id], "someone-else")  # only the holder renews a lease
    # a had its one allowed attempt: failed with the reason (test_service_abuse: requeue)
    assert store.expire_leases(lease_s=0.2, max_attempts=1) == ([], [a.id])
    assert "interrupted" in store.get_run(a.id).error
    assert store.queued_run_ids() == [b.id]
    assert store.get_run(c.id).summary == {"cost": 1.5}
    assert store.count_runs() == {"queued": 1, "running": 0, "succeeded": 1, "failed": 1}
    store.finish_run(b.id, {"late": True})  # not running: ignored
    assert store.get_run(b.id).status == "queued"


def test_heartbeat_keeps_a_lease(store):
    import time

    run = store.create_run("plan", {})
    store.claim_run(run.id, "w1")
    time.sleep(0.3)
    store.heartbeat([run.id], "w1")
    assert store.expire_leases(lease_s=0.2, max_attempts=3) == ([], [])
    assert store.get_run(run.id).status == "running"


def test_requeue_after_graceful_stop(store):
    run = store.create_run("plan", {})
    store.claim_run(run.id)
    store.requeue_run(run.id)
    assert store.get_run(run.id).status == "queued"
    assert store.claim_run(run.id)
    assert store.get_run(run.id).attempts == 2


def test_migrations_are_idempotent_and_keep_data(tmp_path):
    url = f"sqlite:///{tmp_path}/m.db"
    s1 = open_store(url)
    key, _ = s1.create_key("persist")
    s1.close()
    s2 = open_store(url)
    assert s2.authenticate(key) is not None
    s2.close()


@pytest.mark.parametrize("url", ["nonsense", "mysql://x/y", "foo://"])
def test_bad_db_url(url):
    with pytest.raises(InputError) as err:
        make_engine(url)
    assert err.value.field == "--db"
