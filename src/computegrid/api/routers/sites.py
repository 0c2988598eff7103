"""``GET /v1/sites``: candidate data-centre sites with coordinates (for the dashboard map)."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Depends

from computegrid.api.schemas import Site, SiteList
from computegrid.api.security import Caller, require_key


def build_router() -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["sites"])

    @router.get("/sites", response_model=SiteList, summary="Candidate data-centre sites")
    def sites(_caller: Caller = Depends(require_key)) -> SiteList:
        from computegrid.services.plan.site_catalog import list_sites

        return SiteList(sites=[Site(**asdict(s)) for s in list_sites()])

    return router
