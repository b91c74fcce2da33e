"""Request-scoped dependencies shared by every route: who is reading, and who may write.

The viewer is what the store filters private records by. `security.authenticate` (a dependency of
the whole app) sets `request.state.viewer` from a session cookie or a bearer token; without one a
visitor is anonymous and sees public data only.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from alliances.auth.roles import at_least, may_act_for
from alliances.auth.tokens import same
from alliances.errors import Forbidden, Unauthorized
from alliances.store import audit
from alliances.store.viewer import Viewer, private_among

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


def get_viewer(request: Request) -> Viewer:
    """The reader of this request (anonymous unless authentication set one)."""
    viewer = getattr(request.state, "viewer", None)
    return viewer if isinstance(viewer, Viewer) else Viewer()


ViewerDep = Annotated[Viewer, Depends(get_viewer)]


async def check_csrf(request: Request) -> None:
    """A write made with the session cookie must carry the session's CSRF token (form field or header)."""
    if getattr(request.state, "auth", None) != "session":
        return  # bearer tokens are never sent by a browser on its own: no CSRF risk
    expected = getattr(request.state, "csrf_token", "")
    sent = request.headers.get(CSRF_HEADER, "")
    if not sent and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        sent = str((await request.form()).get(CSRF_FIELD, ""))
    if not expected or not sent or not same(expected, sent):
        raise Forbidden("missing or wrong CSRF token: reload the page and try again")


def require_role(role: str) -> Callable[[Request], Awaitable[Viewer]]:
    """A dependency: the request must come from an account whose role is at least `role`."""

    async def dependency(request: Request) -> Viewer:
        viewer = get_viewer(request)
        if viewer.user_id is None:
            raise Unauthorized("sign in (or send a bearer token) to do this")
        if not at_least(viewer.role, role):
            raise Forbidden(f"this needs the {role} role; you are {viewer.role or 'without a role'}")
        if request.method in ("POST", "PUT", "PATCH", "DELETE"):
            await check_csrf(request)
        return viewer

    return dependency


def audit_private_reads(request: Request, session: Session, alliance_ids: list[int]) -> None:
    """Write to the audit log that this reader saw private alliances (in its own short transaction)."""
    private = private_among(session, alliance_ids)
    if not private:
        return
    viewer = get_viewer(request)
    origin = request.client.host if request.client else "unknown"
    with request.app.state.db.session(write=True) as log:
        audit.record(
            log,
            who=viewer.who,
            action="alliance.read",
            record=f"alliance:{private[0]}" if len(private) == 1 else None,
            origin=origin,
            detail={"ids": private, "path": request.url.path},
        )


def audit_export(request: Request, viewer: Viewer, fmt: str) -> None:
    """An export by a reader who may see private records is written to the audit log, with its filters."""
    if not viewer.organisation_ids and not viewer.is_admin:
        return  # public data only: nothing private can be in it
    origin = request.client.host if request.client else "unknown"
    with request.app.state.db.session(write=True) as log:
        audit.record(
            log,
            who=viewer.who,
            action="alliance.export",
            origin=origin,
            detail={"format": fmt, "query": str(request.url.query)[:500]},
        )


def require_acting_for(viewer: Viewer, organisation_ids: Iterable[int | None], role: str, what: str) -> None:
    """The writer must hold at least `role` in one of these organisations (admins everywhere), else 403.

    Roles are per membership: a Sanofi alliance manager who only reads Servier cannot change its plans.
    """
    if not any(may_act_for(viewer, org, role) for org in organisation_ids):
        raise Forbidden(f"only a member with the {role} role in {what} may change it")


def audit_private(
    request: Request,
    action: str,
    record: str,
    detail: dict[str, Any] | None = None,
    session: Session | None = None,
) -> None:
    """Log a read or write of a private record (health plan, maturity assessment).

    A write is logged in the writing transaction (`session`), so the entry exists exactly when the change
    does; a read in its own short transaction, as `audit_private_reads` does for alliances.
    """
    viewer = get_viewer(request)
    values: dict[str, Any] = {
        "who": viewer.who,
        "action": action,
        "record": record,
        "origin": request.client.host if request.client else "unknown",
        "detail": {"path": request.url.path, **(detail or {})},
    }
    if session is not None:
        audit.record(session, **values)
        return
    with request.app.state.db.session(write=True) as log:
        audit.record(log, **values)
