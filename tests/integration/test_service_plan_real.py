"""One real planning run through the service: POST /v1/plans -> worker -> run_plan -> files,
then the signals of that run served by /v1/signals and the Carbon Aware SDK endpoints, and the
run shown by the dashboard in headless Chromium (when present).

The default scenario at its default (coarsest) resolution: the four solves take about 1.5 min
on two cores. Set COMPUTEGRID_DASHBOARD_SCREENSHOT=docs/img/dashboard.png to save the page.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import httpx
import pytest
from service_helpers import server_process, wait_for

from computegrid.services.runs.run_worker import DEFAULT_PLAN_RUNNER
from computegrid.services.runs.store import open_store

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("real-plan")
    db = f"sqlite:///{tmp}/store.db"
    store = open_store(db)
    key, _ = store.create_key("real-plan", rate_limit_per_s=1000)
    store.close()
    with server_process(db, tmp / "runs", runner=DEFAULT_PLAN_RUNNER, time_limit_s=900,
                        log_path=tmp / "server.log") as (base, _):
        h = {"X-API-Key": key}
        r = httpx.post(f"{base}/v1/plans", headers=h, json={"scenario": "china-2030"}, timeout=30)
        assert r.status_code == 202, r.text
        run_id = r.json()["id"]
        run = wait_for(lambda: (x := httpx.get(f"{base}/v1/plans/{run_id}", headers=h,
                                               timeout=10).json())["status"]
                       in ("succeeded", "failed") and x, 900, 1.0)
        yield base, key, run, tmp


def test_real_run_summary_and_files(finished_run):
    base, key, run, tmp = finished_run
    assert run["status"] == "succeeded", run["error"]
    scenarios = run["summary"]["scenarios"]
    assert set(scenarios) >= {"status-quo", "west-static", "co-optimised"}
    for metrics in scenarios.values():
        for field in ("system_cost_cny_per_year", "emissions_mt_co2_per_year",
                      "curtailment_twh_per_year", "ai_energy_twh_per_year",
                      "dc_capacity_by_site_mw", "latency_compliance_frac"):
            assert field in metrics
    # the co-optimised plan is never dearer than the baselines on the same data
    co = scenarios["co-optimised"]["system_cost_cny_per_year"]
    assert co <= scenarios["status-quo"]["system_cost_cny_per_year"] * (1 + 1e-6)
    names = {link.rsplit("/", 1)[-1] for link in run["links"]["files"]}
    assert {"summary.json", "report.html", "signals.parquet", "ai_load.parquet"} <= names
    assert run["links"]["report_html"]
    report = httpx.get(base + run["links"]["report_html"], headers={"X-API-Key": key}, timeout=30)
    assert report.status_code == 200 and "<html" in report.text.lower()
    assert not list((tmp / "runs").glob(".tmp-*"))


def test_real_run_signals_are_served_once_published(finished_run):
    base, key, run, tmp = finished_run
    sites = httpx.get(f"{base}/v1/sites", headers={"X-API-Key": key}, timeout=10).json()["sites"]
    ids = [s["site"] for s in sites][:3]
    # a key's run is not served to others until an operator publishes it (issue 17, finding 4)
    assert httpx.get(f"{base}/v1/signals", timeout=10).status_code == 503
    store = open_store(f"sqlite:///{tmp}/store.db")
    admin, _ = store.create_key("ops", rate_limit_per_s=1000, scope="admin")
    store.close()
    r = httpx.post(f"{base}/v1/plans/{run['id']}/publish", headers={"X-API-Key": admin}, timeout=10)
    assert r.status_code == 200 and r.json()["published_at"]
    sig = httpx.get(f"{base}/v1/signals", params={"site": ids[0], "start": "2030-07-01T00:00:00Z",
                                                  "end": "2030-07-02T00:00:00Z"}, timeout=10)
    assert sig.status_code == 200
    assert len(sig.json()["timestamps"]) == 24
    assert sig.json()["source"] == run["id"]
    best = httpx.get(f"{base}/emissions/bylocations/best", params={
        "location": ids, "time": "2030-07-01T00:00:00Z", "toTime": "2030-07-02T00:00:00Z"},
        timeout=10)
    assert best.status_code == 200
    assert best.json()[0]["location"] in ids
    load = httpx.get(f"{base}/v1/plans/{run['id']}/ai-load", headers={"X-API-Key": key},
                     timeout=30).json()
    assert load["ai_load_mw_by_site"] and len(load["timestamps"]) > 1


@pytest.mark.skipif(shutil.which("chromium") is None or shutil.which("chromedriver") is None,
                    reason="needs Debian's chromium and chromium-driver")
def test_real_run_on_the_dashboard(finished_run):
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium not installed")
    from selenium.webdriver.common.by import By

    base, key, run, tmp = finished_run
    opts = webdriver.ChromeOptions()
    opts.binary_location = shutil.which("chromium")
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage",
                 "--window-size=1400,1650"):
        opts.add_argument(flag)
    driver = webdriver.Chrome(options=opts, service=webdriver.ChromeService(shutil.which("chromedriver")))
    try:
        driver.get(base + "/dashboard")
        driver.find_element(By.ID, "api-key").send_keys(key)
        driver.find_element(By.ID, "connect").click()
        wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, "tr.run-row"), 20)[0].click()
        wait_for(lambda: driver.execute_script(
            "return (document.getElementById('chart-ai-load').data || []).length") > 0, 30)
        n_sites = driver.execute_script("return document.getElementById('chart-map').data"
                                        ".find(t => t.name === 'sites').x.length")
        assert n_sites >= 10
        assert driver.execute_script("return document.getElementById('chart-map').data[0].name") == \
            "province outlines"
        shot = Path(os.environ.get("COMPUTEGRID_DASHBOARD_SCREENSHOT", tmp / "dashboard.png"))
        shot.parent.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(shot))
    finally:
        driver.quit()
