"""The review queue: extracted candidates accepted, rejected or corrected (parties, type, tags, dates).

Pages post plain HTML forms and are redirected back to the queue (post/redirect/get); the JSON twin
takes the same actions under /api/v1/candidates. Accepted alliances show up at once everywhere: the
analytics caches are keyed by the data version, which an acceptance changes.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from alliances.errors import InvalidInput
from alliances.schemas import Accepted, CandidatePage, Edited, Rejected
from alliances.store.candidates import (
    accept_candidate,
    candidate_page,
    edit_candidate,
    reject_candidate,
    show_candidate,
)
from alliances.taxonomy import vocab
from alliances.web.context import Id, SessionDep, render
from alliances.web.deps import require_role

router = APIRouter()
ANALYST = [Depends(require_role("analyst"))]  # every write below: an analyst's account, CSRF for forms

State = Annotated[str | None, Query(description="pending (default), accepted, rejected or all")]
PageQ = Annotated[str | None, Query(description="Page number, from 1 (past the end: the last page)")]
PerPageQ = Annotated[str | None, Query(description="Candidates per page (1-500, default 50)")]
EDITABLE = ("type", "technologies", "stages", "therapeutic_areas", "date", "status", "amount", "vehicle")


def _whole(value: str | None, name: str, default: int) -> int:
    if value in (None, ""):
        return default
    top = 500 if name == "per_page" else 10**9
    if not (value.isascii() and value.isdigit()) or len(value) > 10 or not 1 <= int(value) <= top:
        raise InvalidInput(f"{name} must be a whole number from 1{' to 500' if name == 'per_page' else ''}")
    return int(value)


def queue(
    session: Session, state: str, page: str | None = None, per_page: str | None = None
) -> CandidatePage:
    """A page of candidates in a state, each with its parties resolved against the knowledge base."""
    result = candidate_page(
        session, state=state, page=_whole(page, "page", 1), per_page=_whole(per_page, "per_page", 50)
    )
    items = [show_candidate(session, c.id).model_copy(update={"summary": c}) for c in result.items]
    return CandidatePage(items=items, **result.model_dump(exclude={"items"}))


def form_changes(form: dict[str, str], parties: list[str]) -> dict[str, str | list[str]]:
    """The edit form as `edit_candidate` changes: only fields that were sent."""
    changes: dict[str, str | list[str]] = {k: form[k] for k in EDITABLE if k in form}
    names = [form.get(f"party_{i}", name).strip() for i, name in enumerate(parties)]
    extra = [n.strip() for n in form.get("party_new", "").split(";") if n.strip()]
    changes["parties"] = [n for n in names if n] + extra
    return changes


def _accept(request: Request, candidate_id: int, form: dict[str, str]) -> Accepted:
    kinds = {k.removeprefix("kind::"): v for k, v in form.items() if k.startswith("kind::") and v}
    with request.app.state.db.session() as session:
        return accept_candidate(session, candidate_id, kinds=kinds)


def _reject(request: Request, candidate_id: int, form: dict[str, str]) -> Rejected:
    with request.app.state.db.session() as session:
        reject_candidate(session, candidate_id)
        return Rejected(rejected=candidate_id)


def _edit(request: Request, candidate_id: int, form: dict[str, str]) -> Edited:
    with request.app.state.db.session() as session:
        parties = [p.name for p in show_candidate(session, candidate_id).parties]
        return edit_candidate(session, candidate_id, form_changes(form, parties))


ACTIONS = {"accept": _accept, "reject": _reject, "edit": _edit}


@router.get(
    "/api/v1/candidates",
    tags=["review"],
    summary="Extracted candidates waiting for review",
    response_model=CandidatePage,
)
def candidates_api(
    session: SessionDep, state: State = None, page: PageQ = None, per_page: PerPageQ = None
) -> CandidatePage:
    return queue(session, state or "pending", page, per_page)


@router.post(
    "/api/v1/candidates/{candidate_id}/accept",
    tags=["review"],
    summary="Accept a candidate",
    dependencies=ANALYST,
    response_model=Accepted,
)
async def accept_api(
    request: Request, candidate_id: Id, kinds: Annotated[dict[str, str] | None, Body(embed=True)] = None
) -> Accepted:
    form = {f"kind::{k}": v for k, v in (kinds or {}).items()}
    return await run_in_threadpool(_accept, request, candidate_id, form)


@router.post(
    "/api/v1/candidates/{candidate_id}/reject",
    tags=["review"],
    summary="Reject a candidate",
    dependencies=ANALYST,
    response_model=Rejected,
)
async def reject_api(request: Request, candidate_id: Id) -> Rejected:
    return await run_in_threadpool(_reject, request, candidate_id, {})


@router.patch(
    "/api/v1/candidates/{candidate_id}",
    tags=["review"],
    summary="Correct a candidate: type, technologies, stages, parties, date, status…",
    dependencies=ANALYST,
    response_model=Edited,
)
async def edit_api(request: Request, candidate_id: Id, changes: Annotated[dict[str, Any], Body()]) -> Edited:
    def edit() -> Edited:
        with request.app.state.db.session() as session:
            return edit_candidate(session, candidate_id, changes)

    return await run_in_threadpool(edit)


@router.get("/review", response_class=HTMLResponse, include_in_schema=False)
def review_page(
    request: Request,
    session: SessionDep,
    state: State = None,
    done: Annotated[str | None, Query()] = None,
    page: PageQ = None,
    per_page: PerPageQ = None,
) -> HTMLResponse:
    result = queue(session, state or "pending", page, per_page)
    return render(
        request,
        "review.html",
        {
            "page": "review",
            "result": result,
            "candidates": result.items,
            "state": state or "pending",
            "done": done,
            "types": vocab("alliance_types").keys,
            "kinds": vocab("organisation_kinds").keys,
            "statuses": vocab("statuses").keys,
        },
    )


@router.post("/review/{candidate_id}/{action}", include_in_schema=False, dependencies=ANALYST)
async def review_action(request: Request, candidate_id: Id, action: str) -> RedirectResponse:
    if action not in ACTIONS:
        from alliances.errors import NotFound

        raise NotFound(f"no review action {action!r}")
    form = {k: str(v) for k, v in (await request.form()).items()}
    result = await run_in_threadpool(ACTIONS[action], request, candidate_id, form)
    accepted = result.alliance_id if isinstance(result, Accepted) else None
    done = {"accept": f"accepted:{accepted}", "reject": "rejected", "edit": "edited"}[action]
    return RedirectResponse("/review?" + urlencode({"done": done}), status_code=303)
