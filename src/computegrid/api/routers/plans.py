"""Planning runs: ``POST /v1/plans`` (queued, returns at once), ``GET /v1/plans[/{id}]``, files."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from pathlib import Path

from fastapi import APIRouter, Depends, HTTPException, Path as PathParam, Query, Request
from fastapi.responses import FileResponse

from computegrid.api.schemas import AiLoadResponse, PlanFigure, PlanLinks, PlanList, PlanRequest, PlanRun
from computegrid.api.security import Caller, charge, require_scope
from computegrid.errors import InputError
from computegrid.services.plan.summary import HEADLINE_FIGURES
from computegrid.services.runs import run_files
from computegrid.services.runs.run_worker import DEFAULT_PLAN_RUNNER
from computegrid.services.runs.store.quota import create_run_within
from computegrid.services.runs.store import RunRecord

#: Seconds a client over its run quota is told to wait. [s]
#: assumption: 60 s, about half a default-resolution run (docs/planning.md: rep12 in 15 s, 3h
#: in 110 s).
QUOTA_RETRY_AFTER_S = 60

#: Requests of the key's rate limit that checking a new set of run parameters costs. [-]
#: Measured (docs/service.md, "Load test"): ``check_plan_params`` reads and merges the scenario's
#: YAML, 16 ms of CPU on the development machine, against 1.5-3 ms for a small request; a
#: parameter set seen before is answered from :class:`ParamsMemo` and costs one request.
PARAMS_CHECK_REQUESTS = 8


class ParamsMemo:
    """Outcomes of ``check_plan_params`` (the run's cost, or the InputError refusing it) by
    parameters, the ``max_entries`` most recent: bundled scenarios do not change while the
    server runs, so a repeated submission (a client retrying after 429) is not parsed again."""

    def __init__(self, max_entries: int = 256) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[str, dict | tuple] = OrderedDict()  # cost, or the refusal
        self._lock = threading.Lock()

    def check(self, body: PlanRequest, on_miss) -> dict:
        """The run's cost (``check_plan_params``); calls ``on_miss()`` when it had to be worked out.

        Raises
        ------
        InputError
            The parameters are refused (as ``check_plan_params`` refuses them).
        """
        from computegrid.services.plan.plan_runs import check_plan_params

        key = json.dumps([body.scenario, body.overrides, body.resolution_h], sort_keys=True)
        with self._lock:
            outcome = self._entries.get(key)
            if outcome is not None:
                self._entries.move_to_end(key)
        if outcome is None:
            on_miss()
            try:
                outcome = check_plan_params(body.scenario, body.overrides, body.resolution_h)
            except InputError as exc:  # kept as its fields: a new exception per refusal
                outcome = (type(exc), exc.field, exc.value, exc.allowed)
            with self._lock:
                self._entries[key] = outcome
                while len(self._entries) > self.max_entries:
                    self._entries.popitem(last=False)
        if isinstance(outcome, tuple):
            kind, field, value, allowed = outcome
            raise kind(field, value, allowed)
        return outcome


RUN_ID = PathParam(..., pattern=r"^[0-9a-f]{32}$", description="run id")


def _to_schema(run: RunRecord, runs_dir: Path) -> PlanRun:
    base = f"/v1/plans/{run.id}"
    files = run_files.list_run_files(runs_dir, run.id) if run.status == "succeeded" else []
    links = PlanLinks(self=base, files=[f"{base}/files/{name}" for name in files],
                      report_html=f"{base}/files/report.html" if "report.html" in files else None)
    return PlanRun(id=run.id, status=run.status, created_at=run.created_at,
                   started_at=run.started_at, finished_at=run.finished_at, error=run.error,
                   params=run.params, summary=run.summary, attempts=run.attempts,
                   published_at=run.published_at, links=links,
                   figures=[PlanFigure(key=f.key, title=f.title, unit=f.unit, scale=f.scale)
                            for f in HEADLINE_FIGURES])


def _check_quota(request: Request, caller: Caller) -> None:
    """429 with Retry-After when the key, or the service, has its cap of queued + running runs
    (a cheap early refusal; the run is inserted with the caps checked again atomically)."""
    settings = request.app.state.settings
    store = request.app.state.store
    if store.count_active_runs(caller.key.id) >= settings.max_active_runs_per_key:
        _quota_refusal(settings, "key")
    if store.count_active_runs() >= settings.max_active_runs_total:
        _quota_refusal(settings, "total")


def _quota_refusal(settings, cap: str) -> None:
    """Raise the 429 of the ``cap`` (``"key"`` or ``"total"``) of active runs."""
    headers = {"Retry-After": str(QUOTA_RETRY_AFTER_S)}
    if cap == "key":
        raise HTTPException(429, f"this key has {settings.max_active_runs_per_key} runs queued or "
                                 "running, its limit; retry when one has finished",
                            headers=headers)
    raise HTTPException(429, f"the service has {settings.max_active_runs_total} runs queued "
                             "or running, its limit; retry later", headers=headers)


def _check_allowed(caller: Caller, cost: dict) -> None:
    """403 when the run is finer than the key's resolutions, or expands capacity unasked."""
    key = caller.key
    if key.allows("admin"):
        return
    if cost["step_h"] < key.min_resolution_h:
        raise HTTPException(403, f"resolution {cost['resolution']} (one step per "
                                 f"{cost['step_h']:.3g} h) is finer than this key may run "
                                 f"({key.min_resolution_h} h; computegrid keys create "
                                 "--min-resolution-h)")
    if cost["expand"] and not key.allow_expand:
        raise HTTPException(403, "expand: true (capacity expansion) is not allowed to this key "
                                 "(computegrid keys create --allow-expand)")


def _own_run(request: Request, caller: Caller, run_id: str) -> RunRecord:
    """The run, if the caller may see it (its own, or any for admin); else 404."""
    run = request.app.state.store.get_run(run_id)
    if run is None or not (caller.key.allows("admin") or run.key_id == caller.key.id):
        raise HTTPException(404, f"no run {run_id}")
    return run


def build_router() -> APIRouter:
    """The runs' routes.

    Longer than 60 lines: one short closure per endpoint, each with its scope.
    """
    router = APIRouter(prefix="/v1/plans", tags=["plans"])
    params_memo = ParamsMemo()

    @router.post("", response_model=PlanRun, status_code=202,
                 summary="Start a planning run (queued; returns its id at once)")
    def create_plan(body: PlanRequest, request: Request,
                    caller: Caller = Depends(require_scope("plan"))) -> PlanRun:
        _check_quota(request, caller)  # first: two counts in the store, cheaper than the YAML
        if request.app.state.settings.plan_runner == DEFAULT_PLAN_RUNNER:
            _check_allowed(caller, params_memo.check(
                body, lambda: charge(request, caller, PARAMS_CHECK_REQUESTS - 1)))
        settings = request.app.state.settings
        run = create_run_within(request.app.state.store, "plan", body.model_dump(), caller.key.id,
                                settings.max_active_runs_per_key,
                                settings.max_active_runs_total)  # the caps again, atomically
        if isinstance(run, str):
            _quota_refusal(settings, run)
        request.app.state.pool.submit(run.id)
        return _to_schema(run, request.app.state.settings.runs_dir)

    @router.get("", response_model=PlanList, summary="List planning runs, newest first")
    def list_plans(request: Request, limit: int = Query(50, ge=1, le=500),
                   status: str | None = Query(None, pattern="^(queued|running|succeeded|failed)$"),
                   caller: Caller = Depends(require_scope("read"))) -> PlanList:
        mine = None if caller.key.allows("admin") else caller.key.id
        runs = request.app.state.store.list_runs(limit=limit, status=status, key_id=mine)
        runs_dir = request.app.state.settings.runs_dir
        return PlanList(runs=[_to_schema(r, runs_dir) for r in runs], count=len(runs))

    @router.get("/{run_id}", response_model=PlanRun, summary="Status, summary and report links")
    def get_plan(request: Request, run_id: str = RUN_ID,
                 caller: Caller = Depends(require_scope("read"))) -> PlanRun:
        return _to_schema(_own_run(request, caller, run_id), request.app.state.settings.runs_dir)

    @router.post("/{run_id}/publish", response_model=PlanRun,
                 summary="Publish a succeeded run's signals to the open endpoints (admin)")
    def publish_plan(request: Request, run_id: str = RUN_ID,
                     _caller: Caller = Depends(require_scope("admin"))) -> PlanRun:
        from computegrid.errors import InputError

        try:
            run = request.app.state.store.publish_run(run_id)
        except InputError as exc:
            raise HTTPException(404, str(exc)) from None
        request.app.state.feed_memo.clear()  # served at once by this process
        return _to_schema(run, request.app.state.settings.runs_dir)

    @router.get("/{run_id}/files/{name}", summary="One result file of a succeeded run",
                response_class=FileResponse)
    def get_plan_file(request: Request, run_id: str = RUN_ID,
                      name: str = PathParam(..., pattern=r"^[A-Za-z0-9_.-]{1,100}$"),
                      caller: Caller = Depends(require_scope("read"))) -> FileResponse:
        _own_run(request, caller, run_id)
        path = run_files.run_file_path(request.app.state.settings.runs_dir, run_id, name)
        if path is None:
            raise HTTPException(404, f"no file {name} in run {run_id}")
        return FileResponse(path)

    @router.get("/{run_id}/ai-load", response_model=AiLoadResponse,
                summary="AI load (facility) by site and time step of one scenario of a run")
    def get_plan_ai_load(request: Request, run_id: str = RUN_ID,
                         scenario: str = Query("co-optimised", max_length=50),
                         caller: Caller = Depends(require_scope("read"))) -> AiLoadResponse:
        run = _own_run(request, caller, run_id)
        if run.status != "succeeded":
            raise HTTPException(404, f"no finished run {run_id}")
        found = run_files.ai_load_by_site(request.app.state.settings.runs_dir, run_id, scenario)
        if found is None:
            raise HTTPException(404, f"run {run_id} has no {run_files.AI_LOAD_FILE}")
        timestamps, by_site = found
        return AiLoadResponse(run_id=run_id, scenario=scenario, timestamps=timestamps,
                              ai_load_mw_by_site=by_site)

    return router
