"""About the data: where the records come from, how precise they are, and how to add sources."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from alliances.store.about import AboutData, about_data
from alliances.store.viewer import Viewer
from alliances.web.context import SessionDep, render
from alliances.web.deps import get_viewer

router = APIRouter()

ViewerDep = Annotated[Viewer, Depends(get_viewer)]


@router.get(
    "/api/v1/about",
    tags=["overview"],
    summary="Provenance: counts by origin, year, type and source language; date precision; terminations",
    response_model=AboutData,
)
def about_api(session: SessionDep, viewer: ViewerDep) -> AboutData:
    return about_data(session, viewer=viewer)


@router.get("/about", response_class=HTMLResponse, include_in_schema=False)
def about_page(request: Request, session: SessionDep, viewer: ViewerDep) -> HTMLResponse:
    return render(request, "about.html", {"page": "about", "about": about_data(session, viewer=viewer)})
