"""Innovation projects (list and detail) and the survey figures quoted in the seed documents."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from alliances.schemas import PROJECT_SORTS, Page, ProjectDetail, ProjectPublic, SurveyPublic
from alliances.store.projects import get_project, list_projects, list_surveys
from alliances.taxonomy import vocab
from alliances.web.context import Id, ProjectQuery, SessionDep, filters_query, page_size, render

router = APIRouter()


@router.get(
    "/api/v1/projects",
    tags=["projects"],
    summary="Innovation projects (paginated, filterable)",
    response_model=Page[ProjectPublic],
)
def projects_api(filters: ProjectQuery, session: SessionDep) -> Page[ProjectPublic]:
    return list_projects(session, filters)


@router.get(
    "/api/v1/projects/{project_id}",
    tags=["projects"],
    summary="One project with its evidence",
    response_model=ProjectDetail,
)
def project_api(project_id: Id, session: SessionDep) -> ProjectDetail:
    return get_project(session, project_id)


@router.get(
    "/api/v1/surveys",
    tags=["projects"],
    summary="Surveys and their figures, with quotes",
    response_model=Page[SurveyPublic],
)
def surveys_api(session: SessionDep) -> Page[SurveyPublic]:
    items = list_surveys(session)
    return Page[SurveyPublic](items=items, total=len(items), page=1, per_page=max(1, len(items)))


@router.get("/projects", response_class=HTMLResponse, include_in_schema=False)
def projects_page(request: Request, filters: ProjectQuery, session: SessionDep) -> HTMLResponse:
    filters = page_size(filters, 25)
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
def project_page(request: Request, project_id: Id, session: SessionDep) -> HTMLResponse:
    return render(
        request,
        "project.html",
        {"page": "projects", "p": get_project(session, project_id)},
    )


@router.get("/surveys", response_class=HTMLResponse, include_in_schema=False)
def surveys_page(request: Request, session: SessionDep) -> HTMLResponse:
    return render(request, "surveys.html", {"page": "surveys", "surveys": list_surveys(session)})
