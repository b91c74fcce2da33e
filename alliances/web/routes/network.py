"""The network: ranking table of centralities, a drawn top-N subgraph, and Gephi/CSV exports."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from sqlalchemy.orm import Session

from alliances.analytics import export
from alliances.analytics.network import METRICS, Network, NetworkQuery, parse_metric, parse_top
from alliances.errors import InvalidInput
from alliances.store.filters import Filters
from alliances.taxonomy import vocab
from alliances.web.context import ListParams, SessionDep, filters_query, parse_filters, render
from alliances.web.palette import KIND_GROUPS, TYPE_COLOURS, kind_colour

router = APIRouter()

Rollup = Annotated[
    str | None, Query(description="1 to roll subsidiaries up to their group (Verily -> Alphabet)")
]
Top = Annotated[str | None, Query(description="How many organisations to draw (1-300, default 80)")]
By = Annotated[str | None, Query(description="Rank by degree, alliances, betweenness or eigenvector")]


def parse_rollup(value: str | None) -> bool:
    if value in (None, "", "0", "false", "no", "off"):
        return False
    if value in ("1", "true", "yes", "on"):
        return True
    raise InvalidInput(f"rollup must be 1 or 0, not {value!r}")


def network_for(request: Request, session: Session, filters: Filters, rollup: str | None) -> Network:
    query = NetworkQuery.from_filters(filters, parse_rollup(rollup))
    network: Network = request.app.state.network_cache.network(session, query)
    return network


def network_data(
    request: Request,
    session: Session,
    params: dict[str, Any],
    rollup: str | None,
    top: str | None,
    by: str | None,
) -> dict[str, Any]:
    filters = parse_filters(params, per_page=25)
    metric, size = parse_metric(by), parse_top(top)
    network = network_for(request, session, filters, rollup)
    graph = network.top_subgraph(size, metric)
    for node in graph["nodes"]:
        node["colour"] = kind_colour(node["kind"])
    for edge in graph["edges"]:
        edge["colour"] = TYPE_COLOURS.get(edge["type"], "#999999")
    return {
        **network.ranking(metric, filters.page, filters.per_page),
        "by": metric,
        "top": size,
        "query": network.query.params(),
        "summary": network.summary(),
        "graph": graph,
    }


@router.get(
    "/api/v1/network",
    tags=["network"],
    summary="Centrality ranking (paginated) and the top-N subgraph of the filtered alliance network",
)
def network_api(
    request: Request,
    params: ListParams,
    session: SessionDep,
    rollup: Rollup = None,
    top: Top = None,
    by: By = None,
) -> dict[str, Any]:
    return network_data(request, session, params, rollup, top, by)


def _download(body: str, media: str, name: str) -> Response:
    return Response(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/api/v1/network.graphml", tags=["exports"], summary="The filtered network as GraphML")
def network_graphml(
    request: Request, params: ListParams, session: SessionDep, rollup: Rollup = None
) -> Response:
    network = network_for(request, session, parse_filters(params), rollup)
    return _download(export.graphml(network), "application/graphml+xml; charset=utf-8", "alliances.graphml")


@router.get("/api/v1/network.gexf", tags=["exports"], summary="The filtered network as GEXF (Gephi)")
def network_gexf(
    request: Request, params: ListParams, session: SessionDep, rollup: Rollup = None
) -> Response:
    network = network_for(request, session, parse_filters(params), rollup)
    return _download(export.gexf(network), "application/gexf+xml; charset=utf-8", "alliances.gexf")


@router.get("/api/v1/network.nodes.csv", tags=["exports"], summary="Network nodes with centralities as CSV")
def network_nodes_csv(
    request: Request, params: ListParams, session: SessionDep, rollup: Rollup = None
) -> StreamingResponse:
    network = network_for(request, session, parse_filters(params), rollup)
    return StreamingResponse(
        export.nodes_csv(network),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="network-nodes.csv"'},
    )


@router.get("/api/v1/network.edges.csv", tags=["exports"], summary="Network edges (pairs of partners) as CSV")
def network_edges_csv(
    request: Request, params: ListParams, session: SessionDep, rollup: Rollup = None
) -> StreamingResponse:
    network = network_for(request, session, parse_filters(params), rollup)
    return StreamingResponse(
        export.edges_csv(network),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="network-edges.csv"'},
    )


@router.get("/network", response_class=HTMLResponse, include_in_schema=False)
def network_page(
    request: Request,
    params: ListParams,
    session: SessionDep,
    rollup: Rollup = None,
    top: Top = None,
    by: By = None,
) -> HTMLResponse:
    data = network_data(request, session, params, rollup, top, by)
    filters = parse_filters(params, per_page=25)
    export_query = filters_query(
        filters, page=None, per_page=None, rollup="1" if data["query"].get("rollup") else None
    )
    return render(
        request,
        "network.html",
        {
            "page": "network",
            "n": data,
            "filters": filters,
            "metrics": METRICS,
            "rollup": bool(data["query"].get("rollup")),
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
                rollup="1" if data["query"].get("rollup") else None,
                top=top or None,
                by=by or None,
            ),
        },
    )
