"""Alliance health pages and their JSON twins: portfolio, one alliance's plan, an alert's explanation.

Plans are private to the alliance's parties: every read goes through the store with the request's
viewer, and a reader who may not see a plan gets 404, as if it did not exist. Every write needs an
alliance manager (or admin) of the plan's owner or of one of the alliance's parties, and the CSRF token
of the session (forms) or a bearer token (API); reads and writes of a plan go to the audit log.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from alliances.errors import InvalidInput, NotFound
from alliances.health import replay, vocab
from alliances.health.csvio import parse_lines
from alliances.health.model import KINDS, ChecklistAnswer
from alliances.health.report import build, portfolio_item
from alliances.health.schemas import AlertOut, HealthReport, PortfolioItem
from alliances.store import health as store
from alliances.store.models import Alliance
from alliances.store.organisations import find_organisation
from alliances.store.viewer import Viewer, may_see_organisation
from alliances.web import health_charts
from alliances.web.context import SessionDep, parse_id, request_lang
from alliances.web.context import render as render_page
from alliances.web.deps import audit_private, get_viewer, require_acting_for, require_role
from alliances.web.i18n import Translator

router = APIRouter()
ViewerDep = Annotated[Viewer, Depends(get_viewer)]
MANAGER = [Depends(require_role("alliance_manager"))]  # before the body is read: anonymous is 401, not 422


class ReviewLine(BaseModel):
    """One review period, as `alliances health replay --json` prints it."""

    period: str
    date: str
    score: int
    level: str
    signals: list[str]
    alerts: list[dict[str, object]]


class Portfolio(BaseModel):
    organisation: dict[str, object]
    items: list[PortfolioItem]


class AlertExplanation(BaseModel):
    alliance_id: int
    name: str
    period: str
    alert: AlertOut
    report: HealthReport


def render(request: Request, template: str, context: dict[str, Any]) -> HTMLResponse:
    """Render a health page; `plabel` writes review periods the reader's way."""
    t = Translator(request_lang(request))
    return render_page(request, template, {**context, "plabel": lambda p: health_charts.period_label(p, t)})


def plan_record(alliance_id: int) -> str:
    """How the audit log names an alliance's plan (`alliances audit show --record alliance:ID/health`)."""
    return f"alliance:{alliance_id}/health"


def _report(request: Request, session: Session, ref: str, viewer: Viewer) -> HealthReport:
    """The latest review of a plan the viewer may read (404 otherwise); the read is audited."""
    alliance_id = parse_id(ref, "alliance")
    history = store.get_history(session, alliance_id, viewer=viewer)
    title = store.alliance_title(session, alliance_id, viewer=viewer)
    audit_private(request, "health.read", plan_record(alliance_id))
    return build(history, request_lang(request), alliance_id, title)


def _portfolio(request: Request, session: Session, ref: str, viewer: Viewer) -> Portfolio:
    try:
        org = find_organisation(session, ref)
    except NotFound:  # no suggestions: they could name organisations hidden from the viewer
        raise NotFound(f"no organisation {ref!r}") from None
    if not may_see_organisation(session, org.id, viewer):  # named only by alliances hidden from the viewer
        raise NotFound(f"no organisation {ref!r}")
    lang = request_lang(request)
    items = [
        portfolio_item(a.id, a.title, h, lang) for a, h in store.portfolio(session, org.id, viewer=viewer)
    ]
    if items:
        ids = [i.alliance_id for i in items]
        audit_private(request, "health.read", f"organisation:{org.id}/health", {"alliances": ids})
    return Portfolio(organisation={"id": org.id, "name": org.name}, items=items)


