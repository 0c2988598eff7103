"""``PlacementService`` builds one job's problem from arrays (no job table): the same problem
as ``build_problem(make_jobs(...))``, and the same best placement as the schedule service."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from computegrid.errors import InputError
from computegrid.scheduling.jobs import make_jobs
from computegrid.scheduling.problem import build_problem
from computegrid.scheduling.signals import SiteSignals
from computegrid.scheduling.sites import default_sites
from computegrid.services.schedule.placement import JobRequest, PlacementService, accelerators_for


@pytest.fixture(scope="module")
def signals():
    """Random signals for every default site over ten days of 2030 (values are irrelevant)."""
    ids = default_sites(1).ids
    ts = pd.date_range("2030-03-01T00:00Z", periods=240, freq="h", name="timestamp")
    rng = np.random.default_rng(7)
    shape = (len(ids), len(ts))
    return SiteSignals(ts, tuple(reversed(ids)), {  # another site order than the tables'
        "curtailed_mw": rng.uniform(0, 1, shape), "price_cny_per_mwh": rng.uniform(-50, 600, shape),
        "co2_avg_kg_per_mwh": rng.uniform(100, 900, shape),
        "co2_marginal_kg_per_mwh": rng.uniform(300, 1000, shape)})


def _jobs(n: int, seed: int) -> list[JobRequest]:
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        start = datetime(2030, 3, 2, tzinfo=UTC) + timedelta(minutes=int(rng.integers(0, 5 * 1440)))
        duration_h = float(rng.choice([0.25, 1.0, 2.5, 4.0, 9.0]))
        deadline = (start + timedelta(hours=duration_h + float(rng.uniform(0, 30)))
                    if rng.random() < 0.5 else None)
        by_energy = rng.random() < 0.3
        out.append(JobRequest(
            job_class=str(rng.choice(["online", "batch", "training"])), duration_h=duration_h,
            origin_province=str(rng.choice(["Shanghai", "Guangdong", "Beijing", "Sichuan",
                                             "Inner Mongolia", "GS"])),
            earliest_start=start if rng.random() < 0.8 else start.replace(tzinfo=None),
            n_accelerators=None if by_energy else int(rng.integers(1, 3000)),
            energy_mwh=float(rng.uniform(0.01, 50)) if by_energy else None,
            latency_limit_ms=float(rng.uniform(5, 40)) if rng.random() < 0.3 else None,
            deadline=(deadline if deadline is None or rng.random() < 0.8
                      else deadline.replace(tzinfo=None) if start.tzinfo is None else deadline)))
    return out


def _reference(service: PlacementService, job: JobRequest, n_acc: int, signals):
    """The problem built as the schedule service builds it: a one-row job table."""
    record = {"job_id": "job", "submit_time": job.earliest_start, "n_accelerators": n_acc,
              "duration_h": job.duration_h, "origin_province": job.origin_province,
              "job_class": job.job_class}
    if job.deadline is not None:
        record["deadline_time"] = job.deadline
    return build_problem(make_jobs(pd.DataFrame([record]), source="job"), service._sites(n_acc),
                         signals)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_problem_from_arrays_is_the_problem_of_a_job_table(signals, seed):
    service = PlacementService()
    for job in _jobs(25, seed):
        if (job.deadline is not None and job.earliest_start.tzinfo is None) != (
                job.deadline is not None and job.deadline.tzinfo is None):
            continue  # a naive and an aware time cannot be compared
        n_acc = accelerators_for(job)
        limit = {"online": 20.0, "batch": 30.0, "training": np.inf}[job.job_class]
        if job.latency_limit_ms is not None:
            limit = min(limit, job.latency_limit_ms)
        ref = _reference(service, job, n_acc, signals)
        _, got = service._problem(job, n_acc, limit, signals)
        assert got.start == ref.start and got.n_slots == ref.n_slots
        assert got.signals.sites == ref.signals.sites
        for name in ("submit_h", "duration_h", "deadline_h", "latency_ms", "capacity",
                     "mwh_per_acc_h", "weight", "curt_mwh", "price", "co2_avg", "co2_marg"):
            np.testing.assert_allclose(getattr(got, name), getattr(ref, name), rtol=0,
                                       atol=1e-9, err_msg=name)
        np.testing.assert_array_equal(got.n_acc, ref.n_acc)
        if job.latency_limit_ms is None:  # the table knows only the class's limit
            np.testing.assert_array_equal(got.allowed, ref.allowed)
            np.testing.assert_array_equal(got.limit_ms, ref.limit_ms)


def test_the_best_option_is_the_schedule_services_best_placement(signals):
    from computegrid.services.schedule.scheduler import best_placement

    service = PlacementService()
    for job in _jobs(12, 3):
        if job.latency_limit_ms is not None or job.earliest_start.tzinfo is None:
            continue  # best_placement takes the class's limit; compare aware times only
        job_deadline = None if job.deadline is None or job.deadline.tzinfo is None else job.deadline
        job = JobRequest(**{**job.__dict__, "deadline": job_deadline})
        n_acc = accelerators_for(job)
        got = service.best(job, signals, n_alternatives=0)["best"]
        record = {"job_id": "x", "submit_time": job.earliest_start, "n_accelerators": n_acc,
                  "duration_h": job.duration_h, "origin_province": job.origin_province,
                  "job_class": job.job_class}
        if job.deadline is not None:
            record["deadline_time"] = job.deadline
        ref = best_placement(record, sites=service._sites(n_acc), signals=signals)
        assert got["site"] == ref["site"], job
        assert pd.Timestamp(got["start_time"]) == pd.Timestamp(ref["start_time"]), job
        assert got["cost_cny"] == pytest.approx(ref["cost_cny"])
        assert got["emissions_average_tco2"] == pytest.approx(ref["emissions_average_tco2"])


def test_kept_tables_are_reused_and_bad_jobs_refused_naming_the_field(signals):
    service = PlacementService()
    job = JobRequest(job_class="batch", duration_h=2.0, origin_province="Shanghai",
                     earliest_start=datetime(2030, 3, 3, 5, 30, tzinfo=UTC), n_accelerators=10)
    first = service.best(job, signals)
    assert service.best(job, signals) == first
    assert len(service._signals) == 1 and len(service._latency) == 1
    bad = [({"origin_province": "Atlantis"}, "body.origin_province"),
           ({"deadline": datetime(2030, 3, 3, 6, 0, tzinfo=UTC)}, "body.deadline"),
           ({"duration_h": float("nan")}, "body.duration_h")]
    for change, field in bad:
        with pytest.raises(InputError) as err:
            service.best(JobRequest(**{**job.__dict__, **change}), signals)
        assert err.value.field == field
    assert len(service._latency) == 1  # an unknown origin is not kept
