"""The web dashboard: a static page (HTML/JS) and the bundled plotly.js, no CDN.

The page itself holds no data; it asks the API (with the key the user types in) for runs,
sites and results, and reads the bundled province outlines (``/static/provinces.geojson``, Natural Earth,
public domain) for its map.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import FileResponse, RedirectResponse

from computegrid.api.security import open_rate_limit

_STATIC = {"dashboard.js": "text/javascript", "dashboard.css": "text/css"}


def _static_dir() -> Path:
    return Path(str(resources.files("computegrid.api") / "static"))


def _plotly_js() -> Path:
    import plotly

    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def _province_shapes() -> Path:
    from computegrid.datasets.geo import province_shapes_file

    return Path(str(province_shapes_file()))


def _static_limit(request: Request) -> None:
    """Per-address limit on the page and its files (plotly.min.js alone is 4.8 MB)."""
    open_rate_limit(request, request.app.state.settings.static_rate_limit_per_s, "static")


def build_router() -> APIRouter:
    router = APIRouter(include_in_schema=False, dependencies=[Depends(_static_limit)])

    @router.get("/")
    def root() -> RedirectResponse:
        return RedirectResponse("/dashboard")

    @router.get("/dashboard")
    def dashboard() -> FileResponse:
        return FileResponse(_static_dir() / "index.html", media_type="text/html")

    @router.get("/static/plotly.min.js")
    def plotly_js() -> FileResponse:
        path = _plotly_js()
        if not path.exists():
            raise HTTPException(404, "plotly.min.js not found in the plotly package")
        return FileResponse(path, media_type="text/javascript",
                            headers={"Cache-Control": "public, max-age=86400"})

    @router.get("/static/provinces.geojson")
    def province_shapes() -> FileResponse:
        return FileResponse(_province_shapes(), media_type="application/geo+json",
                            headers={"Cache-Control": "public, max-age=86400"})

    @router.get("/static/{name}")
    def static(name: str) -> FileResponse:
        if name not in _STATIC:
            raise HTTPException(404, "not found")
        return FileResponse(_static_dir() / name, media_type=_STATIC[name])

    return router
