"""``POST /v1/best`` and ``POST /v1/schedule`` on a signals table whose best choice is known.

Every candidate site has price 500 CNY/MWh and 800 kg/MWh, except ``zhongwei`` from 10:00 to
20:00 UTC on 2030-07-01 (price 50, 50 kg/MWh): a training job (any site) submitted at 08:00
for 4 h with room to wait must go to zhongwei at 10:00.
"""

from __future__ import annotations

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from computegrid.api.app import create_app
from computegrid.api.settings import ApiSettings
from computegrid.services.plan.site_catalog import list_sites

CHEAP_SITE = "zhongwei"


@pytest.fixture
def client(tmp_path):
    ts = pd.date_range("2030-07-01T00:00Z", periods=72, freq="h")
    frames = []
    for site in (s.site for s in list_sites()):
        price = pd.Series(500.0, index=ts)
        co2 = pd.Series(800.0, index=ts)
        if site == CHEAP_SITE:
            price.iloc[10:20] = 50.0
            co2.iloc[10:20] = 50.0
        frames.append(pd.DataFrame({"timestamp": ts, "site": site, "curtailed_mw": 0.0,
                                    "price_cny_per_mwh": price.to_numpy(),
                                    "co2_avg_kg_per_mwh": co2.to_numpy(),
                                    "co2_marginal_kg_per_mwh": co2.to_numpy()}))
    path = tmp_path / "signals.csv"
    pd.concat(frames).to_csv(path, index=False)
    app = create_app(ApiSettings(db_url=f"sqlite:///{tmp_path}/s.db", runs_dir=tmp_path / "runs",
                                 start_workers=False, signals_path=path))
    with TestClient(app) as c:
        c.headers["X-API-Key"] = app.state.store.create_key("t", rate_limit_per_s=1000)[0]
        yield c


JOB = {"job_class": "training", "duration_h": 4, "n_accelerators": 64,
       "origin_province": "Shanghai", "earliest_start": "2030-07-01T08:00:00Z",
       "deadline": "2030-07-02T00:00:00Z"}


def test_best_waits_for_the_clean_cheap_hours_at_the_right_site(client):
    r = client.post("/v1/best", json=JOB)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["best"]["site"] == CHEAP_SITE
    assert body["best"]["start_time"] == "2030-07-01T10:00:00Z"
    assert body["best"]["delay_h"] == pytest.approx(2.0)
    assert len(body["alternatives"]) == 2
    alt_sites = [a["site"] for a in body["alternatives"]]
    assert CHEAP_SITE not in alt_sites and len(set(alt_sites)) == 2
    assert all(a["cost_cny"] > body["best"]["cost_cny"] for a in body["alternatives"])
    assert body["latency_limit_ms"] is None  # training: any site


def test_best_respects_a_latency_limit(client):
    r = client.post("/v1/best", json={**JOB, "latency_limit_ms": 12.0, "n_alternatives": 0})
    body = r.json()
    assert r.status_code == 200, r.text
    assert body["latency_limit_ms"] == 12.0
    assert CHEAP_SITE not in body["candidate_sites"]
    assert body["best"]["rtt_ms"] <= 12.0 and body["alternatives"] == []


def test_best_by_energy(client):
    job = {k: v for k, v in JOB.items() if k != "n_accelerators"}
    body = client.post("/v1/best", json={**job, "energy_mwh": 0.255}).json()
    assert body["n_accelerators"] == 50  # 0.255 MWh / (4 h x 1.275 kW)


@pytest.mark.parametrize(("change", "field"), [
    ({"duration_h": -1}, "body.duration_h"),
    ({"origin_province": "Atlantis"}, "body.origin_province"),
    ({"latency_limit_ms": 0.5, "origin_province": "Xinjiang"}, "body.latency_limit_ms"),
    ({"energy_mwh": 1.0}, "body.n_accelerators / body.energy_mwh"),
    ({"job_class": "urgent"}, "body.job_class"),
    ({"deadline": "2030-07-01T07:00:00Z"}, "body.deadline"),
    ({"earliest_start": "0001-01-01T00:00:00Z"}, "body.earliest_start"),
])
def test_best_bad_bodies_are_422_naming_the_field(client, change, field):
    r = client.post("/v1/best", json={**JOB, **change})
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["field"] == field


def test_schedule_batch(client):
    jobs = [{"job_id": f"j{i}", "submit_time": f"2030-07-01T0{i}:00:00Z", "n_accelerators": 8,
             "duration_h": 2, "origin_province": "GD", "slack_h": 20} for i in range(4)]
    r = client.post("/v1/schedule", json={"policy": "greedy", "jobs": jobs})
    assert r.status_code == 200, r.text
    body = r.json()
    assert [j["job_id"] for j in body["schedule"]] == ["j0", "j1", "j2", "j3"]
    assert all(j["site"] == CHEAP_SITE for j in body["schedule"])
    assert all(j["start_time"] >= "2030-07-01T10:00:00Z" for j in body["schedule"])
    assert body["metrics"]["deadline_misses"] == 0
    fifo = client.post("/v1/schedule", json={"policy": "fifo-local", "jobs": jobs}).json()
    assert fifo["metrics"]["cost_cny"] > body["metrics"]["cost_cny"]


def test_schedule_bad_batches(client):
    job = {"job_id": "a", "submit_time": "2030-07-01T05:00:00Z", "n_accelerators": 8,
           "duration_h": 2, "origin_province": "GD"}
    r = client.post("/v1/schedule", json={"jobs": [job, {**job, "submit_time": "2030-07-01T01:00:00Z",
                                                         "job_id": "b"}]})
    assert r.status_code == 422 and "row 2" in r.json()["error"]
    r = client.post("/v1/schedule", json={"jobs": [job, job]})
    assert r.status_code == 422 and "unique" in r.json()["error"]
    r = client.post("/v1/schedule", json={"jobs": []})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "body.jobs"
    r = client.post("/v1/schedule", json={"policy": "optimal", "jobs": [job]})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "body.policy"


def test_scheduling_needs_a_key(client):
    assert client.post("/v1/best", json=JOB, headers={"X-API-Key": ""}).status_code == 401


def test_best_matches_the_schedule_service(client, tmp_path):
    """The first option is what ``services.schedule.scheduler.best_placement`` answers for the job."""
    from computegrid.services.schedule.scheduler import best_placement
    from computegrid.services.signals.signal_feed import read_signal_feed

    feed = read_signal_feed(tmp_path / "signals.csv")
    for job_class, origin in (("training", "Shanghai"), ("batch", "Guangdong"), ("online", "Beijing")):
        body = client.post("/v1/best", json={**JOB, "job_class": job_class, "deadline": None,
                                             "origin_province": origin}).json()
        ref = best_placement({"job_id": "x", "submit_time": JOB["earliest_start"],
                              "n_accelerators": 64, "duration_h": 4, "origin_province": origin,
                              "job_class": job_class}, signals=feed.signals)
        best = body["best"]
        assert (best["site"], best["start_time"]) == (ref["site"], ref["start_time"])
        assert best["cost_cny"] == pytest.approx(ref["cost_cny"])
        assert best["emissions_marginal_tco2"] == pytest.approx(ref["emissions_marginal_tco2"])
