"""Abuse of the HTTP service: one regression test per finding of the review in issue 17
(findings 1-5 here, 6-11 in test_service_abuse_edge.py).

Each test names its finding (1-11). The attacks that were already refused (path traversal, YAML
tags, bad keys, body-size limits) stay covered in test_service_api.py and test_service_plans.py.
"""

from __future__ import annotations

import inspect
import math

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from computegrid.api.app import create_app
from computegrid.api.settings import ApiSettings

T0 = pd.Timestamp("2030-01-01T00:00Z")


def _flat_signals(path, sites=("west", "east"), hours=8760):
    """Every site at the same constant intensity: every (site, hour) ties for best."""
    ts = pd.date_range(T0, periods=hours, freq="h")
    frames = [pd.DataFrame({"timestamp": ts, "site": s, "curtailed_mw": 0.0,
                            "price_cny_per_mwh": 300.0, "co2_avg_kg_per_mwh": 500.0,
                            "co2_marginal_kg_per_mwh": 700.0}) for s in sites]
    pd.concat(frames, ignore_index=True).to_parquet(path, index=False)
    return path


def _settings(tmp_path, **kw):
    base = dict(db_url=f"sqlite:///{tmp_path}/store.db", runs_dir=tmp_path / "runs",
                rate_limit_delay_s=0,  # no tarpit: these tests count refusals (test_6_flood_is_tarpitted)
                start_workers=False, anonymous_rate_limit_per_s=10_000, auth_cache_s=0,
                signals_path=_flat_signals(tmp_path / "flat.parquet"))
    base.update(kw)
    return ApiSettings(**base)


@pytest.fixture
def app(tmp_path):
    return create_app(_settings(tmp_path))


@pytest.fixture
def client(app):
    with TestClient(app) as c:
        yield c


def _key(app, name="k", **kw):
    kw.setdefault("rate_limit_per_s", 10_000)
    return app.state.store.create_key(name, **kw)


# --- finding 1: anonymous denial of service ----------------------------------------------------
def test_1_repeated_locations_are_removed_and_ties_capped(tmp_path):
    app = create_app(_settings(tmp_path, max_points=1000))
    with TestClient(app) as client:
        _check_repeated_locations_and_ties(app, client)


def _check_repeated_locations_and_ties(app, client):
    query = [("location", "west")] * 100 + [("time", "2030-01-01T00:00Z"),
                                            ("toTime", "2030-12-31T00:00Z")]
    r = client.get("/emissions/bylocations/best", params=query)
    assert r.status_code == 200
    body = r.json()
    cap = app.state.settings.max_points
    assert len(body) == cap < 8760  # every hour ties; the answer is capped
    assert {p["location"] for p in body} == {"west"}
    assert int(r.headers["X-Total-Count"]) == 8736  # 364 days of tied hours, all counted
    times = [p["time"] for p in body]
    assert times == sorted(times)  # the earliest of the tied points, in order
    r = client.get("/emissions/forecasts/current",
                   params=[("location", "west")] * 100 + [("dataStartAt", "2030-01-01T00:00Z"),
                                                          ("dataEndAt", "2030-01-02T00:00Z")])
    assert r.status_code == 200 and len(r.json()) == 1


def test_1_cpu_bound_handlers_run_off_the_event_loop(app):
    for route in app.routes:
        path = getattr(route, "path", "")
        if path.startswith(("/emissions", "/v1/signals", "/locations", "/health")):
            assert not inspect.iscoroutinefunction(route.endpoint), path


# --- finding 2: unlimited expensive runs -------------------------------------------------------
def test_2_per_key_and_global_caps_on_active_runs(tmp_path):
    app = create_app(_settings(tmp_path, max_active_runs_per_key=2, max_active_runs_total=3))
    with TestClient(app) as c:
        a, _ = _key(app, "a")
        b, _ = _key(app, "b")
        codes = [c.post("/v1/plans", json={}, headers={"X-API-Key": a}).status_code
                 for _ in range(3)]
        assert codes == [202, 202, 429]
        assert c.post("/v1/plans", json={}, headers={"X-API-Key": b}).status_code == 202
        r = c.post("/v1/plans", json={}, headers={"X-API-Key": b})
        assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
        assert "3" in r.json()["detail"]  # names the global cap


