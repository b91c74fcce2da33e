"""Alliances: the searchable list, the detail page with evidence, and CSV / JSON Lines exports."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, StreamingResponse

from alliances.schemas import (
    ALLIANCE_SORTS,
    AllianceDetail,
    AlliancePublic,
    AllianceRecord,
    AllianceSummary,
    Page,
)
from alliances.store.queries import get_alliance, list_alliances
from alliances.store.refs import alliance_id as ref_id
from alliances.taxonomy import vocab
from alliances.web.context import AllianceQuery, SessionDep, filters_query, page_size, render
from alliances.web.deps import ViewerDep, audit_export, audit_private_reads
from alliances.web.exports import Bom, alliances_csv, alliances_jsonl, csv_response, primed

# An alliance as users write it: 306, #306 or the key the product prints (A000306).
Ref = Annotated[str, Path(max_length=40, description="Alliance id or key (306, A000306)")]

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


@router.get(
    "/api/v1/alliances",
    tags=["alliances"],
    summary="Search and filter alliances (paginated)",
    response_model=Page[AlliancePublic],
)
def alliances_api(
    request: Request, filters: AllianceQuery, session: SessionDep, viewer: ViewerDep
) -> Page[AllianceSummary]:  # served as Page[AlliancePublic]: the response model drops the local path
    result = list_alliances(session, filters, viewer=viewer)
    audit_private_reads(request, session, [a.id for a in result.items])
    return result


@router.get(
    "/api/v1/alliances.csv",
    tags=["exports"],
    summary="Filtered alliances as CSV (RFC 4180, one row each; bom=1 for Excel)",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}}},
)
def alliances_csv_export(
    request: Request, filters: AllianceQuery, viewer: ViewerDep, bom: Bom = False
) -> StreamingResponse:
    audit_export(request, viewer, "csv")
    chunks = primed(alliances_csv(request.app.state.db, filters, viewer=viewer, bom=bom))
    return csv_response(chunks, "alliances.csv")


@router.get(
    "/api/v1/alliances.jsonl",
    tags=["exports"],
    summary="Filtered alliances as JSON Lines",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/x-ndjson": {}}}},
)
def alliances_jsonl_export(request: Request, filters: AllianceQuery, viewer: ViewerDep) -> StreamingResponse:
    audit_export(request, viewer, "jsonl")
    return StreamingResponse(
        primed(alliances_jsonl(request.app.state.db, filters, viewer=viewer)),
        media_type="application/x-ndjson; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="alliances.jsonl"'},
    )


@router.get(
    "/api/v1/alliances/{alliance_id}",
    tags=["alliances"],
    summary="One alliance: parties, attributes, events, evidence with sources",
    response_model=AllianceDetail,
)
def alliance_api(
    request: Request, alliance_id: Ref, session: SessionDep, viewer: ViewerDep
) -> AllianceRecord:  # served as AllianceDetail: the response model drops the owner and local paths
    record = get_alliance(session, ref_id(session, alliance_id), viewer=viewer)
    audit_private_reads(request, session, [record.id])
    return record


@router.get("/alliances", response_class=HTMLResponse, include_in_schema=False)
def alliances_page(
    request: Request, filters: AllianceQuery, session: SessionDep, viewer: ViewerDep
) -> HTMLResponse:
    filters = page_size(filters, 25)
    result = list_alliances(session, filters, viewer=viewer)
    audit_private_reads(request, session, [a.id for a in result.items])
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
def alliance_page(request: Request, alliance_id: Ref, session: SessionDep, viewer: ViewerDep) -> HTMLResponse:
    record = get_alliance(session, ref_id(session, alliance_id), viewer=viewer)
    audit_private_reads(request, session, [record.id])
    return render(request, "alliance.html", {"page": "alliances", "a": record})
