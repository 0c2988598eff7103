"""Planning runs over HTTP: queued at once, executed by the pool, time limit, failures, files.

Uses the ``sleep_runner`` test double (see service_helpers) to exercise the pool without solves.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from service_helpers import SLEEP_RUNNER, child_env, wait_for

from computegrid.api.app import create_app
from computegrid.api.settings import ApiSettings


@pytest.fixture
def client(tmp_path, monkeypatch):
    for k, v in child_env().items():
        monkeypatch.setenv(k, v)
    app = create_app(ApiSettings(db_url=f"sqlite:///{tmp_path}/store.db", runs_dir=tmp_path / "runs",
                                 plan_runner=SLEEP_RUNNER, n_workers=2, plan_time_limit_s=3.0,
                                 max_active_runs_per_key=20, max_active_runs_total=20))
    with TestClient(app) as c:
        key, _ = app.state.store.create_key("tests", rate_limit_per_s=1000)
        c.headers["X-API-Key"] = key
        yield c


def _done(client, run_id):
    def check():
        run = client.get(f"/v1/plans/{run_id}").json()
        return run if run["status"] in ("succeeded", "failed") else None
    return wait_for(check, 60)


def test_post_returns_id_at_once_and_run_succeeds(client, tmp_path):
    r = client.post("/v1/plans", json={"scenario": "tiny", "overrides": {"sleep_s": 0.5, "tag": 7}})
    assert r.status_code == 202
    run = r.json()
    assert run["status"] in ("queued", "running")
    done = _done(client, run["id"])
    assert done["status"] == "succeeded", done["error"]
    assert done["summary"] == {"status": "ok", "scenario": "tiny", "tag": 7}
    assert done["links"]["report_html"] == f"/v1/plans/{run['id']}/files/report.html"
    report = client.get(done["links"]["report_html"])
    assert report.status_code == 200 and "report" in report.text
    assert (tmp_path / "runs" / run["id"] / "summary.json").exists()
    assert not list((tmp_path / "runs").glob(".tmp-*"))  # no temporary folder left behind


def test_list_plans_newest_first_and_filter(client):
    ids = [client.post("/v1/plans", json={"scenario": f"s{i}"}).json()["id"] for i in range(3)]
    for run_id in ids:
        _done(client, run_id)
    listed = client.get("/v1/plans").json()
    assert listed["count"] == 3
    assert [r["id"] for r in listed["runs"]] == ids[::-1]
    assert client.get("/v1/plans?status=failed").json()["count"] == 0
    assert client.get("/v1/plans?status=nonsense").status_code == 422


def test_time_limit_fails_the_run_with_reason(client):
    run = client.post("/v1/plans", json={"overrides": {"sleep_s": 30}}).json()
    done = _done(client, run["id"])
    assert done["status"] == "failed"
    assert "time limit exceeded" in done["error"]
    assert done["links"]["files"] == []


def test_failing_runner_reports_reason(client):
    run = client.post("/v1/plans", json={"overrides": {"fail": True}}).json()
    done = _done(client, run["id"])
    assert done["status"] == "failed"
    assert "asked to fail" in done["error"]


def test_unknown_run_and_file_are_404(client):
    assert client.get("/v1/plans/" + "0" * 32).status_code == 404
    assert client.get("/v1/plans/not-an-id").status_code == 422
    run = client.post("/v1/plans", json={}).json()
    _done(client, run["id"])
    assert client.get(f"/v1/plans/{run['id']}/files/..%2Fstore.db").status_code in (404, 422)
    assert client.get(f"/v1/plans/{run['id']}/files/missing.json").status_code == 404


def test_bad_plan_bodies_are_422_naming_the_field(client):
    cases = {
        "body.resolution_h": {"resolution_h": 0},
        "body.scenario": {"scenario": "../etc"},
        "body.colour": {"colour": "red"},
    }
    for field, body in cases.items():
        r = client.post("/v1/plans", json=body)
        assert r.status_code == 422, body
        assert r.json()["detail"][0]["field"] == field
    r = client.post("/v1/plans", content=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 422
