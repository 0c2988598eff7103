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