def _writable(session: Session, ref: str, viewer: Viewer) -> int:
    """The alliance id of a plan the viewer may change: 404 if they may not see it, 403 if only read it."""
    alliance_id = parse_id(ref, "alliance")
    plan = store.get_plan(session, alliance_id, viewer=viewer)
    alliance = session.get(Alliance, alliance_id)
    parties = [p.organisation_id for p in alliance.parties] if alliance else []
    require_acting_for(viewer, [plan.owner_id, *parties], "alliance_manager", f"alliance {alliance_id}")
    return alliance_id


def _audit_write(request: Request, session: Session, alliance_id: int, kind: str, written: int) -> None:
    audit_private(
        request, "health.write", plan_record(alliance_id), {"kind": kind, "written": written}, session
    )


def _alert(report: HealthReport, name: str) -> AlertOut:
    for alert in report.alerts:
        if alert.name == name:
            return alert
    raise NotFound(f"no alert {name!r} on the latest review of alliance {report.alliance_id}")


@router.get("/api/v1/alliances/{ref}/health", tags=["health"], summary="Latest health review of a plan")
def health_api(request: Request, ref: str, session: SessionDep, viewer: ViewerDep) -> HealthReport:
    return _report(request, session, ref, viewer)


@router.get(
    "/api/v1/alliances/{ref}/health/reviews",
    tags=["health"],
    summary="Every review period of a plan: score, fired signals, alerts with their signals",
)
def reviews_api(request: Request, ref: str, session: SessionDep, viewer: ViewerDep) -> list[ReviewLine]:
    alliance_id = parse_id(ref, "alliance")
    history = store.get_history(session, alliance_id, viewer=viewer)
    audit_private(request, "health.read", plan_record(alliance_id))
    return [ReviewLine.model_validate(r.line()) for r in replay(history)]


@router.get(
    "/api/v1/alliances/{ref}/health/alerts/{name}",
    tags=["health"],
    summary="Why an alert fired: its signals with values, limits and explanations",
)
def alert_api(
    request: Request, ref: str, name: str, session: SessionDep, viewer: ViewerDep
) -> AlertExplanation:
    report = _report(request, session, ref, viewer)
    alert = _alert(report, name)
    return AlertExplanation(alliance_id=report.alliance_id or 0, name=name, period=report.period, alert=alert,
                            report=report)  # fmt: skip


@router.get(
    "/api/v1/organisations/{ref}/health",
    tags=["health"],
    summary="Portfolio: the plans of an organisation's alliances, with scores, trends and alerts",
)
def portfolio_api(request: Request, ref: str, session: SessionDep, viewer: ViewerDep) -> Portfolio:
    return _portfolio(request, session, ref, viewer)


@router.get("/health", response_class=HTMLResponse, include_in_schema=False)
def health_index(request: Request, session: SessionDep, viewer: ViewerDep) -> HTMLResponse:
    lang = request_lang(request)
    items = [portfolio_item(a.id, a.title, h, lang) for a, h in store.readable_plans(session, viewer=viewer)]
    if items:
        audit_private(request, "health.read", "health", {"alliances": [i.alliance_id for i in items]})
    return render(request, "health_portfolio.html", {"page": "health", "org": None, "items": items})


@router.get("/organisations/{ref}/health", response_class=HTMLResponse, include_in_schema=False)
def portfolio_page(request: Request, ref: str, session: SessionDep, viewer: ViewerDep) -> HTMLResponse:
    result = _portfolio(request, session, ref, viewer)
    return render(
        request,
        "health_portfolio.html",
        {"page": "health", "org": result.organisation, "items": result.items},
    )


@router.get("/alliances/{ref}/health", response_class=HTMLResponse, include_in_schema=False)
def health_page(request: Request, ref: str, session: SessionDep, viewer: ViewerDep) -> HTMLResponse:
    lang = request_lang(request)
    report = _report(request, session, ref, viewer)
    t = Translator(lang)
    return render(
        request,
        "health_alliance.html",
        {
            "page": "health",
            "report": report,
            "kinds": [k for k in KINDS if k != "plan"],
            "answers": [
                (k, vocab.term_label("checklist_answers", k, lang))
                for k in vocab.terms()["checklist_answers"]
            ],
            "timeline_chart": health_charts.timeline(report, t),
            "radar_chart": health_charts.radar(report, t),
            "trend_chart": health_charts.score_trend(report, t),
        },
    )


