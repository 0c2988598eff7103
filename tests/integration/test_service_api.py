"""HTTP API: health, estimates, sites, authentication, rate limits, body limits, 422s, logs."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

from computegrid.api.app import create_app
from computegrid.api.settings import ApiSettings


@pytest.fixture
def app(tmp_path):
    return create_app(ApiSettings(db_url=f"sqlite:///{tmp_path}/store.db", runs_dir=tmp_path / "runs",
                                  start_workers=False, max_body_bytes=4096,
                                  anonymous_rate_limit_per_s=1000, auth_cache_s=0))


@pytest.fixture
def client(app):
    with TestClient(app) as c:
        yield c


@pytest.fixture
def key(app, client):
    return app.state.store.create_key("tests", rate_limit_per_s=1000)[0]


def test_health_is_open(client):
    r = client.get("/health")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok" and body["database"] == "sqlite"
    assert set(body["runs_by_status"]) == {"queued", "running", "succeeded", "failed"}


PROTECTED = [
    ("post", "/v1/estimate/training", {"accelerator": "v100", "n_accelerators": 1, "days": 1}),
    ("post", "/v1/estimate/inference", {"task": "image-generation", "n_items": 1}),
    ("post", "/v1/estimate/fleet", {"server": "dgx-h100", "n_servers": 1}),
    ("post", "/v1/plans", {}),
    ("get", "/v1/plans", None),
    ("get", "/v1/plans/" + "0" * 32, None),
    ("get", "/v1/sites", None),
    ("post", "/v1/best", {"duration_h": 1, "n_accelerators": 1, "origin_province": "SH"}),
    ("post", "/v1/schedule", {"jobs": []}),
    ("get", f"/v1/plans/{'0' * 32}/ai-load", None),
]


@pytest.mark.parametrize(("method", "path", "body"), PROTECTED)
def test_auth_refused_without_or_with_a_bad_key(client, method, path, body):
    kwargs = {"json": body} if body is not None else {}
    r = getattr(client, method)(path, **kwargs)
    assert r.status_code == 401
    assert "API key required" in r.json()["detail"]
    r = getattr(client, method)(path, headers={"X-API-Key": "cg_not-a-key"}, **kwargs)
    assert r.status_code == 401


def test_revoked_key_is_refused_and_bearer_works(app, client):
    key, record = app.state.store.create_key("to-revoke")
    assert client.get("/v1/sites", headers={"Authorization": f"Bearer {key}"}).status_code == 200
    app.state.store.revoke_key(record.id)
    assert client.get("/v1/sites", headers={"X-API-Key": key}).status_code == 401


def test_revocation_takes_effect_after_the_auth_cache_ttl(tmp_path):
    import time

    app = create_app(ApiSettings(db_url=f"sqlite:///{tmp_path}/c.db", runs_dir=tmp_path / "runs",
                                 start_workers=False, auth_cache_s=0.5))
    with TestClient(app) as c:
        key, record = app.state.store.create_key("cached")
        assert c.get("/v1/sites", headers={"X-API-Key": key}).status_code == 200
        app.state.store.revoke_key(record.id)
        time.sleep(0.6)
        assert c.get("/v1/sites", headers={"X-API-Key": key}).status_code == 401


def test_keys_are_stored_hashed(app, client, tmp_path):
    key, _ = app.state.store.create_key("hashed")
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("store.db*"))  # WAL included
    assert raw
    assert key.encode() not in raw
    assert key[3:20].encode() not in raw


def test_estimate_training_matches_patterson_inputs(client, key):
    # Inputs of the GPT-3 row of Patterson et al. 2021 (as in `computegrid estimate training`).
    r = client.post("/v1/estimate/training", headers={"X-API-Key": key}, json={
        "accelerator": "v100", "n_accelerators": 10000, "avg_power_w": 330, "days": 14.8,
        "pue": 1.1, "carbon_intensity_kg_per_kwh": 0.429})
    assert r.status_code == 200
    body = r.json()
    assert body["energy_mwh"] == pytest.approx(10000 * 330 * 14.8 * 24 * 1.1 / 1e6, rel=1e-9)
    assert body["emissions_tco2"] == pytest.approx(body["energy_mwh"] * 0.429, rel=1e-9)


def test_estimate_inference_and_fleet(client, key):
    h = {"X-API-Key": key}
    inf = client.post("/v1/estimate/inference", headers=h,
                      json={"task": "image-generation", "n_items": 1000}).json()
    assert inf["energy_kwh"] == pytest.approx(inf["energy_wh_per_item"], rel=1e-9)  # 1000 items
    fleet = client.post("/v1/estimate/fleet", headers=h,
                        json={"server": "dgx-h100", "n_servers": 1500000}).json()
    assert fleet["energy_twh_per_year"] == pytest.approx(
        1500000 * fleet["server_power_w"] * 8760 / 1e12, rel=1e-9)
    assert len(fleet["closest_countries"]) >= 1


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/v1/estimate/training", {"accelerator": "v100", "n_accelerators": -1, "days": 1},
     "body.n_accelerators"),
    ("/v1/estimate/training", {"accelerator": "v100", "n_accelerators": 1, "days": 1, "mfu": 1.5},
     "body.mfu"),
    ("/v1/estimate/training", {"accelerator": "no-such-gpu", "n_accelerators": 1, "days": 1},
     "body.accelerator"),
    ("/v1/estimate/training", {"accelerator": "v100", "n_accelerators": 1}, "body.days"),
    ("/v1/estimate/training", {"accelerator": "v100", "n_accelerators": "many", "days": 1},
     "body.n_accelerators"),
    ("/v1/estimate/inference", {"task": "image-generation"}, "body.n_items"),
    ("/v1/estimate/inference", {"task": "no-such-task", "n_items": 3}, "body.task"),
    ("/v1/estimate/fleet", {"server": "dgx-h100", "n_servers": 1, "utilisation_frac": 0},
     "body.utilisation_frac"),
    ("/v1/estimate/fleet", {"server": "dgx-h100", "n_servers": 1, "extra": 1}, "body.extra"),
])
def test_bad_bodies_are_422_naming_the_field(client, key, path, body, field):
    r = client.post(path, headers={"X-API-Key": key}, json=body)
    assert r.status_code == 422, r.text
    fields = [d["field"] for d in r.json()["detail"]]
    assert field in fields[0], fields
    assert r.json()["error"].startswith(fields[0])


def test_non_json_body_is_422(client, key):
    r = client.post("/v1/estimate/inference", headers={"X-API-Key": key,
                                                        "Content-Type": "application/json"},
                    content=b"task=image")
    assert r.status_code == 422


def test_body_size_limit(client, key):
    big = {"task": "image-generation", "n_items": 1, "pad": "x" * 10_000}
    r = client.post("/v1/estimate/inference", headers={"X-API-Key": key}, json=big)
    assert r.status_code == 413

    def chunks():  # no Content-Length: the streamed body is counted
        for _ in range(10):
            yield b"x" * 1000

    r = client.post("/v1/estimate/inference", headers={"X-API-Key": key,
                                                        "Content-Type": "application/json"},
                    content=chunks())
    assert r.status_code == 413


def test_per_key_rate_limit(app, client):
    slow_key, _ = app.state.store.create_key("slow", rate_limit_per_s=1.0)  # burst of 2
    fast_key, _ = app.state.store.create_key("fast", rate_limit_per_s=1000)
    codes = [client.get("/v1/sites", headers={"X-API-Key": slow_key}).status_code for _ in range(6)]
    assert codes[:2] == [200, 200]
    assert 429 in codes
    limited = client.get("/v1/sites", headers={"X-API-Key": slow_key})
    if limited.status_code == 429:
        assert int(limited.headers["Retry-After"]) >= 1
    # another key is not affected
    assert client.get("/v1/sites", headers={"X-API-Key": fast_key}).status_code == 200


def test_key_guessing_is_rate_limited_per_address(tmp_path):
    app = create_app(ApiSettings(db_url=f"sqlite:///{tmp_path}/g.db", runs_dir=tmp_path / "runs",
                                 start_workers=False, anonymous_rate_limit_per_s=1.0))
    with TestClient(app) as c:
        codes = [c.get("/v1/sites", headers={"X-API-Key": f"cg_guess{i}"}).status_code
                 for i in range(6)]
    assert codes[:2] == [401, 401]
    assert 429 in codes


def test_no_key_in_logs(app, client, caplog):
    key, _ = app.state.store.create_key("secret")
    with caplog.at_level(logging.DEBUG):
        client.get("/v1/sites", headers={"X-API-Key": key})
        client.get("/v1/sites", headers={"X-API-Key": key + "x"})
        client.post("/v1/plans", headers={"X-API-Key": key}, json={"bad": 1})
    assert key not in caplog.text
    assert key[3:20] not in caplog.text


def test_openapi_lists_every_endpoint(client):
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/health", "/v1/estimate/training", "/v1/estimate/inference",
                 "/v1/estimate/fleet", "/v1/plans", "/v1/plans/{run_id}", "/v1/sites",
                 "/v1/signals", "/v1/best", "/v1/schedule", "/emissions/bylocations/best",
                 "/emissions/forecasts/current"):
        assert path in paths, path


def test_dashboard_page_and_bundled_plotly(client):
    page = client.get("/dashboard")
    assert page.status_code == 200 and "/static/plotly.min.js" in page.text
    assert "cdn" not in page.text.lower()
    js = client.get("/static/plotly.min.js")
    assert js.status_code == 200 and len(js.content) > 1_000_000
    assert client.get("/static/dashboard.js").status_code == 200
    assert client.get("/static/../settings.py").status_code == 404
    shapes = client.get("/static/provinces.geojson")
    assert shapes.status_code == 200 and shapes.headers["content-type"].startswith("application/geo+json")
    assert len(shapes.json()["features"]) == 31 and "provinces.geojson" in client.get("/static/dashboard.js").text
