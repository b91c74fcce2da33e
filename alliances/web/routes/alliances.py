"""Alliances: the searchable list, the detail page with evidence, and CSV / JSON Lines exports."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, StreamingResponse

from alliances.store.filters import ALLIANCE_SORTS
from alliances.store.queries import get_alliance, list_alliances
from alliances.store.refs import alliance_id as ref_id
from alliances.taxonomy import vocab
from alliances.web.context import ListParams, SessionDep, filters_query, parse_filters, render
from alliances.web.exports import alliances_csv, alliances_jsonl

router = APIRouter()


def facets() -> dict[str, tuple[str, ...]]:
    """The vocabulary keys offered in filter forms."""
    return {
        name: vocab(facet).keys
        for name, facet in (
            ("type", "alliance_types"),
            ("technology", "technologies"),
            ("stage", "stages"),
            ("status", "statuses"),
            ("kind", "organisation_kinds"),
        )
    }


@router.get("/api/v1/alliances", tags=["alliances"], summary="Search and filter alliances (paginated)")
def alliances_api(params: ListParams, session: SessionDep) -> dict[str, Any]:
    return list_alliances(session, parse_filters(params))


@router.get("/api/v1/alliances.csv", tags=["exports"], summary="Filtered alliances as CSV (one row each)")
def alliances_csv_export(request: Request, params: ListParams) -> StreamingResponse:
    filters = parse_filters(params)
    return StreamingResponse(
        alliances_csv(request.app.state.db, filters),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="alliances.csv"'},
    )


@router.get("/api/v1/alliances.jsonl", tags=["exports"], summary="Filtered alliances as JSON Lines")
def alliances_jsonl_export(request: Request, params: ListParams) -> StreamingResponse:
    filters = parse_filters(params)
    return StreamingResponse(
        alliances_jsonl(request.app.state.db, filters),
        media_type="application/x-ndjson; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="alliances.jsonl"'},
    )


@router.get(
    "/api/v1/alliances/{alliance_id}",
    tags=["alliances"],
    summary="One alliance: parties, attributes, events, evidence with sources",
)
def alliance_api(alliance_id: str, session: SessionDep) -> dict[str, Any]:
    return get_alliance(session, ref_id(session, alliance_id))


@router.get("/alliances", response_class=HTMLResponse, include_in_schema=False)
def alliances_page(request: Request, params: ListParams, session: SessionDep) -> HTMLResponse:
    filters = parse_filters(params, per_page=25)
    result = list_alliances(session, filters)
    return render(
        request,
        "alliances.html",
        {
            "page": "alliances",
            "result": result,
            "filters": filters,
            "facets": facets(),
            "sorts": ALLIANCE_SORTS,
            "query": filters_query(filters, page=None),
            "export_query": filters_query(filters, page=None, per_page=None),
        },
    )


@router.get("/alliances/{alliance_id}", response_class=HTMLResponse, include_in_schema=False)
def alliance_page(request: Request, alliance_id: str, session: SessionDep) -> HTMLResponse:
    record = get_alliance(session, ref_id(session, alliance_id))
    return render(request, "alliance.html", {"page": "alliances", "a": record})
