"""Shared helpers of the service tests (imported by test_service_*.py; not a test module).

The ``sleep_runner`` below is a test double of the planning runner: it exercises the worker
pool (queueing, time limits, restarts, concurrency) without a model solve. Tests of the real
planning runner use the tiny scenario in test_service_plans_real.py.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
SRC = HERE.parent.parent / "src"


def sleep_runner(params: dict, out_dir: Path) -> dict:
    """Test double of a planning run: sleeps ``overrides.sleep_s`` and writes summary.json."""
    overrides = params.get("overrides", {})
    time.sleep(float(overrides.get("sleep_s", 0)))
    if overrides.get("fail"):
        raise RuntimeError("asked to fail")
    summary = {"status": "ok", "scenario": params.get("scenario"), "tag": overrides.get("tag")}
    (Path(out_dir) / "summary.json").write_text(json.dumps(summary))
    (Path(out_dir) / "report.html").write_text("<html><body>report</body></html>")
    return summary


SLEEP_RUNNER = "service_helpers:sleep_runner"


def priority_runner(params: dict, out_dir: Path) -> dict:
    """Test double of a planning run that reports its own CPU priority and memory limit."""
    import resource

    summary = {"nice": os.nice(0), "policy": os.sched_getscheduler(0),
               "rlimit_as": resource.getrlimit(resource.RLIMIT_AS)[0]}
    (Path(out_dir) / "summary.json").write_text(json.dumps(summary))
    return summary


def child_env() -> dict[str, str]:
    """Environment in which the worker's child processes can import this module."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(SRC), str(HERE), env.get("PYTHONPATH", "")])
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout_s: float = 60.0, interval_s: float = 0.1):
    """Poll ``predicate`` until it returns a truthy value; fail the test on timeout."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval_s)
    raise AssertionError(f"condition not met within {timeout_s} s")


SERVER_SCRIPT = """
import sys, uvicorn
from pathlib import Path
from computegrid.api.app import create_app
from computegrid.api.settings import ApiSettings
db, runs_dir, port, runner, n_workers, limit = sys.argv[1:7]
app = create_app(ApiSettings(db_url=db, runs_dir=Path(runs_dir), plan_runner=runner,
                             n_workers=int(n_workers), plan_time_limit_s=float(limit),
                             max_active_runs_per_key=1000, max_active_runs_total=1000,
                             signals_builder=None))
uvicorn.run(app, host="127.0.0.1", port=int(port), log_level="warning")
"""


@contextmanager
def server_process(db_url: str, runs_dir: Path, runner: str = SLEEP_RUNNER, n_workers: int = 1,
                   time_limit_s: float = 120.0, log_path: Path | None = None):
    """A real uvicorn server in a child process; yields (base_url, Popen)."""
    port = free_port()
    log = open(log_path, "ab") if log_path else subprocess.DEVNULL
    proc = subprocess.Popen([sys.executable, "-c", SERVER_SCRIPT, db_url, str(runs_dir),
                             str(port), runner, str(n_workers), str(time_limit_s)],
                            env=child_env(), stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    base = f"http://127.0.0.1:{port}"

    def up():
        if proc.poll() is not None:
            raise AssertionError(f"server exited with {proc.returncode}")
        try:
            return httpx.get(base + "/health", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_for(up, 60)
        yield base, proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        if log_path:
            log.close()


def pg_url_or_skip():
    """The PostgreSQL URL of the test database, or skip with the reason."""
    import pytest

    url = os.environ.get("COMPUTEGRID_TEST_PG_URL")
    if not url:
        pytest.skip("PostgreSQL tests skipped: COMPUTEGRID_TEST_PG_URL is not set "
                    "(.ci/run sets it after starting a local PostgreSQL)")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        pytest.skip("PostgreSQL tests skipped: psycopg is not installed")
    return url


def fresh_pg_url(base_url: str) -> str:
    """Create an empty database next to ``base_url``'s and return its URL."""
    import uuid

    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from computegrid.services.runs.store.store import make_engine

    name = "cg_test_" + uuid.uuid4().hex[:12]
    admin = make_engine(base_url)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = make_url(base_url).set(database=name)
    return url.render_as_string(hide_password=False)


