"""Planning runs: ``POST /v1/plans`` (queued, returns at once), ``GET /v1/plans[/{id}]``, files."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Depends, HTTPException, Path as PathParam, Query, Request
from fastapi.responses import FileResponse

from computegrid.api.schemas import AiLoadResponse, PlanFigure, PlanLinks, PlanList, PlanRequest, PlanRun
from computegrid.api.security import Caller, require_key
from computegrid.services.plan.summary import HEADLINE_FIGURES
from computegrid.services.runs import run_files
from computegrid.services.runs.run_worker import DEFAULT_PLAN_RUNNER
from computegrid.services.runs.store import RunRecord

RUN_ID = PathParam(..., pattern=r"^[0-9a-f]{32}$", description="run id")


def _to_schema(run: RunRecord, runs_dir: Path) -> PlanRun:
    base = f"/v1/plans/{run.id}"
    files = run_files.list_run_files(runs_dir, run.id) if run.status == "succeeded" else []
    links = PlanLinks(self=base, files=[f"{base}/files/{name}" for name in files],
                      report_html=f"{base}/files/report.html" if "report.html" in files else None)
    return PlanRun(id=run.id, status=run.status, created_at=run.created_at,
                   started_at=run.started_at, finished_at=run.finished_at, error=run.error,
                   params=run.params, summary=run.summary, links=links,
                   figures=[PlanFigure(key=f.key, title=f.title, unit=f.unit, scale=f.scale) for f in HEADLINE_FIGURES])


def build_router() -> APIRouter:
    router = APIRouter(prefix="/v1/plans", tags=["plans"])

    @router.post("", response_model=PlanRun, status_code=202,
                 summary="Start a planning run (queued; returns its id at once)")
    def create_plan(body: PlanRequest, request: Request,
                    caller: Caller = Depends(require_key)) -> PlanRun:
        from computegrid.services.plan.plan_runs import check_plan_params

        if request.app.state.settings.plan_runner == DEFAULT_PLAN_RUNNER:
            check_plan_params(body.scenario, body.overrides)
        store = request.app.state.store
        run = store.create_run("plan", body.model_dump(), key_id=caller.key.id)
        request.app.state.pool.submit(run.id)
        return _to_schema(run, request.app.state.settings.runs_dir)

    @router.get("", response_model=PlanList, summary="List planning runs, newest first")
    def list_plans(request: Request, limit: int = Query(50, ge=1, le=500),
                   status: str | None = Query(None, pattern="^(queued|running|succeeded|failed)$"),
                   _caller: Caller = Depends(require_key)) -> PlanList:
        runs = request.app.state.store.list_runs(limit=limit, status=status)
        runs_dir = request.app.state.settings.runs_dir
        return PlanList(runs=[_to_schema(r, runs_dir) for r in runs], count=len(runs))

    @router.get("/{run_id}", response_model=PlanRun, summary="Status, summary and report links")
    def get_plan(request: Request, run_id: str = RUN_ID,
                 _caller: Caller = Depends(require_key)) -> PlanRun:
        run = request.app.state.store.get_run(run_id)
        if run is None:
            raise HTTPException(404, f"no run {run_id}")
        return _to_schema(run, request.app.state.settings.runs_dir)

    @router.get("/{run_id}/files/{name}", summary="One result file of a succeeded run",
                response_class=FileResponse)
    def get_plan_file(request: Request, run_id: str = RUN_ID,
                      name: str = PathParam(..., pattern=r"^[A-Za-z0-9_.-]{1,100}$"),
                      _caller: Caller = Depends(require_key)) -> FileResponse:
        path = run_files.run_file_path(request.app.state.settings.runs_dir, run_id, name)
        if path is None:
            raise HTTPException(404, f"no file {name} in run {run_id}")
        return FileResponse(path)

    @router.get("/{run_id}/ai-load", response_model=AiLoadResponse,
                summary="AI load (facility) by site and time step of one scenario of a run")
    def get_plan_ai_load(request: Request, run_id: str = RUN_ID,
                         scenario: str = Query("co-optimised", max_length=50),
                         _caller: Caller = Depends(require_key)) -> AiLoadResponse:
        run = request.app.state.store.get_run(run_id)
        if run is None or run.status != "succeeded":
            raise HTTPException(404, f"no finished run {run_id}")
        found = run_files.ai_load_by_site(request.app.state.settings.runs_dir, run_id, scenario)
        if found is None:
            raise HTTPException(404, f"run {run_id} has no {run_files.AI_LOAD_FILE}")
        timestamps, by_site = found
        return AiLoadResponse(run_id=run_id, scenario=scenario, timestamps=timestamps,
                              ai_load_mw_by_site=by_site)

    return router