@pytest.mark.parametrize("body", [{"resolution_h": 1}, {"overrides": {"resolution": "rep365"}},
                                  {"overrides": {"expand": True}}])
def test_2_expensive_resolutions_and_expansion_need_a_key_allowed_them(app, client, body):
    plain, _ = _key(app, "plain")
    r = client.post("/v1/plans", json=body, headers={"X-API-Key": plain})
    assert r.status_code == 403, r.text
    big, _ = _key(app, "big", min_resolution_h=1, allow_expand=True)
    assert client.post("/v1/plans", json=body, headers={"X-API-Key": big}).status_code == 202


def test_2_worker_memory_limit(tmp_path):
    from computegrid.services.runs.run_worker import RunWorkerPool, WorkerSettings
    from computegrid.services.runs.store import open_store

    from service_helpers import child_env  # noqa: F401 - makes the runner importable

    import os

    os.environ["PYTHONPATH"] = child_env()["PYTHONPATH"]
    store = open_store(f"sqlite:///{tmp_path}/m.db")
    pool = RunWorkerPool(store, WorkerSettings(runs_dir=tmp_path / "runs", time_limit_s=60,
                                               runner="service_helpers:hog_runner",
                                               memory_limit_bytes=400 * 2**20, poll_s=0.2))
    run = store.create_run("plan", {"overrides": {"hog_mb": 2000}})
    pool.start()
    try:
        from service_helpers import wait_for

        done = wait_for(lambda: (r := store.get_run(run.id)).status == "failed" and r, 60)
    finally:
        pool.stop()
        store.close()
    assert "memory" in done.error.lower()


# --- finding 3: unbounded search windows -------------------------------------------------------
def test_3_best_window_is_bounded(app, client):
    key, _ = _key(app)
    r = client.post("/v1/best", headers={"X-API-Key": key}, json={
        "duration_h": 1, "n_accelerators": 8, "origin_province": "Shanghai",
        "earliest_start": "2030-01-01T00:00Z", "deadline": "2200-01-01T00:00Z"})
    assert r.status_code == 422 and "body.deadline" in r.json()["error"]


def test_3_schedule_window_work_is_bounded(app, client):
    key, _ = _key(app)
    jobs = [{"job_id": f"j{i}", "submit_time": "2030-01-01T00:00Z", "n_accelerators": 8,
             "duration_h": 1, "origin_province": "Shanghai", "slack_h": 8760} for i in range(1000)]
    r = client.post("/v1/schedule", headers={"X-API-Key": key}, json={"jobs": jobs})
    assert r.status_code == 422 and "slack" in r.json()["error"]


# --- finding 4: any key could poison the public feed -------------------------------------------
@pytest.mark.parametrize("raw", ['{"overrides": {"costs.carbon_price_cny_per_t": Infinity}}',
                                 '{"overrides": {"costs.carbon_price_cny_per_t": NaN}}',
                                 '{"overrides": {"costs.carbon_price_cny_per_t": -Infinity}}'])
def test_4_non_finite_numbers_are_refused(app, client, raw):
    key, _ = _key(app)
    r = client.post("/v1/plans", content=raw, headers={"X-API-Key": key,
                                                        "Content-Type": "application/json"})
    assert r.status_code == 422, r.text


def test_4_non_finite_numbers_refused_on_every_json_endpoint(app, client):
    key, _ = _key(app)
    r = client.post("/v1/estimate/fleet", content='{"server": "dgx-h100", "n_servers": 1, '
                    '"pue": 1.0, "utilisation_frac": NaN}',
                    headers={"X-API-Key": key, "Content-Type": "application/json"})
    assert r.status_code == 422


def test_4_a_run_with_a_non_finite_objective_fails():
    from computegrid.errors import InputError
    from computegrid.services.plan.plan_runs import check_finite_summary

    check_finite_summary({"scenarios": {"a": {"system_cost_cny_per_year": 1.0}}})
    with pytest.raises(InputError, match="not finite"):
        check_finite_summary({"scenarios": {"a": {"system_cost_cny_per_year": math.nan}}})
    with pytest.raises(InputError, match="not finite"):
        check_finite_summary({"scenarios": {"a": {"system_cost_cny_per_year": None}}})


