"""Signing in and out, and `/api/v1/me`: the web shell over `alliances.auth`.

The login form is protected by a double-submit CSRF cookie (there is no session yet); once signed in,
the session's own CSRF token protects every form. The session cookie is HttpOnly, SameSite=Strict and
Secure whenever the site is served over HTTPS.
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel

from alliances.auth import accounts
from alliances.auth.tokens import same
from alliances.errors import Forbidden
from alliances.store import audit
from alliances.web.context import render
from alliances.web.deps import ViewerDep, check_csrf
from alliances.web.security import LOGIN_CSRF_COOKIE, SESSION_COOKIE, origin_of

router = APIRouter()


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an absolute or scheme-relative address (no open redirect)."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/"


def _login_page(request: Request, error: str | None = None, status: int = 200) -> HTMLResponse:
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(24)
    response = render(
        request,
        "login.html",
        {
            "page": "login",
            "login_csrf": token,
            "error": error,
            "next": _safe_next(request.query_params.get("next")),
        },
        status_code=status,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", secure=request.url.scheme == "https"
    )
    return response


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_page(request: Request) -> HTMLResponse:
    return _login_page(request)


@router.post("/login", include_in_schema=False)
async def login(
    request: Request,
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie or not same(cookie, csrf_token):
        raise Forbidden("missing or wrong CSRF token: reload the sign-in page and try again")
    limiter = request.app.state.login_limiter
    keys = (f"ip:{origin_of(request)}", f"email:{email.strip().lower()}")
    limiter.check(*keys)

    def attempt() -> str | None:
        with request.app.state.db.session() as session:
            user = accounts.authenticate(session, email, password)
            who = user.email if user else (email.strip().lower()[:254] or "anonymous")
            audit.record(
                session,
                who=who,
                action="login" if user else "login.failed",
                origin=origin_of(request),
            )
            return accounts.issue(session, user, kind="session").secret if user else None

    secret = await run_in_threadpool(attempt)
    if secret is None:
        limiter.failed(*keys)
        return _login_page(request, error="login.failed", status=401)
    limiter.succeeded(*keys)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=accounts.SESSION_HOURS * 3600,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    return response


@router.post("/logout", include_in_schema=False)
async def logout(request: Request, viewer: ViewerDep) -> Response:
    await check_csrf(request)
    secret = request.cookies.get(SESSION_COOKIE)

    def close() -> None:
        if secret and viewer.user_id is not None:
            with request.app.state.db.session() as session:
                accounts.revoke_secret(session, secret)
                audit.record(session, who=viewer.who, action="logout", origin=origin_of(request))

    await run_in_threadpool(close)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


class Me(BaseModel):
    """Who a request is authenticated as (all empty for an anonymous reader)."""

    email: str | None = None
    role: str | None = None
    organisation_ids: list[int]
    is_admin: bool


@router.get("/api/v1/me", tags=["accounts"], summary="Who the request is authenticated as", response_model=Me)
def me(viewer: ViewerDep) -> Me:
    return Me(
        email=viewer.email,
        role=viewer.role,
        organisation_ids=sorted(viewer.organisation_ids),
        is_admin=viewer.is_admin,
    )
