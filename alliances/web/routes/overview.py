"""The overview: what the observatory holds, the latest alliances, the most connected organisations."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from alliances.analytics.matrix import tech_stage_matrix
from alliances.schemas import AllianceFilters, OrganisationFilters, OverviewPublic
from alliances.store.organisations import list_organisations
from alliances.store.projects import stats
from alliances.store.queries import list_alliances
from alliances.store.version import Memo
from alliances.web.context import SessionDep, render

router = APIRouter()


def overview(session: Session) -> dict[str, Any]:
    """Headline counts, the eight latest alliances, the ten most connected organisations, the matrix."""
    return {
        "stats": stats(session),
        "latest": list_alliances(session, AllianceFilters(per_page=8, sort="-announced"))["items"],
        "connected": list_organisations(session, OrganisationFilters(per_page=10, sort="-degree"))["items"],
        "matrix": tech_stage_matrix(session, AllianceFilters(), "alliances").to_dict(),
    }


@router.get(
    "/api/v1/overview",
    tags=["overview"],
    summary="Headline counts, latest alliances, top organisations",
    response_model=OverviewPublic,
)
def overview_api(request: Request, session: SessionDep) -> dict[str, Any]:
    return cached_overview(request.app.state.memo, session)


def cached_overview(memo: Memo, session: Session) -> dict[str, Any]:
    """The overview is a pure function of the data: computed once per data version."""
    data: dict[str, Any] = memo.get(session, "overview", lambda: overview(session))
    return data


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def overview_page(request: Request, session: SessionDep) -> HTMLResponse:
    data = cached_overview(request.app.state.memo, session)
    return render(request, "overview.html", {**data, "page": "overview"})
