"""``POST /v1/best`` (one job -> best site and start, with runner-ups) and ``POST /v1/schedule``
(a batch of jobs -> placements), on the served grid signals."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Depends, Request, Response

from computegrid.api.routers.signals import current_feed
from computegrid.api.schemas import (
    BestRequest,
    BestResponse,
    ScheduleRequest,
    ScheduleResponse,
)
from computegrid.api.security import Caller, charge, require_key
from computegrid.errors import InputError
from computegrid.services.signals.carbon_aware import check_year

#: Longest window of start times of one job. [h] (one year, the span of the signals)
MAX_WINDOW_H = 8760
#: Bound on the search of ``/v1/best``: window x (1 + alternatives), each alternative being one
#: more search of the window. [h] assumption: one year of hours, about 0.1 s of CPU
#: (docs/service.md, "Limits"), so that one request cannot hold a worker thread for long.
MAX_BEST_SEARCH_H = 8760
#: Bound on the search of ``/v1/schedule``: the sum over jobs of window + duration. [h]
#: assumption: 250,000 job-hours, 5,000 jobs of the training class's default 24 h slack and 26 h
#: of run time on average, about 0.3 s (the review measured 9.6 s for 8.76 million).
MAX_SCHEDULE_SEARCH_H = 250_000
#: Search hours of ``/v1/best`` and jobs of ``/v1/schedule`` that cost one request of the
#: key's rate limit. [-] Measured (docs/service.md, "Limits"): a one-year window without
#: alternatives takes 30 ms of CPU, 5,000 jobs 570 ms; a small request 5-15 ms.
BEST_HOURS_PER_REQUEST = 2190
SCHEDULE_JOBS_PER_REQUEST = 50


def _hours(a: datetime, b: datetime) -> float:
    def utc(t: datetime) -> datetime:
        return t if t.tzinfo else t.replace(tzinfo=UTC)

    return (utc(b) - utc(a)).total_seconds() / 3600.0


def check_best_window(body: BestRequest, start: datetime) -> float:
    """Refuse a ``/v1/best`` search beyond :data:`MAX_WINDOW_H` or :data:`MAX_BEST_SEARCH_H`;
    returns the search's size: window x (1 + alternatives). [h]"""
    if body.deadline is None:
        return 0.0
    window_h = _hours(start, body.deadline)
    if window_h > MAX_WINDOW_H:
        raise InputError("body.deadline", body.deadline.isoformat(),
                         f"at most {MAX_WINDOW_H} h after earliest_start")
    if window_h * (1 + body.n_alternatives) > MAX_BEST_SEARCH_H:
        raise InputError("body.deadline", body.deadline.isoformat(),
                         f"a window x (1 + n_alternatives) of at most {MAX_BEST_SEARCH_H} h "
                         "(a shorter window or fewer alternatives)")
    return window_h * (1 + body.n_alternatives)


def check_schedule_windows(jobs: list) -> None:
    """Refuse a batch whose windows add up beyond :data:`MAX_SCHEDULE_SEARCH_H`."""
    from computegrid.scheduling.jobs import DEFAULT_CLASSES

    total_h = 0.0
    for i, job in enumerate(jobs):
        if job.deadline_time is not None:
            window_h = _hours(job.submit_time, job.deadline_time)
            if window_h > MAX_WINDOW_H:
                raise InputError(f"body.jobs.{i}.deadline_time", job.deadline_time.isoformat(),
                                 f"at most {MAX_WINDOW_H} h after submit_time")
        else:
            window_h = (job.slack_h if job.slack_h is not None
                        else DEFAULT_CLASSES[job.job_class].default_slack_h) + job.duration_h
        total_h += window_h
    if total_h > MAX_SCHEDULE_SEARCH_H:
        raise InputError("body.jobs.slack_h", f"{total_h:.0f} h in all",
                         f"windows (slack_h or deadline_time - submit_time) adding up to at most "
                         f"{MAX_SCHEDULE_SEARCH_H} h")


def build_router() -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["scheduling"])

    @router.post("/best", response_model=BestResponse,
                 summary="Best site and start time for one job, with runner-up options")
    def best(body: BestRequest, request: Request,
             _caller: Caller = Depends(require_key)) -> Response:
        from computegrid.services.schedule.placement import JobRequest

        feed = current_feed(request)
        start = body.earliest_start or datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
        check_year(start, "body.earliest_start")
        if body.deadline is not None:
            check_year(body.deadline, "body.deadline")
        charge(request, _caller, check_best_window(body, start) / BEST_HOURS_PER_REQUEST - 1)
        job = JobRequest(job_class=body.job_class, duration_h=body.duration_h,
                         origin_province=body.origin_province, earliest_start=start,
                         n_accelerators=body.n_accelerators, energy_mwh=body.energy_mwh,
                         latency_limit_ms=body.latency_limit_ms, deadline=body.deadline)
        out = request.app.state.placement.best(job, feed.signals, body.n_alternatives)
        # validated once here; returned as JSON so that FastAPI does not validate it again
        return Response(BestResponse(**out, signals_source=feed.source).model_dump_json(),
                        media_type="application/json")

    @router.post("/schedule", response_model=ScheduleResponse,
                 summary="Place a batch of jobs with one policy")
    def schedule(body: ScheduleRequest, request: Request,
                 _caller: Caller = Depends(require_key)) -> ScheduleResponse:
        from computegrid.services.schedule.scheduler import schedule_jobs

        check_schedule_windows(body.jobs)
        charge(request, _caller, len(body.jobs) / SCHEDULE_JOBS_PER_REQUEST - 1)
        feed = current_feed(request)
        records = []
        for i, job in enumerate(body.jobs):
            check_year(job.submit_time, f"body.jobs.{i}.submit_time")
            if job.deadline_time is not None:
                check_year(job.deadline_time, f"body.jobs.{i}.deadline_time")
            rec = job.model_dump(exclude_none=True)
            records.append(rec)
        out = schedule_jobs(records, body.policy, signals=feed.signals)
        return ScheduleResponse(policy=out["policy"], metrics=out["metrics"],
                                schedule=out["schedule"], signals_source=feed.source)

    return router
