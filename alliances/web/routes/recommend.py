"""Partner recommendations: ranked, explained candidates for an organisation, or the most active on a need."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from alliances.analytics.network import parse_top
from alliances.errors import InvalidInput
from alliances.taxonomy import vocab
from alliances.web.context import SessionDep, render

router = APIRouter()

Text = Annotated[str | None, Query()]


def recommendations(
    request: Request,
    session: Session,
    org: str | None,
    technology: str | None,
    stage: str | None,
    area: str | None,
    kind: str | None,
    top: str | None,
) -> dict[str, Any]:
    """Run the recommender (once per data version and question) and return plain records."""
    from alliances.recommend import find_partners, recommend

    size = parse_top(top, default=10)
    if size > 50:
        raise InvalidInput("top must be between 1 and 50")
    technology, stage, area, kind = (technology or None), (stage or None), (area or None), (kind or None)
    need = {"technology": technology, "stage": stage, "area": area, "kind": kind}

    def compute() -> list[dict[str, Any]]:
        if org:
            found = recommend(
                session, org.strip(), technology=technology, stage=stage, area=area, kind=kind, top=size
            )
        else:
            found = find_partners(session, technology=technology, stage=stage, area=area, kind=kind, top=size)
        return [r.to_dict() for r in found]

    items = request.app.state.memo.get(session, ("recommend", org, size, *need.values()), compute)
    return {
        "items": items,
        "total": len(items),
        "page": 1,
        "per_page": size,
        "query": {"org": org or None, **need},
    }


@router.get(
    "/api/v1/recommendations",
    tags=["recommend"],
    summary="Partner candidates for an organisation (org=), with reasons; or the most active on a need",
)
def recommendations_api(
    request: Request,
    session: SessionDep,
    org: Text = None,
    technology: Text = None,
    stage: Text = None,
    area: Text = None,
    kind: Text = None,
    top: Text = None,
) -> dict[str, Any]:
    return recommendations(request, session, org, technology, stage, area, kind, top)


@router.get("/recommend", response_class=HTMLResponse, include_in_schema=False)
def recommend_page(
    request: Request,
    session: SessionDep,
    org: Text = None,
    technology: Text = None,
    stage: Text = None,
    area: Text = None,
    kind: Text = None,
    top: Text = None,
) -> HTMLResponse:
    asked = any((org, technology, stage, area, kind))
    data = recommendations(request, session, org, technology, stage, area, kind, top) if asked else None
    return render(
        request,
        "recommend.html",
        {
            "page": "recommend",
            "data": data,
            "form": {
                "org": org or "",
                "technology": technology or "",
                "stage": stage or "",
                "area": area or "",
                "kind": kind or "",
                "top": top or "10",
            },
            "facets": {
                "technology": vocab("technologies").keys,
                "stage": vocab("stages").keys,
                "kind": vocab("organisation_kinds").keys,
            },
        },
    )
