"""Site-wide routes: health check, the offline API docs page, and Plotly's JS from the installed package."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import plotly
from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse
from pydantic import BaseModel

from alliances import __version__
from alliances.errors import StorageError
from alliances.schemas import Health
from alliances.store.db import safe_url
from alliances.store.projects import count_alliances
from alliances.web.context import SessionDep, render
from alliances.web.deps import ViewerDep

router = APIRouter()


@cache
def plotly_js() -> Path:
    """plotly.min.js ships inside the plotly Python package: served from there, never committed."""
    path = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
    if not path.is_file():
        raise StorageError(f"plotly.min.js is missing from the installed plotly package ({path})")
    return path


@router.get("/healthz", tags=["site"], summary="Liveness and database check", response_model=Health)
def healthz(request: Request, session: SessionDep, viewer: ViewerDep) -> Health:
    return Health(
        ok=True,
        version=__version__,
        database=safe_url(request.app.state.db.url),
        alliances=count_alliances(session, viewer=viewer),  # what this reader may see
    )


@router.get("/vendor/plotly.min.js", include_in_schema=False)
def plotly_asset() -> FileResponse:
    return FileResponse(
        plotly_js(), media_type="text/javascript", headers={"Cache-Control": "public, max-age=86400"}
    )


class ApiParameter(BaseModel):
    name: str
    where: str  # OpenAPI's `in`: query, path, header
    required: bool = False
    description: str = ""


class ApiOperation(BaseModel):
    """One operation of the OpenAPI schema as the /docs page lists it."""

    method: str
    path: str
    summary: str = ""
    description: str = ""
    tags: list[str] = []
    parameters: list[ApiParameter] = []


def api_routes(request: Request) -> list[ApiOperation]:
    """Every documented operation of the OpenAPI schema, for the /docs page (API routes first)."""
    schema: dict[str, Any] = request.app.openapi()
    routes = []
    for path, operations in schema.get("paths", {}).items():
        for method, op in operations.items():
            params = [
                ApiParameter(
                    name=p["name"],
                    where=p["in"],
                    required=p.get("required", False),
                    description=p.get("description") or p.get("schema", {}).get("description", ""),
                )
                for p in op.get("parameters", [])
            ]
            routes.append(
                ApiOperation(
                    method=method.upper(),
                    path=path,
                    summary=op.get("summary", ""),
                    description=op.get("description", ""),
                    tags=op.get("tags", []),
                    parameters=params,
                )
            )
    return sorted(routes, key=lambda r: (not r.path.startswith("/api"), r.path, r.method))


@router.get("/docs", response_class=HTMLResponse, include_in_schema=False)
def docs(request: Request) -> HTMLResponse:
    return render(request, "docs.html", {"routes": api_routes(request), "page": "docs"})