#: Sites and numbers of the run that ``dashboard_runner`` writes (the E2E test checks them).
DASHBOARD_SITES = ("zhangjiakou", "qingyang")
DASHBOARD_SCENARIOS = {
    "status-quo": {"system_cost_cny_per_year": 2.0e12, "emissions_mt_co2_per_year": 5000.0,
                   "curtailment_twh_per_year": 80.0, "ai_energy_twh_per_year": 100.0,
                   "ai_energy_from_curtailment_frac": 0.05, "unserved_energy_twh_per_year": 0.0,
                   "latency_compliance_frac": 1.0,
                   "dc_capacity_by_site_mw": {"zhangjiakou": 9000.0, "qingyang": 1000.0}},
    "west-static": {"system_cost_cny_per_year": 1.9e12, "emissions_mt_co2_per_year": 4900.0,
                    "curtailment_twh_per_year": 60.0, "ai_energy_twh_per_year": 100.0,
                    "ai_energy_from_curtailment_frac": 0.2, "unserved_energy_twh_per_year": 0.0,
                    "latency_compliance_frac": 1.0,
                    "dc_capacity_by_site_mw": {"zhangjiakou": 4000.0, "qingyang": 6000.0}},
    "co-optimised": {"system_cost_cny_per_year": 1.8e12, "emissions_mt_co2_per_year": 4800.0,
                     "curtailment_twh_per_year": 40.0, "ai_energy_twh_per_year": 100.0,
                     "ai_energy_from_curtailment_frac": 0.4, "unserved_energy_twh_per_year": 0.0,
                     "latency_compliance_frac": 1.0,
                     "dc_capacity_by_site_mw": {"zhangjiakou": 3000.0, "qingyang": 8000.0}},
}


def dashboard_runner(params: dict, out_dir: Path) -> dict:
    """Test double of a planning run with known numbers, in the files a real run writes
    (summary.json, ai_load.parquet, report.html), for the dashboard's end-to-end test."""
    import pandas as pd

    out_dir = Path(out_dir)
    time.sleep(float(params.get("overrides", {}).get("sleep_s", 0)))
    summary = {"status": "ok", "scenario_name": params.get("scenario"),
               "scenarios": DASHBOARD_SCENARIOS}
    ts = pd.date_range("2030-01-01T00:00Z", periods=24, freq="h")
    rows = []
    for scenario in DASHBOARD_SCENARIOS:
        for k, site in enumerate(DASHBOARD_SITES):
            load = 1000.0 * (k + 1) + 10.0 * pd.Series(range(24)).to_numpy()
            rows.append(pd.DataFrame({"scenario": scenario, "class": "batch", "site": site,
                                      "timestamp": ts, "it_load_mw": load / 1.2,
                                      "facility_load_mw": load}))
    pd.concat(rows, ignore_index=True).to_parquet(out_dir / "ai_load.parquet", index=False)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(2, 1))
    ax.plot([0, 1], [0, 1])
    fig.savefig(out_dir / "figure.png")
    plt.close(fig)
    (out_dir / "report.html").write_text('<html><body><h1>test report</h1>'
                                         '<img id="fig" src="figure.png"></body></html>')
    (out_dir / "summary.json").write_text(json.dumps(summary))
    return summary


DASHBOARD_RUNNER = "service_helpers:dashboard_runner"


def hog_runner(params: dict, out_dir: Path) -> dict:
    """Test double of a planning run that allocates ``overrides.hog_mb`` MB (memory limit test)."""
    block = bytearray(int(params.get("overrides", {}).get("hog_mb", 0)) * 2**20)
    summary = {"status": "ok", "bytes": len(block)}
    (Path(out_dir) / "summary.json").write_text(json.dumps(summary))
    return summary


def quick_signals_frame():
    """Test double of the default signals builder: two locations, 48 hours, after 1 s."""
    import pandas as pd

    time.sleep(1.0)
    ts = pd.date_range("2030-01-01T00:00Z", periods=48, freq="h")
    return pd.concat([pd.DataFrame({"timestamp": ts, "site": site, "curtailed_mw": 0.0,
                                    "price_cny_per_mwh": 300.0, "co2_avg_kg_per_mwh": avg,
                                    "co2_marginal_kg_per_mwh": marg})
                      for site, avg, marg in (("ningxia", 600.0, 900.0),
                                              ("shanghai", 500.0, 800.0))], ignore_index=True)


QUICK_SIGNALS = "service_helpers:quick_signals_frame"
