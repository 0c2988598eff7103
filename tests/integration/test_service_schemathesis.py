"""Schemathesis against the service's OpenAPI spec: no generated request gets a 500.

The app runs in a real uvicorn server on 127.0.0.1 (lifespan included). Bounded: a few examples
per operation; planning runs are queued but not executed (no workers), so the test stays fast.
"""

from __future__ import annotations

import threading
import time

import numpy as np
import pandas as pd
import pytest

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis not installed (test extra)")
import uvicorn  # noqa: E402
from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from service_helpers import free_port  # noqa: E402

from computegrid.api.app import create_app  # noqa: E402
from computegrid.api.settings import ApiSettings  # noqa: E402
from computegrid.services.runs.store import open_store  # noqa: E402
from computegrid.services.plan.site_catalog import list_sites  # noqa: E402

EXAMPLES_PER_OPERATION = 6


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("schemathesis")
    ts = pd.date_range("2030-01-01T00:00Z", periods=48, freq="h")
    pd.concat([pd.DataFrame({
        "timestamp": ts, "site": site, "curtailed_mw": 5.0, "price_cny_per_mwh": 250.0,
        "co2_avg_kg_per_mwh": 400.0 + 10 * i + np.arange(48), "co2_marginal_kg_per_mwh": 600.0 - i})
        for i, site in enumerate(s.site for s in list_sites())], ignore_index=True
    ).to_parquet(tmp / "signals.parquet", index=False)
    db = f"sqlite:///{tmp}/store.db"
    store = open_store(db)
    key, _ = store.create_key("schemathesis", rate_limit_per_s=10_000, scope="admin",
                              min_resolution_h=1, allow_expand=True)
    store.close()
    app = create_app(ApiSettings(db_url=db, runs_dir=tmp / "runs", start_workers=False,
                                 signals_path=tmp / "signals.parquet",
                                 anonymous_rate_limit_per_s=100_000,
                                 max_active_runs_per_key=10_000, max_active_runs_total=10_000))
    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", key, app.openapi()
    srv.should_exit = True
    thread.join(10)


def test_no_server_errors(server):
    base_url, key, spec = server
    schema = schemathesis.openapi.from_dict(spec)
    operations = [op.ok() for op in schema.get_all_operations()]
    assert len(operations) >= 10
    tested = []
    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
                  phases=[Phase.explicit, Phase.generate], derandomize=True,
                  suppress_health_check=list(HealthCheck))
        def check(case):
            response = case.call(base_url=base_url, headers={"X-API-Key": key}, timeout=30)
            case.validate_response(response, checks=[not_a_server_error])

        check()
        tested.append(operation.label)
    assert any("/emissions/bylocations/best" in label for label in tested)
    assert any("POST /v1/plans" in label for label in tested)
    assert any("POST /v1/best" in label for label in tested)
