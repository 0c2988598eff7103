"""Pydantic models of the API's requests and responses (field names carry units)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    """Request models refuse unknown fields, so that a typo is a 422, not a silent default."""

    model_config = ConfigDict(extra="forbid")


class Health(BaseModel):
    status: Literal["ok"]
    version: str
    database: str = Field(description="sqlite or postgresql")
    runs_by_status: dict[str, int]


# --- planning runs ----------------------------------------------------------------------------
OverrideValue = float | int | str | bool


class PlanRequest(Strict):
    """A planning run: a named scenario with optional single-parameter overrides."""

    scenario: str = Field("china-2030", min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.-]+$",
                          description="name of a bundled scenario")
    overrides: dict[str, OverrideValue] = Field(
        default_factory=dict, max_length=50,
        description="single parameters to override, as `computegrid plan --set key=value`")
    resolution_h: int | None = Field(None, ge=1, le=24,
                                     description="time resolution of the model [h]")


class PlanLinks(BaseModel):
    self: str
    report_html: str | None = None
    files: list[str] = Field(default_factory=list)


class PlanRun(BaseModel):
    id: str
    status: Literal["queued", "running", "succeeded", "failed"]
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    error: str | None = None
    params: dict[str, Any]
    summary: dict[str, Any] | None = None
    links: PlanLinks


class PlanList(BaseModel):
    runs: list[PlanRun]
    count: int