@router.get("/alliances/{ref}/health/alerts/{name}", response_class=HTMLResponse, include_in_schema=False)
def alert_page(request: Request, ref: str, name: str, session: SessionDep, viewer: ViewerDep) -> HTMLResponse:
    report = _report(request, session, ref, viewer)
    alert = _alert(report, name)
    signals = {s.name: s for s in report.signals}
    named = [signals[n] for n in alert.signals if n in signals]
    return render(
        request, "health_alert.html", {"page": "health", "report": report, "alert": alert, "named": named}
    )


@router.post("/alliances/{ref}/health/import", include_in_schema=False, dependencies=MANAGER)
async def import_form(
    request: Request,
    ref: str,
    session: SessionDep,
    viewer: ViewerDep,
    kind: Annotated[str, Form()],
    file: Annotated[UploadFile, File()],
) -> RedirectResponse:
    """Import one CSV file into the plan, all or nothing; errors name the file's line and field."""
    alliance_id = _writable(session, ref, viewer)
    raw = await file.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput(f"{file.filename}:1: file: not UTF-8 text") from None
    name = file.filename or f"{kind}.csv"
    numbered = parse_lines(text, kind, name)
    rows = [row for _, row in numbered]
    written = store.save_entries(
        session, alliance_id, kind, rows, viewer=viewer, where=name, lines=[line for line, _ in numbered]
    )
    _audit_write(request, session, alliance_id, kind, written)
    return RedirectResponse(f"/alliances/{alliance_id}/health?imported={written}", status_code=303)


@router.post("/alliances/{ref}/health/checklist", include_in_schema=False, dependencies=MANAGER)
async def checklist_form(
    request: Request, ref: str, session: SessionDep, viewer: ViewerDep
) -> RedirectResponse:
    """Save the readiness checklist answered on the page (items left blank are unanswered)."""
    alliance_id = _writable(session, ref, viewer)
    form = await request.form()
    answers = []
    for item in vocab.checklist_items():
        answer = str(form.get(f"answer.{item}") or "")
        if answer:
            evidence = str(form.get(f"evidence.{item}") or "").strip()
            try:
                answers.append(ChecklistAnswer(item=item, answer=answer, evidence=evidence))
            except ValidationError:
                raise InvalidInput(f"checklist: {item}: unknown answer {answer!r}") from None
    store.save_entries(session, alliance_id, "checklist", answers, viewer=viewer, where="checklist")
    _audit_write(request, session, alliance_id, "checklist", len(answers))
    return RedirectResponse(
        f"/alliances/{alliance_id}/health?imported={len(answers)}#checklist", status_code=303
    )


class ImportResult(BaseModel):
    ok: bool = True
    kind: str
    written: int


@router.post(
    "/api/v1/alliances/{ref}/health/import/{kind}",
    tags=["health"],
    summary="Import one CSV file (the request body, text/csv) into a plan, all or nothing",
    dependencies=MANAGER,
)
async def import_api(
    request: Request, ref: str, kind: str, session: SessionDep, viewer: ViewerDep
) -> ImportResult:
    alliance_id = _writable(session, ref, viewer)
    try:
        text = (await request.body()).decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput(f"{kind}.csv:1: file: not UTF-8 text") from None
    numbered = parse_lines(text, kind, f"{kind}.csv")
    written = store.save_entries(
        session,
        alliance_id,
        kind,
        [row for _, row in numbered],
        viewer=viewer,
        where=f"{kind}.csv",
        lines=[line for line, _ in numbered],
    )
    _audit_write(request, session, alliance_id, kind, written)
    return ImportResult(kind=kind, written=written)
