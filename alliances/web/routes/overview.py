"""The overview: what the observatory holds, the latest alliances, the most connected organisations."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from alliances.analytics.matrix import tech_stage_matrix
from alliances.store.filters import Filters
from alliances.store.organisations import list_organisations
from alliances.store.projects import stats
from alliances.store.queries import list_alliances
from alliances.web.context import SessionDep, render

router = APIRouter()


def overview(session: Session) -> dict[str, Any]:
    """Headline counts, the eight latest alliances, the ten most connected organisations, the matrix."""
    return {
        "stats": stats(session),
        "latest": list_alliances(session, Filters(per_page=8, sort="-announced"))["items"],
        "connected": list_organisations(session, Filters(per_page=10, sort="-degree"))["items"],
        "matrix": tech_stage_matrix(session, Filters(), "alliances").to_dict(),
    }


@router.get(
    "/api/v1/overview", tags=["overview"], summary="Headline counts, latest alliances, top organisations"
)
def overview_api(request: Request, session: SessionDep) -> dict[str, Any]:
    return cached_overview(request, session)


def cached_overview(request: Request, session: Session) -> dict[str, Any]:
    """The overview is a pure function of the data: computed once per data version."""
    return request.app.state.memo.get(session, "overview", lambda: overview(session))  # type: ignore[no-any-return]


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def overview_page(request: Request, session: SessionDep) -> HTMLResponse:
    return render(request, "overview.html", {**cached_overview(request, session), "page": "overview"})
