"""Trends: alliances per year by type and technology, partner kinds, terminations."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from alliances.analytics.trends import alliance_trends
from alliances.schemas import AllianceFilters, TrendsPublic
from alliances.store.version import Memo
from alliances.store.viewer import Viewer, scoped
from alliances.taxonomy import vocab
from alliances.web import charts
from alliances.web.context import AllianceQuery, SessionDep, filters_query, render, request_lang
from alliances.web.deps import ViewerDep
from alliances.web.i18n import Translator

router = APIRouter()


@router.get(
    "/api/v1/trends",
    tags=["trends"],
    summary="Yearly series: alliances by type and technology, partner kinds, terminations",
    response_model=TrendsPublic,
)
def trends_api(
    request: Request, filters: AllianceQuery, session: SessionDep, viewer: ViewerDep
) -> TrendsPublic:
    return trends_data(request.app.state.memo, session, filters, viewer=viewer)


def trends_data(
    memo: Memo, session: Session, filters: AllianceFilters, *, viewer: Viewer | None = None
) -> TrendsPublic:
    """The yearly series, computed once per data version, filter set and visibility."""
    key = scoped(("trends", filters.cache_key()), viewer)
    data: TrendsPublic = memo.get(session, key, lambda: alliance_trends(session, filters, viewer=viewer))
    return data


@router.get("/trends", response_class=HTMLResponse, include_in_schema=False)
def trends_page(
    request: Request, filters: AllianceQuery, session: SessionDep, viewer: ViewerDep
) -> HTMLResponse:
    data = trends_data(request.app.state.memo, session, filters, viewer=viewer)
    t = Translator(request_lang(request))
    series = data.model_dump()  # the charts read plain values
    figures = {
        "by_type": charts.by_type(series, t),
        "by_technology": charts.by_technology(series, t),
        "partners": charts.partner_shares(series, t),
        "terminations": charts.terminations(series, t),
    }
    return render(
        request,
        "trends.html",
        {
            "page": "trends",
            "tr": data,
            "figures": figures,
            "filters": filters,
            "query": filters_query(filters),
            "facets": {
                "type": vocab("alliance_types").keys,
                "technology": vocab("technologies").keys,
                "stage": vocab("stages").keys,
                "kind": vocab("organisation_kinds").keys,
            },
        },
    )
