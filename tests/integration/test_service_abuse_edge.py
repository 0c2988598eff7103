"""Abuse of the HTTP service at the network edge and in key management: findings 6-11 of the
review in issue 17 (findings 1-5 are in test_service_abuse.py)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from fastapi.testclient import TestClient
from test_service_abuse import _flat_signals, _key, _settings, app, client  # noqa: F401

from computegrid.api.app import create_app
from computegrid.api.settings import ApiSettings


# --- finding 6: spoofable rate-limit identity, buckets never evicted ---------------------------
def test_6_forwarded_for_is_ignored_unless_from_a_configured_proxy(tmp_path):
    app = create_app(_settings(tmp_path, anonymous_rate_limit_per_s=1.0))
    with TestClient(app) as c:
        codes = [c.get("/v1/signals", params={"site": "west"},
                       headers={"X-Forwarded-For": f"10.0.0.{i}"}).status_code for i in range(8)]
    assert 429 in codes
    trusting = create_app(_settings(tmp_path, anonymous_rate_limit_per_s=1.0,
                                    forwarded_allow_ips=("testclient",)))
    with TestClient(trusting) as c:
        codes = [c.get("/v1/signals", params={"site": "west"},
                       headers={"X-Forwarded-For": f"10.0.0.{i}"}).status_code for i in range(8)]
    assert 429 not in codes  # a trusted proxy's clients are told apart


def test_6_uvicorn_does_not_trust_forwarded_headers_by_default():
    from computegrid.api.server import uvicorn_options

    opts = uvicorn_options(ApiSettings())
    assert opts["proxy_headers"] is False and opts["forwarded_allow_ips"] == ""


def test_6_idle_buckets_are_evicted():
    from computegrid.api.security import TokenBucketLimiter

    limiter = TokenBucketLimiter(idle_s=0.0, max_buckets=100)
    for i in range(1000):
        limiter.allow(f"anon:{i}", 1.0)
    assert len(limiter) <= 100


# --- finding 7: a crash loses the running run --------------------------------------------------
def test_7_expired_leases_are_requeued_then_failed_after_n_attempts(tmp_path):
    import time

    from computegrid.services.runs.store import open_store

    store = open_store(f"sqlite:///{tmp_path}/l.db")
    run = store.create_run("plan", {})
    for attempt in (1, 2):
        assert store.claim_run(run.id, "dead-worker")
        time.sleep(0.3)
        assert store.expire_leases(lease_s=0.2, max_attempts=3) == ([run.id], [])
        assert store.get_run(run.id).status == "queued"
    assert store.claim_run(run.id, "dead-worker")
    time.sleep(0.3)
    assert store.expire_leases(lease_s=0.2, max_attempts=3) == ([], [run.id])
    failed = store.get_run(run.id)
    assert failed.status == "failed" and "3 attempts" in failed.error
    store.close()


def test_7_graceful_requeue_has_an_attempt_cap(tmp_path):
    from computegrid.services.runs.store import open_store

    store = open_store(f"sqlite:///{tmp_path}/g.db")
    run = store.create_run("plan", {})
    for _ in range(2):
        store.claim_run(run.id, "w")
        assert store.requeue_run(run.id, max_attempts=2) in ("queued", "failed")
    assert store.get_run(run.id).status == "failed"
    store.close()


# --- finding 8: parameters validated late ------------------------------------------------------
@pytest.mark.parametrize(("body", "field"), [({"resolution_h": 7}, "body.resolution_h"),
                                             ({"overrides": {"resolution": "15min"}},
                                              "body.overrides.resolution")])
def test_8_resolutions_are_parsed_at_submission(app, client, body, field):
    key, _ = _key(app, min_resolution_h=1)
    r = client.post("/v1/plans", json=body, headers={"X-API-Key": key})
    assert r.status_code == 422 and field in r.json()["error"], r.text
    assert app.state.store.count_runs()["queued"] == 0


# --- finding 9: weak key management ------------------------------------------------------------
def test_9_scopes(app, client):
    reader, _ = _key(app, "reader", scope="read")
    assert client.get("/v1/sites", headers={"X-API-Key": reader}).status_code == 200
    r = client.post("/v1/plans", json={}, headers={"X-API-Key": reader})
    assert r.status_code == 403 and "plan" in r.json()["detail"]


def test_9_expired_keys_are_refused(app, client):
    import time

    key, _ = _key(app, "short", expires_in_s=3.0)
    assert client.get("/v1/sites", headers={"X-API-Key": key}).status_code == 200
    time.sleep(3.1)
    assert client.get("/v1/sites", headers={"X-API-Key": key}).status_code == 401


@pytest.mark.parametrize("rate", [math.inf, math.nan, -1.0, 0.0, 1e9])
def test_9_rate_limits_are_finite_and_positive(app, client, rate):
    from computegrid.errors import InputError

    with pytest.raises(InputError):
        app.state.store.create_key("x", rate_limit_per_s=rate)


def test_9_revocation_is_effective_within_one_second_by_default(tmp_path):
    import time

    assert ApiSettings().auth_cache_s <= 1.0
    app = create_app(_settings(tmp_path, auth_cache_s=ApiSettings().auth_cache_s))
    with TestClient(app) as c:
        key, record = _key(app)
        assert c.get("/v1/sites", headers={"X-API-Key": key}).status_code == 200
        app.state.store.revoke_key(record.id)
        time.sleep(ApiSettings().auth_cache_s + 0.05)
        assert c.get("/v1/sites", headers={"X-API-Key": key}).status_code == 401


# --- finding 10: connections and logs ----------------------------------------------------------
def test_10_query_secrets_are_stripped_from_the_access_log():
    import logging

    from computegrid.api.server import AccessLogRedactor

    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1,
                               '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5", "GET", "/v1/sites?api_key=cg_secret&x=1", "1.1",
                                200), None)
    assert AccessLogRedactor().filter(record)
    assert "cg_secret" not in record.getMessage() and "/v1/sites" in record.getMessage()


def test_10_uvicorn_has_header_and_keep_alive_timeouts():
    from computegrid.api.server import uvicorn_options

    opts = uvicorn_options(ApiSettings())
    assert 0 < opts["timeout_keep_alive"] <= 10
    assert opts["h11_max_incomplete_event_size"] <= 64 * 1024
    assert opts["http"].__name__ == "HeaderTimeoutH11Protocol"


# --- finding 11: unlimited open endpoints ------------------------------------------------------
def test_11_health_is_rate_limited_and_its_counts_cached(tmp_path):
    app = create_app(_settings(tmp_path, anonymous_rate_limit_per_s=2.0))
    with TestClient(app) as c:
        calls = []
        real = app.state.store.count_runs
        app.state.store.count_runs = lambda: calls.append(1) or real()
        codes = [c.get("/health").status_code for _ in range(10)]
    assert codes[:3] == [200, 200, 200] or codes[:2] == [200, 200]
    assert 429 in codes
    assert len(calls) <= 1


def test_11_static_files_are_rate_limited(tmp_path):
    app = create_app(_settings(tmp_path, static_rate_limit_per_s=1.0))
    with TestClient(app) as c:
        codes = [c.get("/static/plotly.min.js").status_code for _ in range(5)]
    assert codes[0] == 200 and 429 in codes


def test_non_finite_values_never_leave_as_json(app, client):
    # The responses are strict JSON (no NaN/Infinity tokens) - a client's parser would choke.
    r = client.get("/emissions/bylocations/best", params={"location": "west",
                                                          "time": "2030-01-01T00:00Z"})
    json.loads(r.text, parse_constant=lambda c: pytest.fail(f"non-finite {c}"))
    assert np.isfinite(r.json()[0]["rating"])


# --- findings 6 and 10 on a real server started by `computegrid serve` -------------------------
def test_6_10_real_server_edge(tmp_path):
    import os
    import socket
    import subprocess
    import sys
    import time

    import httpx
    from service_helpers import free_port, wait_for

    port = free_port()
    signals = _flat_signals(tmp_path / "flat.parquet", hours=48)
    log = tmp_path / "server.log"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(os.path.abspath(p) for p in
                                        env.get("PYTHONPATH", "").split(os.pathsep) if p)
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "computegrid", "serve", "--port", str(port), "--db",
             f"sqlite:///{tmp_path}/s.db", "--runs-dir", str(tmp_path / "runs"), "--signals",
             str(signals), "--anonymous-rate-limit-per-s", "1", "--header-timeout-s", "1"],
            stdout=out, stderr=subprocess.STDOUT, cwd=tmp_path, env=env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        def up():
            try:
                return httpx.get(base + "/openapi.json", timeout=1).status_code == 200
            except httpx.HTTPError:
                return proc.poll() is not None and pytest.fail(log.read_text())
        wait_for(up, 60)
        time.sleep(2.5)  # refill the anonymous bucket (1/s, burst 2)
        # finding 6: a spoofed X-Forwarded-For from loopback does not give a fresh identity
        codes = [httpx.get(base + "/v1/signals", params={"site": "west"}, timeout=5,
                           headers={"X-Forwarded-For": f"10.9.{i}.1"}).status_code
                 for i in range(8)]
        assert 429 in codes, codes
        # finding 10: a key sent in the query string is not written to the access log
        httpx.get(base + "/v1/sites?api_key=cg_leakedsecret", timeout=5)
        # finding 10: half-sent request heads are closed after the header timeout
        socks = []
        for _ in range(20):
            s = socket.create_connection(("127.0.0.1", port))
            s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")
            socks.append(s)
        time.sleep(2.5)
        closed = 0
        for s in socks:
            s.settimeout(1)
            try:
                closed += s.recv(100) == b""
            except (TimeoutError, OSError):
                pass
            s.close()
        assert closed == 20
    finally:
        proc.terminate()
        proc.wait(20)
    assert "cg_leakedsecret" not in log.read_text()
    assert "/v1/sites" in log.read_text()
