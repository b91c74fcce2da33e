"""Partner recommendations: ranked, explained candidates for an organisation, or the most active on a need."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from alliances.schemas import (
    RecommendationFilters,
    RecommendationPage,
    RecommendationPublic,
    RecommendationQuery,
)
from alliances.taxonomy import vocab
from alliances.web.context import SessionDep, render

router = APIRouter()

Question = Annotated[RecommendationFilters, Query()]


def recommendations(request: Request, session: Session, ask: RecommendationFilters) -> RecommendationPage:
    """Run the recommender (once per data version and question): the page the API and the form show."""
    from alliances.recommend import find_partners, recommend

    def compute() -> list[RecommendationPublic]:
        if ask.org:
            found = recommend(
                session,
                ask.org,
                technology=ask.technology,
                stage=ask.stage,
                area=ask.area,
                kind=ask.kind,
                top=ask.top,
            )
        else:
            found = find_partners(
                session, technology=ask.technology, stage=ask.stage, area=ask.area, kind=ask.kind, top=ask.top
            )
        # Built, not validated: the recommender's own values, whose reasons stay `Reason` strings that
        # pages render in the reader's language (validation would turn them into plain English str).
        return [
            RecommendationPublic.model_construct(
                organisation=r.organisation,
                organisation_id=r.organisation_id,
                kind=r.kind,
                score=r.score,
                reasons=list(r.reasons),
            )
            for r in found
        ]

    items = request.app.state.memo.get(session, ("recommend", ask), compute)
    query = RecommendationQuery(
        org=ask.org, technology=ask.technology, stage=ask.stage, area=ask.area, kind=ask.kind
    )
    return RecommendationPage(items=items, total=len(items), page=1, per_page=ask.top, query=query)


@router.get(
    "/api/v1/recommendations",
    tags=["recommend"],
    summary="Partner candidates for an organisation (org=), with reasons; or the most active on a need",
    response_model=RecommendationPage,
)
def recommendations_api(request: Request, session: SessionDep, ask: Question) -> RecommendationPage:
    return recommendations(request, session, ask)


@router.get("/recommend", response_class=HTMLResponse, include_in_schema=False)
def recommend_page(request: Request, session: SessionDep, ask: Question) -> HTMLResponse:
    asked = any((ask.org, ask.technology, ask.stage, ask.area, ask.kind))
    data = recommendations(request, session, ask) if asked else None
    return render(
        request,
        "recommend.html",
        {
            "page": "recommend",
            "data": data,
            "form": {
                "org": ask.org or "",
                "technology": ask.technology or "",
                "stage": ask.stage or "",
                "area": ask.area or "",
                "kind": ask.kind or "",
                "top": str(ask.top),
            },
            "facets": {
                "technology": vocab("technologies").keys,
                "stage": vocab("stages").keys,
                "kind": vocab("organisation_kinds").keys,
            },
        },
    )