def test_4_runs_of_ordinary_keys_are_not_served_until_published(tmp_path):
    runs_dir = tmp_path / "runs"
    app = create_app(_settings(tmp_path, signals_path=None, signals_builder=None))
    with TestClient(app) as c:
        key, record = _key(app, "ordinary")
        run = app.state.store.create_run("plan", {}, key_id=record.id)
        app.state.store.claim_run(run.id)
        app.state.store.finish_run(run.id, {"status": "ok"})
        (runs_dir / run.id).mkdir(parents=True)
        _flat_signals(runs_dir / run.id / "signals.parquet", sites=("zhangjiakou",), hours=48)
        r = c.get("/emissions/bylocations/best", params={"location": "zhangjiakou"})
        assert r.status_code == 503  # the ordinary key's run is not served
        assert c.post(f"/v1/plans/{run.id}/publish", headers={"X-API-Key": key}).status_code == 403
        admin, _ = _key(app, "ops", scope="admin")
        assert c.post(f"/v1/plans/{run.id}/publish", headers={"X-API-Key": admin}).status_code == 200
        r = c.get("/emissions/bylocations/best", params={"location": "zhangjiakou",
                                                          "time": "2030-01-01T00:00Z"})
        assert r.status_code == 200 and r.json()[0]["rating"] == 700.0


# --- finding 5: no separation between keys -----------------------------------------------------
def test_5_each_key_sees_only_its_own_runs(tmp_path):
    app = create_app(_settings(tmp_path))
    with TestClient(app) as c:
        a, _ = _key(app, "a")
        b, _ = _key(app, "b")
        admin, _ = _key(app, "admin", scope="admin")
        run_id = c.post("/v1/plans", json={}, headers={"X-API-Key": a}).json()["id"]
        assert c.get("/v1/plans", headers={"X-API-Key": b}).json()["count"] == 0
        assert c.get(f"/v1/plans/{run_id}", headers={"X-API-Key": b}).status_code == 404
        assert c.get(f"/v1/plans/{run_id}/files/summary.json",
                     headers={"X-API-Key": b}).status_code == 404
        assert c.get(f"/v1/plans/{run_id}/ai-load", headers={"X-API-Key": b}).status_code == 404
        assert c.get(f"/v1/plans/{run_id}", headers={"X-API-Key": a}).status_code == 200
        assert c.get("/v1/plans", headers={"X-API-Key": admin}).json()["count"] == 1
        assert c.get(f"/v1/plans/{run_id}", headers={"X-API-Key": admin}).status_code == 200


def test_1_large_answers_cost_more_of_the_rate_limit(tmp_path):
    # one year at one location (8,736 points) costs ~87 requests: at 5/s, the next request
    # waits about 17 s
    app = create_app(_settings(tmp_path, anonymous_rate_limit_per_s=5.0))
    with TestClient(app) as c:
        year = {"location": "west", "time": "2030-01-01T00:00Z", "toTime": "2030-12-31T00:00Z"}
        codes = [c.get("/emissions/bylocations", params=year).status_code for _ in range(2)]
        day = {"location": "west", "time": "2030-01-01T00:00Z", "toTime": "2030-01-02T00:00Z"}
        r = c.get("/emissions/bylocations", params=day)
    assert codes == [200, 429]
    assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 10


def test_1_a_year_of_one_site_from_v1_signals_costs_more(tmp_path):
    app = create_app(_settings(tmp_path, anonymous_rate_limit_per_s=5.0))
    year = {"site": "west", "start": "2030-01-01T00:00Z", "end": "2030-12-31T00:00Z"}
    with TestClient(app) as c:
        codes = [c.get("/v1/signals", params=year).status_code for _ in range(2)]  # 8,736 h
    assert codes == [200, 429]


