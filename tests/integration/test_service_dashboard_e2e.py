"""The dashboard in headless Chromium (Debian's chromium + chromedriver, via Selenium).

Clicks through a finished run and checks what is shown against the run's known numbers
(``dashboard_runner`` in service_helpers), then starts a run from the page and watches its
status change. Skipped, with the reason, only when chromium or selenium is absent.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from service_helpers import (
    DASHBOARD_RUNNER,
    DASHBOARD_SCENARIOS,
    DASHBOARD_SITES,
    server_process,
    wait_for,
)

from computegrid.services.runs.store import open_store

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None or CHROMEDRIVER is None,
    reason="headless browser tests need Debian's chromium and chromium-driver "
           "(apt-get install -y chromium chromium-driver; .ci/run installs them)")
webdriver = pytest.importorskip("selenium.webdriver", reason="selenium not installed (test extra)")
from selenium.webdriver.common.by import By  # noqa: E402

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage",
         "--window-size=1400,1700")


@pytest.fixture
def browser():
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in FLAGS:
        opts.add_argument(flag)
    driver = webdriver.Chrome(options=opts, service=webdriver.ChromeService(CHROMEDRIVER))
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def _js(driver, script):
    return driver.execute_script(script)


def test_dashboard_click_through_a_run(browser, tmp_path):
    db = f"sqlite:///{tmp_path}/store.db"
    store = open_store(db)
    key, _ = store.create_key("browser", rate_limit_per_s=1000)
    store.close()
    with server_process(db, tmp_path / "runs", runner=DASHBOARD_RUNNER,
                        log_path=tmp_path / "server.log") as (base, _):
        import httpx

        run = httpx.post(f"{base}/v1/plans", headers={"X-API-Key": key},
                         json={"scenario": "china-2030"}, timeout=10).json()
        wait_for(lambda: httpx.get(f"{base}/v1/plans/{run['id']}", headers={"X-API-Key": key},
                                   timeout=5).json()["status"] == "succeeded", 60)

        browser.get(base + "/dashboard")
        assert "computegrid" in browser.title
        browser.find_element(By.ID, "api-key").send_keys(key)
        browser.find_element(By.ID, "connect").click()
        row = wait_for(lambda: browser.find_elements(By.CSS_SELECTOR,
                                                     f"tr.run-row[data-run-id='{run['id']}']"), 20)[0]
        assert "succeeded" in row.text
        row.click()
        wait_for(lambda: browser.find_element(By.ID, "run-status").text == "succeeded", 20)
        wait_for(lambda: _js(browser, "return (document.getElementById('chart-ai-load').data "
                                      "|| []).length") == len(DASHBOARD_SITES), 20)

        # scenario comparison: table values are the summary's (system cost in bn CNY/yr)
        cells = {tr.get_attribute("data-metric"): [td.text for td in tr.find_elements(By.TAG_NAME, "td")]
                 for tr in browser.find_elements(By.CSS_SELECTOR, "#comparison-table tbody tr")}
        costs = [float(v) for v in cells["system_cost_cny_per_year"][1:]]
        assert costs == [DASHBOARD_SCENARIOS[s]["system_cost_cny_per_year"] / 1e9
                         for s in ("status-quo", "west-static", "co-optimised")]
        assert _js(browser, "return document.getElementById('chart-comparison').data[0].x") == \
            ["status-quo", "west-static", "co-optimised"]

        # map: the province outlines under every site with its built capacity (co-optimised), sized by it
        outline = _js(browser, "const d = document.getElementById('chart-map').data[0];"
                               "return {name: d.name, n: d.x.length, gaps: d.x.filter(v => v === null).length};")
        assert outline["name"] == "province outlines" and outline["gaps"] >= 31 and outline["n"] > 1000
        map_trace = _js(browser, "const d = document.getElementById('chart-map').data"
                                 ".find(t => t.name === 'sites');"
                                 "return {text: d.text, color: d.marker.color, lat: d.y};")
        caps = dict(zip(map_trace["text"], map_trace["color"]))
        for site, mw in DASHBOARD_SCENARIOS["co-optimised"]["dc_capacity_by_site_mw"].items():
            assert caps[site] == mw
        assert len(map_trace["lat"]) >= len(DASHBOARD_SITES)

        # AI load by site and hour: one stacked series per site, 24 hours each
        traces = _js(browser, "return document.getElementById('chart-ai-load').data"
                              ".map(t => [t.name, t.y.length, t.y[0]]);")
        assert sorted(t[0] for t in traces) == sorted(DASHBOARD_SITES)
        assert all(t[1] == 24 for t in traces)
        assert dict((t[0], t[2]) for t in traces) == {"zhangjiakou": 1000.0, "qingyang": 2000.0}

        # curtailment absorbed = AI energy x share from curtailment
        absorbed = _js(browser, "return document.getElementById('chart-curtailment').data[0].y")
        assert absorbed == pytest.approx([100.0 * DASHBOARD_SCENARIOS[s]["ai_energy_from_curtailment_frac"]
                                          for s in ("status-quo", "west-static", "co-optimised")])
        assert browser.find_element(By.ID, "report-link").is_displayed()

        shot = Path(os.environ.get("COMPUTEGRID_DASHBOARD_SCREENSHOT", tmp_path / "dashboard.png"))
        shot.parent.mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(shot))
        assert shot.stat().st_size > 10_000

        # the full report opens in a new tab with its figures (fetched with the key)
        main_window = browser.current_window_handle
        browser.find_element(By.ID, "report-link").click()
        wait_for(lambda: len(browser.window_handles) == 2, 20)
        browser.switch_to.window([h for h in browser.window_handles if h != main_window][0])
        wait_for(lambda: browser.execute_script(
            "const i = document.getElementById('fig'); return i && i.complete && i.naturalWidth > 0"), 20)
        assert "test report" in browser.find_element(By.TAG_NAME, "h1").text
        browser.close()
        browser.switch_to.window(main_window)

        # start a run from the page: it appears in the list and finishes
        n_rows = len(browser.find_elements(By.CSS_SELECTOR, "tr.run-row"))
        browser.find_element(By.ID, "new-run").click()
        wait_for(lambda: len(browser.find_elements(By.CSS_SELECTOR, "tr.run-row")) == n_rows + 1, 20)
        wait_for(lambda: all(r.get_attribute("data-status") == "succeeded"
                             for r in browser.find_elements(By.CSS_SELECTOR, "tr.run-row")), 60)


def test_dashboard_refuses_a_wrong_key(browser, tmp_path):
    db = f"sqlite:///{tmp_path}/store.db"
    with server_process(db, tmp_path / "runs", runner=DASHBOARD_RUNNER) as (base, _):
        browser.get(base + "/dashboard")
        browser.find_element(By.ID, "api-key").send_keys("cg_wrong")
        browser.find_element(By.ID, "connect").click()
        wait_for(lambda: "401" in browser.find_element(By.ID, "key-status").text, 20)
        assert browser.find_elements(By.CSS_SELECTOR, "tr.run-row") == []
