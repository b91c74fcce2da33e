"""The network: ranking table of centralities, a drawn top-N subgraph, and Gephi/CSV exports."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from sqlalchemy.orm import Session

from alliances.analytics import export
from alliances.analytics.network import MAX_TOP, METRICS, Metric, Network, NetworkQuery
from alliances.schemas import AllianceFilters, Graph, NetworkPublic
from alliances.store.viewer import Viewer
from alliances.taxonomy import vocab
from alliances.web.context import AllianceQuery, SessionDep, filters_query, page_size, render
from alliances.web.deps import ViewerDep, audit_export
from alliances.web.exports import Bom, csv_response
from alliances.web.palette import KIND_GROUPS, TYPE_COLOURS, kind_colour

router = APIRouter()

Rollup = Annotated[bool, Query(description="1 to roll subsidiaries up to their group (Verily -> Alphabet)")]
Top = Annotated[int, Query(ge=1, le=MAX_TOP, description=f"How many organisations to draw (1-{MAX_TOP})")]
By = Annotated[Metric, Query(description="Rank by degree, alliances, betweenness or eigenvector")]


def network_for(
    request: Request, session: Session, filters: AllianceFilters, rollup: bool, viewer: Viewer | None = None
) -> Network:
    query = NetworkQuery.from_filters(filters, rollup)
    network: Network = request.app.state.network_cache.network(session, query, viewer=viewer)
    return network


def exported(
    request: Request, session: Session, filters: AllianceFilters, rollup: bool, viewer: Viewer
) -> Network:
    """The network an export carries; an export by a reader who may see private records is audited."""
    audit_export(request, viewer, request.url.path.rsplit(".", 1)[-1])
    return network_for(request, session, filters, rollup, viewer)


def network_data(
    request: Request,
    session: Session,
    filters: AllianceFilters,
    rollup: bool,
    top: int,
    by: str,
    viewer: Viewer | None = None,
) -> NetworkPublic:
    network = network_for(request, session, filters, rollup, viewer)
    drawn = network.top_subgraph(top, by)  # shared: coloured copies of its nodes and edges
    graph = Graph(
        nodes=[n.model_copy(update={"colour": kind_colour(n.kind)}) for n in drawn.nodes],
        edges=[e.model_copy(update={"colour": TYPE_COLOURS.get(e.type, "#999999")}) for e in drawn.edges],
    )
    ranking = network.ranking(by, filters.page, filters.per_page)
    return NetworkPublic(
        items=ranking.items,
        total=ranking.total,
        page=ranking.page,
        per_page=ranking.per_page,
        by=by,
        top=top,
        query=network.query.params(),
        summary=network.summary(),
        graph=graph,
    )


@router.get(
    "/api/v1/network",
    tags=["network"],
    summary="Centrality ranking (paginated) and the top-N subgraph of the filtered alliance network",
    response_model=NetworkPublic,
)
def network_api(
    request: Request,
    filters: AllianceQuery,
    session: SessionDep,
    viewer: ViewerDep,
    rollup: Rollup = False,
    top: Top = 80,
    by: By = Metric.degree,
) -> NetworkPublic:
    return network_data(request, session, filters, rollup, top, by, viewer)


def _download(body: str, media: str, name: str) -> Response:
    return Response(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})


Responses = dict[int | str, dict[str, Any]]
GRAPHML: Responses = {200: {"content": {"application/graphml+xml": {}}}}
GEXF: Responses = {200: {"content": {"application/gexf+xml": {}}}}
CSV: Responses = {200: {"content": {"text/csv": {}}}}


@router.get(
    "/api/v1/network.graphml",
    tags=["exports"],
    summary="The filtered network as GraphML",
    response_class=Response,
    responses=GRAPHML,
)
def network_graphml(
    request: Request, filters: AllianceQuery, session: SessionDep, viewer: ViewerDep, rollup: Rollup = False
) -> Response:
    network = exported(request, session, filters, rollup, viewer)
    return _download(export.graphml(network), "application/graphml+xml; charset=utf-8", "alliances.graphml")


@router.get(
    "/api/v1/network.gexf",
    tags=["exports"],
    summary="The filtered network as GEXF (Gephi)",
    response_class=Response,
    responses=GEXF,
)
def network_gexf(
    request: Request, filters: AllianceQuery, session: SessionDep, viewer: ViewerDep, rollup: Rollup = False
) -> Response:
    network = exported(request, session, filters, rollup, viewer)
    return _download(export.gexf(network), "application/gexf+xml; charset=utf-8", "alliances.gexf")


@router.get(
    "/api/v1/network.nodes.csv",
    tags=["exports"],
    summary="Network nodes with centralities as CSV",
    response_class=StreamingResponse,
    responses=CSV,
)
def network_nodes_csv(
    request: Request,
    filters: AllianceQuery,
    session: SessionDep,
    viewer: ViewerDep,
    rollup: Rollup = False,
    bom: Bom = False,
) -> StreamingResponse:
    network = exported(request, session, filters, rollup, viewer)
    return csv_response(export.nodes_csv(network, bom=bom), "network-nodes.csv")


@router.get(
    "/api/v1/network.edges.csv",
    tags=["exports"],
    summary="Network edges (pairs of partners) as CSV",
    response_class=StreamingResponse,
    responses=CSV,
)
def network_edges_csv(
    request: Request,
    filters: AllianceQuery,
    session: SessionDep,
    viewer: ViewerDep,
    rollup: Rollup = False,
    bom: Bom = False,
) -> StreamingResponse:
    network = exported(request, session, filters, rollup, viewer)
    return csv_response(export.edges_csv(network, bom=bom), "network-edges.csv")


@router.get("/network", response_class=HTMLResponse, include_in_schema=False)
def network_page(
    request: Request,
    filters: AllianceQuery,
    session: SessionDep,
    viewer: ViewerDep,
    rollup: Rollup = False,
    top: Top = 80,
    by: By = Metric.degree,
) -> HTMLResponse:
    filters = page_size(filters, 25)
    data = network_data(request, session, filters, rollup, top, by, viewer)
    export_query = filters_query(
        filters, page=None, per_page=None, rollup="1" if data.query.get("rollup") else None
    )
    return render(
        request,
        "network.html",
        {
            "page": "network",
            "n": data,
            "filters": filters,
            "metrics": METRICS,
            "rollup": bool(data.query.get("rollup")),
            "facets": {
                "type": vocab("alliance_types").keys,
                "technology": vocab("technologies").keys,
                "stage": vocab("stages").keys,
                "kind": vocab("organisation_kinds").keys,
            },
            "kind_groups": KIND_GROUPS,
            "type_colours": TYPE_COLOURS,
            "export_query": export_query,
            "query": filters_query(
                filters,
                page=None,
                rollup="1" if data.query.get("rollup") else None,
                top=top if top != 80 else None,
                by=by if by != Metric.degree else None,
            ),
        },
    )
