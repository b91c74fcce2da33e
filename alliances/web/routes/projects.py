"""Innovation projects (list and detail) and the survey figures quoted in the seed documents."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from alliances.store.filters import PROJECT_SORTS
from alliances.store.projects import get_project, list_projects, list_surveys
from alliances.taxonomy import vocab
from alliances.web.context import ListParams, SessionDep, filters_query, parse_filters, parse_id, render

router = APIRouter()


@router.get("/api/v1/projects", tags=["projects"], summary="Innovation projects (paginated, filterable)")
def projects_api(params: ListParams, session: SessionDep) -> dict[str, Any]:
    return list_projects(session, parse_filters(params, PROJECT_SORTS))


@router.get("/api/v1/projects/{project_id}", tags=["projects"], summary="One project with its evidence")
def project_api(project_id: str, session: SessionDep) -> dict[str, Any]:
    return get_project(session, parse_id(project_id, "project"))


@router.get("/api/v1/surveys", tags=["projects"], summary="Surveys and their figures, with quotes")
def surveys_api(session: SessionDep) -> dict[str, Any]:
    items = list_surveys(session)
    return {"items": items, "total": len(items), "page": 1, "per_page": max(1, len(items))}


@router.get("/projects", response_class=HTMLResponse, include_in_schema=False)
def projects_page(request: Request, params: ListParams, session: SessionDep) -> HTMLResponse:
    filters = parse_filters(params, PROJECT_SORTS, per_page=25)
    return render(
        request,
        "projects.html",
        {
            "page": "projects",
            "result": list_projects(session, filters),
            "filters": filters,
            "facets": {"technology": vocab("technologies").keys, "stage": vocab("stages").keys},
            "sorts": PROJECT_SORTS,
            "query": filters_query(filters, page=None),
        },
    )


@router.get("/projects/{project_id}", response_class=HTMLResponse, include_in_schema=False)
def project_page(request: Request, project_id: str, session: SessionDep) -> HTMLResponse:
    return render(
        request,
        "project.html",
        {"page": "projects", "p": get_project(session, parse_id(project_id, "project"))},
    )


@router.get("/surveys", response_class=HTMLResponse, include_in_schema=False)
def surveys_page(request: Request, session: SessionDep) -> HTMLResponse:
    return render(request, "surveys.html", {"page": "surveys", "surveys": list_surveys(session)})
