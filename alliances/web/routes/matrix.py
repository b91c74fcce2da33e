"""The technology × value-chain matrix: a heatmap whose every cell links to the records behind it."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from alliances.analytics.matrix import (
    MATRIX_STAGES,
    MATRIX_TECHNOLOGIES,
    NOT_FOR_PROJECTS,
    MatrixSource,
    Source,
    tech_stage_matrix,
)
from alliances.schemas import AllianceFilters, MatrixPublic, ProjectFilters
from alliances.store.projects import list_projects
from alliances.store.queries import list_alliances
from alliances.store.version import Memo
from alliances.store.viewer import Viewer, scoped
from alliances.taxonomy import vocab
from alliances.web.context import AllianceQuery, SessionDep, filters_query, page_size, render
from alliances.web.deps import ViewerDep

router = APIRouter()

SourceParam = Annotated[MatrixSource, Query(description="alliances (default), projects or both")]


def cell_links(filters: AllianceFilters, source: str, technology: str, stage: str) -> dict[str, str]:
    """Where a cell leads: the filtered alliance list, the project list, or both on one page."""
    kept = {k: v for k, v in filters.as_params().items() if k not in ("page", "per_page", "sort", "origin")}
    cell = {**kept, "technology": technology, "stage": stage}
    project_cell = {k: v for k, v in cell.items() if k not in NOT_FOR_PROJECTS}
    return {
        "alliances": "/alliances?" + urlencode(cell),
        "projects": "/projects?" + urlencode(project_cell),
        "both": "/matrix/cell?" + urlencode({**cell, "source": "both"}),
    }


def matrix_data(
    memo: Memo, filters: AllianceFilters, source: Source, session: Session, *, viewer: Viewer | None = None
) -> MatrixPublic:
    """The matrix with a link per cell; computed once per data version, filter set and visibility."""
    key = scoped(("matrix", filters.cache_key(), source), viewer)
    data: MatrixPublic = memo.get(session, key, lambda: _matrix(filters, source, session, viewer))
    return data


def _matrix(
    filters: AllianceFilters, source: Source, session: Session, viewer: Viewer | None
) -> MatrixPublic:
    data = tech_stage_matrix(session, filters, source, viewer=viewer).public()
    for cell in data.cells:
        cell.href = cell_links(filters, data.source, cell.technology, cell.stage)[data.source]
    data.filters = {k: v for k, v in filters.as_params().items() if k not in ("page", "per_page")}
    if data.source != "alliances":
        data.ignored_for_projects = [k for k in NOT_FOR_PROJECTS if getattr(filters, k)]
    return data


@router.get(
    "/api/v1/matrix",
    tags=["matrix"],
    summary="Technology × value-chain counts for alliances, projects or both",
    response_model=MatrixPublic,
)
def matrix_api(
    request: Request,
    filters: AllianceQuery,
    session: SessionDep,
    viewer: ViewerDep,
    source: SourceParam = MatrixSource.alliances,
) -> MatrixPublic:
    return matrix_data(request.app.state.memo, filters, source.value, session, viewer=viewer)


@router.get("/matrix", response_class=HTMLResponse, include_in_schema=False)
def matrix_page(
    request: Request,
    filters: AllianceQuery,
    session: SessionDep,
    viewer: ViewerDep,
    source: SourceParam = MatrixSource.alliances,
) -> HTMLResponse:
    data = matrix_data(request.app.state.memo, filters, source.value, session, viewer=viewer)
    cells = {(c.technology, c.stage): c for c in data.cells}
    return render(
        request,
        "matrix.html",
        {
            "page": "matrix",
            "mx": data,
            "cells": cells,
            "filters": filters,
            "technologies": MATRIX_TECHNOLOGIES,
            "stages": MATRIX_STAGES,
            "types": vocab("alliance_types").keys,
            "source": data.source,
            "query": filters_query(filters),
        },
    )


@router.get("/matrix/cell", response_class=HTMLResponse, include_in_schema=False)
def matrix_cell_page(
    request: Request, filters: AllianceQuery, session: SessionDep, viewer: ViewerDep
) -> HTMLResponse:
    """The alliances and the projects of one cell (the "both" view of the matrix)."""
    filters = page_size(filters, 50)
    kept = filters.model_dump(exclude={"type", "status", "kind", "country", "sort"}, exclude_none=True)
    project_filters = ProjectFilters(**kept)
    return render(
        request,
        "matrix_cell.html",
        {
            "page": "matrix",
            "filters": filters,
            "alliances": list_alliances(session, filters, viewer=viewer),
            "projects": list_projects(session, project_filters, viewer=viewer),
            "links": cell_links(filters, "both", filters.technology or "", filters.stage or ""),
        },
    )
