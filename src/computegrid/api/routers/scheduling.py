"""``POST /v1/best`` (one job -> best site and start, with runner-ups) and ``POST /v1/schedule``
(a batch of jobs -> placements), on the served grid signals."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Depends, Request

from computegrid.api.routers.signals import current_feed
from computegrid.api.schemas import (
    BestRequest,
    BestResponse,
    ScheduleRequest,
    ScheduleResponse,
)
from computegrid.api.security import Caller, require_key
from computegrid.services.signals.carbon_aware import check_year


def build_router() -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["scheduling"])

    @router.post("/best", response_model=BestResponse,
                 summary="Best site and start time for one job, with runner-up options")
    def best(body: BestRequest, request: Request,
             _caller: Caller = Depends(require_key)) -> BestResponse:
        from computegrid.services.schedule.placement import JobRequest

        feed = current_feed(request)
        start = body.earliest_start or datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
        check_year(start, "body.earliest_start")
        if body.deadline is not None:
            check_year(body.deadline, "body.deadline")
        job = JobRequest(job_class=body.job_class, duration_h=body.duration_h,
                         origin_province=body.origin_province, earliest_start=start,
                         n_accelerators=body.n_accelerators, energy_mwh=body.energy_mwh,
                         latency_limit_ms=body.latency_limit_ms, deadline=body.deadline)
        out = request.app.state.placement.best(job, feed.signals, body.n_alternatives)
        return BestResponse(**out, signals_source=feed.source)

    @router.post("/schedule", response_model=ScheduleResponse,
                 summary="Place a batch of jobs with one policy")
    def schedule(body: ScheduleRequest, request: Request,
                 _caller: Caller = Depends(require_key)) -> ScheduleResponse:
        from computegrid.services.schedule.scheduler import schedule_jobs

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
