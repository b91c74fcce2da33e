"""Maturity pages and API: self-assessment (saved as you go), results, benchmark, trajectory, surveys.

Thin: every route reads the viewer with `get_viewer`, calls `alliances.maturity.service` and renders.
An assessment that the viewer may not read does not exist for them (404); others see aggregates only.
Writes need an account with at least the analyst role in the assessed organisation (admins anywhere) and
the session's CSRF token (forms, `x-csrf-token` from the saving script) or a bearer token; reads and
writes of an assessment go to the audit log.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session

from alliances.auth.roles import may_act_for
from alliances.errors import Forbidden, InvalidInput
from alliances.maturity import service
from alliances.maturity.benchmark import Benchmark
from alliances.maturity.model import load_model
from alliances.maturity.schemas import Assessment
from alliances.maturity.scoring import Scores, score
from alliances.maturity.service import Results
from alliances.maturity.survey import Surveys
from alliances.maturity.survey import definitions as survey_definitions
from alliances.maturity.trajectory import Trajectory
from alliances.report import charts
from alliances.schemas import OrgRef
from alliances.store import maturity as store
from alliances.store.models import Organisation
from alliances.store.viewer import Viewer
from alliances.web.context import SessionDep, parse_id, render, request_lang
from alliances.web.deps import CSRF_FIELD, audit_private, get_viewer, require_acting_for, require_role
from alliances.web.i18n import Translator

router = APIRouter()
ViewerDep = Annotated[Viewer, Depends(get_viewer)]
WRITER_ROLE = "analyst"  # a viewer reads its organisation's answers; answering them takes more
WRITER = [Depends(require_role(WRITER_ROLE))]  # before the body is read: anonymous is 401, not 422
Text = Annotated[str | None, Query()]


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


def record_of(assessment_id: int) -> str:
    """How the audit log names an assessment (`alliances audit show --record maturity_assessment:ID`)."""
    return f"maturity_assessment:{assessment_id}"


def _writable(session: Session, assessment_id: int, viewer: Viewer) -> None:
    """404 if the viewer may not read the assessment, 403 if they may only read it."""
    org = store.get_assessment(session, assessment_id, viewer=viewer).organisation_id
    require_acting_for(viewer, [org], WRITER_ROLE, "the assessed organisation")


def _read(request: Request, assessment_id: int) -> None:
    audit_private(request, "maturity.read", record_of(assessment_id))


def _wrote(request: Request, session: Session, assessment_id: int, what: str, n: int = 1) -> None:
    audit_private(request, "maturity.write", record_of(assessment_id), {what: n}, session)


def _listed(request: Request, items: list[Assessment]) -> None:
    if items:
        audit_private(request, "maturity.read", "maturity_assessment:*", {"ids": [a.id for a in items]})


def _create(request: Request, session: Any, body: NewAssessment, viewer: Viewer) -> int:
    require_acting_for(viewer, [body.organisation_id], WRITER_ROLE, f"organisation {body.organisation_id}")
    load_model().check_profile(body.sector, body.size, body.country.upper())
    aid = store.create_assessment(
        session,
        organisation_id=body.organisation_id,
        sector=body.sector,
        size_band=body.size,
        country=body.country.upper(),
        viewer=viewer,
    )
    _wrote(request, session, aid, "created")
    return aid


@router.get(
    "/api/v1/maturity/assessments",
    tags=["maturity"],
    summary="Your assessments",
    response_model=AssessmentList,
)
def assessments_api(request: Request, session: SessionDep, viewer: ViewerDep) -> AssessmentList:
    found = store.list_assessments(session, viewer=viewer)
    _listed(request, found)
    return AssessmentList(items=found, total=len(found))


@router.post(
    "/api/v1/maturity/assessments",
    tags=["maturity"],
    summary="Start an assessment",
    response_model=Assessment,
    dependencies=WRITER,
)
def create_api(request: Request, body: NewAssessment, session: SessionDep, viewer: ViewerDep) -> Assessment:
    aid = _create(request, session, body, viewer)
    return store.get_assessment(session, aid, viewer=viewer)


@router.get(
    "/api/v1/maturity/assessments/{assessment_id}",
    tags=["maturity"],
    summary="Scores of one of your assessments",
    response_model=Results,
)
def results_api(request: Request, assessment_id: str, session: SessionDep, viewer: ViewerDep) -> Results:
    aid = parse_id(assessment_id, "assessment")
    data = service.results(session, aid, viewer=viewer)
    _read(request, aid)
    return data


@router.put(
    "/api/v1/maturity/assessments/{assessment_id}/answers",
    tags=["maturity"],
    summary="Save answers (as you go)",
    response_model=Saved,
    dependencies=WRITER,
)
def save_api(
    request: Request,
    assessment_id: str,
    body: Annotated[Answers, Body()],
    session: SessionDep,
    viewer: ViewerDep,
) -> Saved:
    aid = parse_id(assessment_id, "assessment")
    _writable(session, aid, viewer)
    n = service.save(session, aid, body.answers, viewer=viewer)
    _wrote(request, session, aid, "answers", n)
    record = store.get_assessment(session, aid, viewer=viewer)
    s = score(record.answers)
    return Saved(saved=n, answered=s.answered, questions=s.questions)


@router.post(
    "/api/v1/maturity/assessments/{assessment_id}/complete",
    tags=["maturity"],
    summary="Close a draft",
    response_model=Scores,
    dependencies=WRITER,
)
def complete_api(request: Request, assessment_id: str, session: SessionDep, viewer: ViewerDep) -> Scores:
    aid = parse_id(assessment_id, "assessment")
    _writable(session, aid, viewer)
    scores = service.complete(session, aid, viewer=viewer)
    _wrote(request, session, aid, "completed")
    return scores


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
def trajectory_api(
    request: Request, organisation_id: str, session: SessionDep, viewer: ViewerDep
) -> Trajectory:
    org_id = parse_id(organisation_id, "organisation")
    if not store.may_read(viewer, org_id):
        raise Forbidden("an organisation's trajectory is visible to its members only")
    audit_private(request, "maturity.read", f"organisation:{org_id}/maturity")
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


class OrgChoice(OrgRef):
    country: str | None = None


def _orgs(session: Session, viewer: Viewer) -> list[OrgChoice]:
    """The organisations a member may assess (an admin picks by id)."""
    if viewer.is_admin:
        return []
    rows = [session.get(Organisation, i) for i in sorted(viewer.organisation_ids)]
    return [OrgChoice(id=o.id, name=o.name, kind=o.kind, country=o.country) for o in rows if o]


@router.get("/maturity", response_class=HTMLResponse, include_in_schema=False)
def home_page(request: Request, session: SessionDep, viewer: ViewerDep) -> HTMLResponse:
    model = load_model()
    assessments = store.list_assessments(session, viewer=viewer)
    _listed(request, assessments)
    return render(
        request,
        "maturity_home.html",
        {
            "page": "maturity",
            "assessments": assessments,
            # the start form only for organisations the reader may answer for (a viewer reads only)
            "orgs": [o for o in _orgs(session, viewer) if may_act_for(viewer, o.id, WRITER_ROLE)],
            "model": model,
        },
    )


@router.post("/maturity/assessments", include_in_schema=False, dependencies=WRITER)
def create_page(
    request: Request,
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
    aid = _create(request, session, body, viewer)
    return RedirectResponse(f"/maturity/assessments/{aid}/form", status_code=303)


@router.get(
    "/maturity/assessments/{assessment_id}/form", response_class=HTMLResponse, include_in_schema=False
)
def form_page(request: Request, assessment_id: str, session: SessionDep, viewer: ViewerDep) -> HTMLResponse:
    aid = parse_id(assessment_id, "assessment")
    record = store.get_assessment(session, aid, viewer=viewer)
    _read(request, aid)
    model = load_model()
    s = score(record.answers)
    return render(
        request,
        "maturity_form.html",
        {"page": "maturity", "a": record, "model": model, "answers": record.answers, "scores": s},
    )


@router.post("/maturity/assessments/{assessment_id}/form", include_in_schema=False, dependencies=WRITER)
async def form_post(
    request: Request, assessment_id: str, session: SessionDep, viewer: ViewerDep
) -> RedirectResponse:
    """Without JavaScript the form posts here: save every answer, then close the draft if asked."""
    aid = parse_id(assessment_id, "assessment")
    _writable(session, aid, viewer)
    form = await request.form()
    answers = {k: str(v) for k, v in form.items() if k not in ("action", CSRF_FIELD)}
    n = service.save(session, aid, answers, viewer=viewer)
    _wrote(request, session, aid, "answers", n)
    if form.get("action") == "complete":
        service.complete(session, aid, viewer=viewer)
        _wrote(request, session, aid, "completed")
        return RedirectResponse(f"/maturity/assessments/{aid}", status_code=303)
    return RedirectResponse(f"/maturity/assessments/{aid}/form", status_code=303)


@router.get("/maturity/assessments/{assessment_id}", response_class=HTMLResponse, include_in_schema=False)
def results_page(
    request: Request, assessment_id: str, session: SessionDep, viewer: ViewerDep
) -> HTMLResponse:
    aid = parse_id(assessment_id, "assessment")
    data = service.results(session, aid, viewer=viewer)
    _read(request, aid)
    t = Translator(request_lang(request))
    bench = data.benchmark
    peer = bench.groups[0] if bench.groups else None
    medians = {k: v["p50"] for k, v in peer.percentiles.items()} if peer else None
    figures = {
        "radar": charts.radar(data.scores, t, medians),
        "heatmap": charts.cell_heatmap(data.scores, t),
    }
    if peer:
        figures["peers"] = charts.benchmark_ranges(peer.model_dump(), t, service.own_scores(data.scores))
    return render(
        request,
        "maturity_results.html",
        {"page": "maturity", **dict(data), "model": load_model(), "figures": figures, "peer": peer},
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
        org_id = orgs[0].id
    else:
        raise Forbidden("sign in as a member of an organisation to see its trajectory")
    if not store.may_read(viewer, org_id):
        raise Forbidden("an organisation's trajectory is visible to its members only")
    traj = service.org_trajectory(session, org_id, viewer=viewer)
    if traj.points:
        audit_private(request, "maturity.read", f"organisation:{org_id}/maturity")
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
