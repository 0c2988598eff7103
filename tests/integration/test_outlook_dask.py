"""Sweeps on Dask distributed: a 2-worker LocalCluster gives exactly the serial results; a failed solve
is reported with its parameters while the others complete."""

import dataclasses

import pytest

from computegrid.grid.adequacy import solve_adequacy_case
from computegrid.services.outlook.adequacy import run_adequacy
from computegrid.services.outlook.sweep import Task, run_sweep

pytestmark = pytest.mark.slow


def _strip(result):
    d = dataclasses.asdict(result)
    d.pop("runtime_s")
    return d


def test_adequacy_on_local_cluster_equals_serial():
    kwargs = dict(years=[2027, 2030], scenario_names=["iea-base"], draws=2, seed=3, supply_cases=["planned"],
                  source="tiny", progress=False)
    serial = run_adequacy(workers=0, **kwargs)
    dask = run_adequacy(workers=2, **kwargs)
    assert _strip(dask) == _strip(serial)
    assert serial.solves == 2 + 2 * 2
    assert serial.failures == []
    # the iea-base added load (tens of GW) overwhelms the tiny system: a certain shortage
    rows = serial.scenarios["planned"]["iea-base"]
    assert all(r.shortage_probability_frac == 1.0 for r in rows)
    assert serial.first_year_ai_load_unserved["planned"]["iea-base"] == 2027


def test_failed_solve_is_reported_and_sweep_goes_on():
    tasks = [Task("good", {"year": 2030, "ai_load_mw": {"NM": 1_000.0}, "source": "tiny"}),
             Task("bad", {"year": 2030, "ai_load_mw": {"XX": 1_000.0}, "source": "tiny"})]
    for workers in (0, 2):
        out = run_sweep(solve_adequacy_case, tasks, workers=workers, progress=False)
        assert [o.key for o in out] == ["good", "bad"]
        assert out[0].ok and out[0].result["unserved_energy_twh"] == pytest.approx(0.0, abs=1e-6)
        assert not out[1].ok
        assert "XX" in out[1].error and out[1].params["ai_load_mw"] == {"XX": 1_000.0}


def test_existing_scheduler_address_equals_serial():
    from distributed import LocalCluster

    tasks = [Task(f"t{i}", {"year": 2030, "ai_load_mw": {"GD": 2_500.0 * i}, "source": "tiny"})
             for i in range(3)]
    serial = run_sweep(solve_adequacy_case, tasks, workers=0, progress=False)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        remote = run_sweep(solve_adequacy_case, tasks, scheduler=cluster.scheduler_address, progress=False)
    strip = lambda outs: [{k: v for k, v in o.result.items() if k != "solve_s"} for o in outs]
    assert strip(remote) == strip(serial)
    assert serial[2].result["unserved_energy_twh"] == pytest.approx(0.0, abs=1e-6)  # 55 GW: at the limit