def test_1_v1_signals_removes_repeated_sites_and_caps_points(client):
    """Review of 2026-11-28: 100 x site=west returned 19.5 MB (every repeat served)."""
    day = [("site", "west")] * 100 + [("start", "2030-01-01T00:00Z"), ("end", "2030-01-02T00:00Z")]
    r = client.get("/v1/signals", params=day)
    assert r.status_code == 200 and [s["site"] for s in r.json()["sites"]] == ["west"]
    r = client.get("/v1/signals")  # 2 sites x 8,760 h > max_points (10,000): refused, not built
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "query.end"


def test_1_forecast_batch_caps_points_of_the_whole_answer(client):
    """Review of 2026-11-28: 30 items of a year each returned 43.6 MB (the cap held per item only)."""
    item = {"requestedAt": "2030-01-01T00:00Z", "location": "west",
            "dataStartAt": "2030-01-01T00:00Z", "dataEndAt": "2030-03-01T00:00Z"}  # 1,416 points
    assert client.post("/emissions/forecasts/batch", json=[item] * 7).status_code == 200  # 9,912
    r = client.post("/emissions/forecasts/batch", json=[item] * 30)
    assert r.status_code == 400 and "dataEndAt" in r.json()["errors"]


def test_1_forecasts_over_the_cap_are_refused_before_building(client, monkeypatch):
    """Review of 2026-11-28: /emissions/forecasts/current built every point (0.22 s of CPU for
    14 locations over a year) before refusing, and the refusal was charged as one request."""
    from computegrid.services.signals import carbon_aware as ca

    def no_build(*a, **k):
        raise AssertionError("points built for a refused query")

    monkeypatch.setattr(ca, "_window_means", no_build)
    r = client.get("/emissions/forecasts/current",
                   params=[("location", "west"), ("location", "east"),
                           ("dataStartAt", "2030-01-01T00:00Z"), ("dataEndAt", "2030-12-31T00:00Z")])
    assert r.status_code == 400 and "dataEndAt" in r.json()["errors"]


def test_4_text_infinity_in_overrides_is_refused(app, client):
    """Review of 2026-11-28: {"costs.carbon_price_cny_per_t": "inf"} was accepted (202)."""
    key, _ = _key(app)
    for text in ("inf", "Infinity", "1e999", "-inf"):
        r = client.post("/v1/plans", headers={"X-API-Key": key},
                        json={"overrides": {"costs.carbon_price_cny_per_t": text}})
        assert r.status_code == 422, (text, r.text)


def test_6_flood_is_tarpitted(tmp_path):
    """A refused request (429) is answered after ``rate_limit_delay_s``: a closed-loop flood is slowed to
    one request per delay per connection, while allowed requests are answered at once."""
    import time

    app = create_app(_settings(tmp_path, anonymous_rate_limit_per_s=1.0, rate_limit_delay_s=0.3))
    with TestClient(app) as c:
        query = {"location": "west", "time": "2030-01-01T00:00Z"}
        c.get("/emissions/bylocations", params=query)  # the first one loads the signal feed: not timed
        timed = []
        for _ in range(6):
            t0 = time.perf_counter()
            code = c.get("/emissions/bylocations", params=query).status_code
            timed.append((code, time.perf_counter() - t0))
    refused = [dt for code, dt in timed if code == 429]
    allowed = [dt for code, dt in timed if code == 200]
    assert refused and allowed
    assert min(refused) >= 0.3
    assert max(allowed) < 0.3


def test_6_tarpit_holds_at_most_its_cap(tmp_path, monkeypatch):
    """Beyond TARPIT_MAX_HELD held refusals a 429 is answered at once (held refusals must not take every
    connection slot)."""
    import time

    from computegrid.api import errors

    monkeypatch.setattr(errors, "TARPIT_MAX_HELD", 0)
    app = create_app(_settings(tmp_path, anonymous_rate_limit_per_s=1.0, rate_limit_delay_s=5.0))
    with TestClient(app) as c:
        query = {"location": "west", "time": "2030-01-01T00:00Z"}
        codes = []
        t0 = time.perf_counter()
        for _ in range(5):
            codes.append(c.get("/emissions/bylocations", params=query).status_code)
    assert 429 in codes
    assert time.perf_counter() - t0 < 5.0
