"""Organisations: the list ranked by number of alliances, and the profile with its ego network."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from alliances.store.filters import ORGANISATION_SORTS
from alliances.store.organisations import get_organisation, list_organisations
from alliances.taxonomy import vocab
from alliances.web import charts
from alliances.web.context import ListParams, SessionDep, filters_query, parse_filters, render, request_lang
from alliances.web.i18n import Translator

router = APIRouter()


def profile(request: Request, session: Session, ref: str) -> dict[str, Any]:
    """The store's profile plus the ego network from the cached alliance graph."""
    record = get_organisation(session, ref)
    cache = request.app.state.network_cache
    rollup = bool(record.get("group"))  # a group's network includes its subsidiaries' partners
    record["ego_network"] = request.app.state.memo.get(
        session, ("ego", record["id"], rollup), lambda: cache.ego(session, record["id"], rollup=rollup)
    )
    return record


@router.get(
    "/api/v1/organisations",
    tags=["organisations"],
    summary="Organisations with their number of alliances (sort=-degree ranks them)",
)
def organisations_api(params: ListParams, session: SessionDep) -> dict[str, Any]:
    return list_organisations(session, parse_filters(params, ORGANISATION_SORTS))


@router.get(
    "/api/v1/organisations/{ref}",
    tags=["organisations"],
    summary="Organisation profile by id or name: partners, technologies, stages, projects, family",
)
def organisation_api(request: Request, ref: str, session: SessionDep) -> dict[str, Any]:
    return profile(request, session, ref)


@router.get("/organisations", response_class=HTMLResponse, include_in_schema=False)
def organisations_page(request: Request, params: ListParams, session: SessionDep) -> HTMLResponse:
    filters = parse_filters(
        {**params, "sort": params.get("sort") or "-degree"}, ORGANISATION_SORTS, per_page=50
    )
    return render(
        request,
        "organisations.html",
        {
            "page": "organisations",
            "result": list_organisations(session, filters),
            "filters": filters,
            "kinds": vocab("organisation_kinds").keys,
            "sorts": ORGANISATION_SORTS,
            "query": filters_query(filters, page=None),
        },
    )


@router.get("/organisations/{ref}", response_class=HTMLResponse, include_in_schema=False)
def organisation_page(request: Request, ref: str, session: SessionDep) -> HTMLResponse:
    org = profile(request, session, ref)
    t = Translator(request_lang(request))
    return render(
        request,
        "organisation.html",
        {
            "page": "organisations",
            "org": org,
            "partners_chart": charts.partners_by_year(org, t),
            "stage_keys": vocab("stages").keys,
        },
    )
