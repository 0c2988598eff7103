"""The service's per-request savings keep its rules (issue 17, load test): kept SDK answers are
the same answers and cost the caller the same rate limit, a new feed or hour is a new answer, and
the served feed is re-read within ``feed_cache_s`` (at once after a publish through the API)."""

from __future__ import annotations

import time

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from computegrid.api.answer_cache import AnswerCache, CachedAnswer
from computegrid.api.app import create_app
from computegrid.api.settings import ApiSettings
from computegrid.services.signals import carbon_aware as ca

T0 = pd.Timestamp("2030-01-01T00:00Z")
YEAR = {"location": "west", "time": "2030-01-01T00:00:00Z", "toTime": "2030-12-31T00:00:00Z"}


def _signals(path, co2_marginal=700.0, sites=("west", "east"), hours=8760):
    ts = pd.date_range(T0, periods=hours, freq="h")
    pd.concat([pd.DataFrame({"timestamp": ts, "site": s, "curtailed_mw": 0.0,
                             "price_cny_per_mwh": 300.0, "co2_avg_kg_per_mwh": 500.0,
                             "co2_marginal_kg_per_mwh": co2_marginal + i})
               for i, s in enumerate(sites)], ignore_index=True).to_parquet(path, index=False)
    return path


def _settings(tmp_path, **kw):
    base = dict(db_url=f"sqlite:///{tmp_path}/store.db", runs_dir=tmp_path / "runs",
                rate_limit_delay_s=0,  # no tarpit: these tests count refusals (test_6_flood_is_tarpitted)
                start_workers=False, auth_cache_s=0, signals_builder=None,
                signals_path=_signals(tmp_path / "flat.parquet"))
    base.update(kw)
    return ApiSettings(**base)


@pytest.fixture
def counted(monkeypatch):
    """Counts the computations behind the SDK's bylocation(s) queries."""
    calls = {"best": 0, "data": 0}

    def wrap(name, fn):
        def inner(*a, **k):
            calls[name] += 1
            return fn(*a, **k)
        return inner

    monkeypatch.setattr(ca, "best_emissions_capped", wrap("best", ca.best_emissions_capped))
    monkeypatch.setattr(ca, "emissions_data", wrap("data", ca.emissions_data))
    return calls


def test_a_kept_answer_is_the_same_answer_computed_once(tmp_path, counted):
    app = create_app(_settings(tmp_path, anonymous_rate_limit_per_s=10_000))
    query = {"location": ["west", "east"], "time": "2030-03-01T00:00:00Z",
             "toTime": "2030-03-02T00:00:00Z"}
    with TestClient(app) as c:
        first = c.get("/emissions/bylocations/best", params=query)
        second = c.get("/emissions/bylocations/best", params=query)
        other = c.get("/emissions/bylocations/best", params={**query, "location": "east"})
    assert first.status_code == second.status_code == other.status_code == 200
    assert second.content == first.content and second.headers["X-Total-Count"] == "24"
    assert second.headers["content-type"] == first.headers["content-type"]
    assert {p["location"] for p in other.json()} == {"east"}
    assert counted["best"] == 2  # the repeated query was not computed again


def test_a_kept_answer_costs_the_rate_limit_of_the_first(tmp_path, counted):
    """A year of hourly points costs ~88 requests of the address's 50/s (burst 100): the first
    and the repeated answer are each charged, so the third request is refused."""
    app = create_app(_settings(tmp_path, anonymous_rate_limit_per_s=50))
    with TestClient(app) as c:
        codes = [c.get("/emissions/bylocations", params=YEAR).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert counted["data"] == 1


def test_another_hour_or_feed_is_another_answer(tmp_path, counted, monkeypatch):
    app = create_app(_settings(tmp_path, anonymous_rate_limit_per_s=10_000))
    now = pd.Timestamp("2030-05-01T10:15Z").to_pydatetime()
    monkeypatch.setattr(ca, "utc_now", lambda: now)
    with TestClient(app) as c:
        assert c.get("/emissions/bylocations/best", params={"location": "west"}).json()[0][
            "time"] == "2030-05-01T10:00:00Z"
        c.get("/emissions/bylocations/best", params={"location": "west"})
        assert counted["best"] == 1
        now = pd.Timestamp("2030-05-01T11:01Z").to_pydatetime()  # the next hour: "now" moved
        assert c.get("/emissions/bylocations/best", params={"location": "west"}).json()[0][
            "time"] == "2030-05-01T11:00:00Z"
        assert counted["best"] == 2
    cache = AnswerCache(max_bytes=100)
    answer = CachedAnswer(200, b"x" * 10, "application/json", (), 1)
    cache.put("feed A", ("k",), answer)
    assert cache.get("feed A", ("k",)) == answer and cache.get("feed B", ("k",)) is None
    cache.put("feed B", ("j",), answer)  # a new feed drops the old answers
    assert len(cache) == 1 and cache.get("feed A", ("k",)) is None
    for i in range(5):  # 100 bytes hold 10 answers of 10: the oldest go first
        cache.put("feed B", (i,), CachedAnswer(200, b"y" * 20, None, (), 1))
    assert len(cache) == 5 and cache.get("feed B", ("j",)) is None
    cache.put("feed B", ("big",), CachedAnswer(200, b"z" * 26, None, (), 1))  # > a quarter
    assert cache.get("feed B", ("big",)) is None


def _published_run(app, runs_dir, co2_marginal):
    store = app.state.store
    run = store.create_run("plan", {})
    store.claim_run(run.id)
    store.finish_run(run.id, {"status": "ok"})
    (runs_dir / run.id).mkdir(parents=True)
    _signals(runs_dir / run.id / "signals.parquet", co2_marginal, sites=("zhangjiakou",), hours=48)
    return store.publish_run(run.id)


def _rating(c):
    r = c.get("/emissions/bylocation", params={"location": "zhangjiakou",
                                                "time": "2030-01-01T05:00:00Z"})
    assert r.status_code == 200, r.text
    return r.json()[0]["rating"]


@pytest.mark.parametrize("feed_cache_s", [30.0, 0.0])
def test_the_served_feed_follows_a_publish(tmp_path, feed_cache_s):
    runs_dir = tmp_path / "runs"
    app = create_app(_settings(tmp_path, signals_path=None, feed_cache_s=feed_cache_s,
                               anonymous_rate_limit_per_s=10_000))
    with TestClient(app) as c:
        _published_run(app, runs_dir, 700.0)
        assert _rating(c) == 700.0
        time.sleep(0.01)
        newer = _published_run(app, runs_dir, 300.0)  # as `computegrid runs publish` would
        assert _rating(c) == (700.0 if feed_cache_s else 300.0)  # kept at most feed_cache_s
        admin, _ = app.state.store.create_key("ops", scope="admin", rate_limit_per_s=100)
        assert c.post(f"/v1/plans/{newer.id}/publish",
                      headers={"X-API-Key": admin}).status_code == 200
        assert _rating(c) == 300.0  # a publish through this process's API is served at once
