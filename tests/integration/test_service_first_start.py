"""Useful on first start: without --signals and before any run is published, the open endpoints
serve the default signals, built once in the background; a clear 503 with Retry-After meanwhile.

The builder here is a test double (``service_helpers.quick_signals_frame``); the real default is
the cached base-year dispatch, whose time to ready is measured in docs/service.md.
"""

from __future__ import annotations

from fastapi.testclient import TestClient
from service_helpers import QUICK_SIGNALS, child_env, wait_for

from computegrid.api.app import create_app
from computegrid.api.settings import ApiSettings
from computegrid.services.signals.signal_feed import DEFAULT_SIGNALS_BUILDER


def test_default_is_the_base_year_dispatch():
    assert ApiSettings().signals_builder == DEFAULT_SIGNALS_BUILDER
    assert ApiSettings().signals_path is None


def test_first_start_serves_the_default_signals_once_built(tmp_path, monkeypatch):
    for k, v in child_env().items():
        monkeypatch.setenv(k, v)  # the builder's child process imports service_helpers
    app = create_app(ApiSettings(db_url=f"sqlite:///{tmp_path}/s.db", runs_dir=tmp_path / "runs",
                                 start_workers=False, signals_builder=QUICK_SIGNALS,
                                 anonymous_rate_limit_per_s=1000))
    query = {"location": ["ningxia", "shanghai"], "time": "2030-01-01T00:00Z",
             "toTime": "2030-01-01T03:00Z"}
    with TestClient(app) as c:
        first = c.get("/emissions/bylocations/best", params=query)
        assert first.status_code == 503
        assert int(first.headers["Retry-After"]) > 0 and "being built" in first.json()["detail"]
        ready = wait_for(lambda: (r := c.get("/emissions/bylocations/best", params=query))
                         .status_code == 200 and r, 60, 0.2)
        assert [p["location"] for p in ready.json()] == ["shanghai"] * 3
        avg = c.get("/emissions/average-carbon-intensity", params={
            "location": "ningxia", "startTime": "2030-01-01T00:00Z",
            "endTime": "2030-01-01T02:00Z"}).json()
        assert avg["carbonIntensity"] == 600.0  # the average factor, not the marginal
        assert app.state.signal_cache.build_seconds >= 1.0


def test_serve_starts_building_the_default_signals_at_start(tmp_path, monkeypatch):
    """``computegrid serve`` (prepare_signals_at_start) starts the build before any query: 503 with
    Retry-After while it runs, then 200, although no query asked for the signals until then."""
    import time

    for k, v in child_env().items():
        monkeypatch.setenv(k, v)
    app = create_app(ApiSettings(db_url=f"sqlite:///{tmp_path}/s.db", runs_dir=tmp_path / "runs",
                                 start_workers=False, signals_builder=QUICK_SIGNALS,
                                 anonymous_rate_limit_per_s=1000, prepare_signals_at_start=True))
    query = {"location": "ningxia", "time": "2030-01-01T00:00Z"}
    with TestClient(app) as c:
        cache = app.state.signal_cache
        assert cache._building is not None  # started by the server's start, not by a query
        first = c.get("/emissions/bylocations/best", params=query)
        assert first.status_code == 503 and int(first.headers["Retry-After"]) > 0
        wait_for(lambda: cache.build_seconds is not None, 60, 0.1)  # no query meanwhile
        t0 = time.perf_counter()
        ready = c.get("/emissions/bylocations/best", params=query)
        assert ready.status_code == 200 and time.perf_counter() - t0 < 5
        assert ready.json()[0]["location"] == "ningxia"


def test_the_serve_command_prepares_the_signals_at_start(tmp_path, monkeypatch):
    import uvicorn
    from typer.testing import CliRunner

    from computegrid.cli.app import build_app

    served = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **_: served.setdefault("app", app))
    result = CliRunner().invoke(build_app(), ["serve", "--db", f"sqlite:///{tmp_path}/s.db",
                                              "--runs-dir", str(tmp_path / "runs")])
    assert result.exit_code == 0, result.output
    settings = served["app"].state.settings
    assert settings.prepare_signals_at_start and settings.signals_builder == DEFAULT_SIGNALS_BUILDER
