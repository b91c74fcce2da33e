"""Maturity pages and API: self-assessment (saved as you go), results, benchmark, trajectory, surveys.

Thin: every route reads the viewer with `get_viewer`, calls `alliances.maturity.service` and renders.
An assessment that the viewer may not read does not exist for them (404); others see aggregates only.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel

from alliances.errors import Forbidden, InvalidInput
from alliances.maturity import service
from alliances.maturity.benchmark import Benchmark
from alliances.maturity.model import load_model
from alliances.maturity.scoring import Scores, score
from alliances.maturity.survey import Surveys
from alliances.maturity.survey import definitions as survey_definitions
from alliances.maturity.trajectory import Trajectory
from alliances.report import charts
from alliances.store import maturity as store
from alliances.store.models import Organisation
from alliances.store.viewer import Viewer
from alliances.web.context import SessionDep, parse_id, render, request_lang
from alliances.web.deps import get_viewer
from alliances.web.i18n import Translator

router = APIRouter()
ViewerDep = Annotated[Viewer, Depends(get_viewer)]
Text = Annotated[str | None, Query()]


class Assessment(BaseModel):
    id: int
    organisation_id: int
    organisation: str
    label: str
    assessed: str
    sector: str
    size_band: str
    country: str
    status: str
    origin: str
    answers: dict[str, str]


class AssessmentList(BaseModel):
    items: list[Assessment]
    total: int


class NewAssessment(BaseModel):
    organisation_id: int
    sector: str
    size: str
    country: str


class Answers(BaseModel):
    answers: dict[str, str]


class Saved(BaseModel):
    saved: int
    answered: int
    questions: int


class Results(BaseModel):
    assessment: Assessment
    scores: Scores
    benchmark: Benchmark


def _create(session: Any, body: NewAssessment, viewer: Viewer) -> int:
    load_model().check_profile(body.sector, body.size, body.country.upper())
    return store.create_assessment(
        session,
        organisation_id=body.organisation_id,
        sector=body.sector,
        size_band=body.size,
        country=body.country.upper(),
        viewer=viewer,
    )


@router.get(
    "/api/v1/maturity/assessments",
    tags=["maturity"],
    summary="Your assessments",
    response_model=AssessmentList,
)
def assessments_api(session: SessionDep, viewer: ViewerDep) -> AssessmentList:
    items = [Assessment(**a) for a in store.list_assessments(session, viewer=viewer)]
    return AssessmentList(items=items, total=len(items))


@router.post(
    "/api/v1/maturity/assessments",
    tags=["maturity"],
    summary="Start an assessment",
    response_model=Assessment,
)
def create_api(body: NewAssessment, session: SessionDep, viewer: ViewerDep) -> Assessment:
    aid = _create(session, body, viewer)
    return Assessment(**store.get_assessment(session, aid, viewer=viewer))


@router.get(
    "/api/v1/maturity/assessments/{assessment_id}",
    tags=["maturity"],
    summary="Scores of one of your assessments",
    response_model=Results,
)
def results_api(assessment_id: str, session: SessionDep, viewer: ViewerDep) -> Results:
    data = service.results(session, parse_id(assessment_id, "assessment"), viewer=viewer)
    return Results(
        assessment=Assessment(**data["assessment"]), scores=data["scores"], benchmark=data["benchmark"]
    )


@router.put(
    "/api/v1/maturity/assessments/{assessment_id}/answers",
    tags=["maturity"],
    summary="Save answers (as you go)",
    response_model=Saved,
)
def save_api(
    assessment_id: str, body: Annotated[Answers, Body()], session: SessionDep, viewer: ViewerDep
) -> Saved:
    aid = parse_id(assessment_id, "assessment")
    n = service.save(session, aid, body.answers, viewer=viewer)
    record = store.get_assessment(session, aid, viewer=viewer)
    s = score(record["answers"])
    return Saved(saved=n, answered=s.answered, questions=s.questions)


@router.post(
    "/api/v1/maturity/assessments/{assessment_id}/complete",
    tags=["maturity"],
    summary="Close a draft",
    response_model=Scores,
)
def complete_api(assessment_id: str, session: SessionDep, viewer: ViewerDep) -> Scores:
    return service.complete(session, parse_id(assessment_id, "assessment"), viewer=viewer)


@router.get(
    "/api/v1/maturity/benchmark",
    tags=["maturity"],
    summary="Peer percentiles (groups of 10 or more)",
    response_model=Benchmark,
)
def benchmark_api(
    session: SessionDep, sector: Text = None, size: Text = None, country: Text = None
) -> Benchmark:
    return service.peer_benchmark(session, sector=sector, size=size, country=country)


@router.get(
    "/api/v1/maturity/trajectory/{organisation_id}",
    tags=["maturity"],
    summary="Your assessments over time",
    response_model=Trajectory,
)
def trajectory_api(organisation_id: str, session: SessionDep, viewer: ViewerDep) -> Trajectory:
    org_id = parse_id(organisation_id, "organisation")
    if not store.may_read(viewer, org_id):
        raise Forbidden("an organisation's trajectory is visible to its members only")
    return service.org_trajectory(session, org_id, viewer=viewer)


@router.get(
    "/api/v1/maturity/surveys",
    tags=["maturity"],
    summary="Survey shares with 95% Wilson intervals",
    response_model=Surveys,
)
def surveys_api(session: SessionDep, by: Text = None) -> Surveys:
    return service.surveys(session, by or "sector")


# --- pages -------------------------------------------------------------------------------------------


def _orgs(session: Any, viewer: Viewer) -> list[dict[str, Any]]:
    if viewer.is_admin:
        return []
    rows = [session.get(Organisation, i) for i in sorted(viewer.organisation_ids)]
    return [{"id": o.id, "name": o.name, "kind": o.kind, "country": o.country} for o in rows if o]


@router.get("/maturity", response_class=HTMLResponse, include_in_schema=False)
def home_page(request: Request, session: SessionDep, viewer: ViewerDep) -> HTMLResponse:
    model = load_model()
    return render(
        request,
        "maturity_home.html",
        {
            "page": "maturity",
            "assessments": store.list_assessments(session, viewer=viewer),
            "orgs": _orgs(session, viewer),
            "model": model,
        },
    )


@router.post("/maturity/assessments", include_in_schema=False)
def create_page(
    session: SessionDep,
    viewer: ViewerDep,
    organisation_id: Annotated[str, Form()],
    sector: Annotated[str, Form()],
    size: Annotated[str, Form()],
    country: Annotated[str, Form()],
) -> RedirectResponse:
    body = NewAssessment(
        organisation_id=parse_id(organisation_id, "organisation"), sector=sector, size=size, country=country
    )
    aid = _create(session, body, viewer)
    return RedirectResponse(f"/maturity/assessments/{aid}/form", status_code=303)


@router.get(
    "/maturity/assessments/{assessment_id}/form", response_class=HTMLResponse, include_in_schema=False
)
def form_page(request: Request, assessment_id: str, session: SessionDep, viewer: ViewerDep) -> HTMLResponse:
    record = store.get_assessment(session, parse_id(assessment_id, "assessment"), viewer=viewer)
    model = load_model()
    s = score(record["answers"])
    return render(
        request,
        "maturity_form.html",
        {"page": "maturity", "a": record, "model": model, "answers": record["answers"], "scores": s},
    )


@router.post("/maturity/assessments/{assessment_id}/form", include_in_schema=False)
async def form_post(
    request: Request, assessment_id: str, session: SessionDep, viewer: ViewerDep
) -> RedirectResponse:
    """Without JavaScript the form posts here: save every answer, then close the draft if asked."""
    aid = parse_id(assessment_id, "assessment")
    form = await request.form()
    answers = {k: str(v) for k, v in form.items() if k != "action"}
    service.save(session, aid, answers, viewer=viewer)
    if form.get("action") == "complete":
        service.complete(session, aid, viewer=viewer)
        return RedirectResponse(f"/maturity/assessments/{aid}", status_code=303)
    return RedirectResponse(f"/maturity/assessments/{aid}/form", status_code=303)


@router.get("/maturity/assessments/{assessment_id}", response_class=HTMLResponse, include_in_schema=False)
def results_page(
    request: Request, assessment_id: str, session: SessionDep, viewer: ViewerDep
) -> HTMLResponse:
    data = service.results(session, parse_id(assessment_id, "assessment"), viewer=viewer)
    t = Translator(request_lang(request))
    bench: Benchmark = data["benchmark"]
    peer = bench.groups[0] if bench.groups else None
    medians = {k: v["p50"] for k, v in peer.percentiles.items()} if peer else None
    figures = {
        "radar": charts.radar(data["scores"], t, medians),
        "heatmap": charts.cell_heatmap(data["scores"], t),
    }
    if peer:
        figures["peers"] = charts.benchmark_ranges(peer.model_dump(), t, service.own_scores(data["scores"]))
    return render(
        request,
        "maturity_results.html",
        {"page": "maturity", **data, "model": load_model(), "figures": figures, "peer": peer},
    )


@router.get("/maturity/benchmark", response_class=HTMLResponse, include_in_schema=False)
def benchmark_page(
    request: Request, session: SessionDep, sector: Text = None, size: Text = None, country: Text = None
) -> HTMLResponse:
    bench = service.peer_benchmark(session, sector=sector, size=size, country=country)
    t = Translator(request_lang(request))
    figures = [charts.benchmark_ranges(g.model_dump(), t) for g in bench.groups[:1]]
    return render(
        request,
        "maturity_benchmark.html",
        {
            "page": "maturity",
            "bench": bench,
            "model": load_model(),
            "figures": figures,
            "current": {"sector": sector or "", "size": size or "", "country": (country or "").upper()},
        },
    )


@router.get("/maturity/trajectory", response_class=HTMLResponse, include_in_schema=False)
def trajectory_page(
    request: Request, session: SessionDep, viewer: ViewerDep, organisation: Text = None
) -> HTMLResponse:
    orgs = _orgs(session, viewer)
    if organisation:
        org_id = parse_id(organisation, "organisation")
    elif orgs:
        org_id = orgs[0]["id"]
    else:
        raise Forbidden("sign in as a member of an organisation to see its trajectory")
    if not store.may_read(viewer, org_id):
        raise Forbidden("an organisation's trajectory is visible to its members only")
    traj = service.org_trajectory(session, org_id, viewer=viewer)
    t = Translator(request_lang(request))
    org = session.get(Organisation, org_id)
    return render(
        request,
        "maturity_trajectory.html",
        {
            "page": "maturity",
            "traj": traj,
            "org": org,
            "model": load_model(),
            "figure": charts.trajectory_lines(traj, t) if traj.points else None,
        },
    )


@router.get("/maturity/surveys", response_class=HTMLResponse, include_in_schema=False)
def surveys_page(request: Request, session: SessionDep, by: Text = None) -> HTMLResponse:
    if by not in (None, "", "sector", "size", "country"):
        raise InvalidInput(f"by must be sector, size or country, not {by!r}")
    data = service.surveys(session, by or "sector")
    t = Translator(request_lang(request))
    figures = {}
    for pub in data.published:
        figures[pub.key] = charts.published_chart(pub, t)
    return render(
        request,
        "maturity_surveys.html",
        {
            "page": "maturity",
            "data": data,
            "defs": survey_definitions(),
            "figures": figures,
            "by": by or "sector",
        },
    )
