"""Hardening every response and request: security headers, size limits, same-origin writes, who is asking.

The middleware is plain ASGI so streamed responses pass through untouched. `authenticate` is a
dependency of the whole app: it turns a session cookie or an `Authorization: Bearer` token into the
request's `Viewer`, and CSRF tokens are checked by `deps.require_role` on every write.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import threading
import time
import weakref
from collections import defaultdict, deque
from typing import Any
from urllib.parse import urlsplit

import anyio.to_thread
from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from alliances.auth.accounts import Resolved, resolve
from alliances.auth.tokens import csrf_for
from alliances.errors import TooManyRequests, Unauthorized
from alliances.store import audit
from alliances.store.db import WRITING
from alliances.store.viewer import Viewer
from alliances.web.turns import read_pause, read_wait, reads_turn, writing_first

SESSION_COOKIE = "alliances_session"
LOGIN_CSRF_COOKIE = "alliances_login_csrf"
MAX_BODY = 2_000_000  # bytes: forms and JSON edits are small; imports go through the CLI
MAX_QUERY = 8_000  # characters of query string: a longer search is not a search
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
OPEN_PATHS = ("/login", "/logout", "/static/", "/vendor/", "/healthz", "/favicon")

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


def _reply(status: int, message: str) -> tuple[Message, Message]:
    body = json.dumps({"ok": False, "error": message, "status": status}).encode()
    head = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *HEADERS]
    return {"type": "http.response.start", "status": status, "headers": head}, {
        "type": "http.response.body",
        "body": body,
    }


def same_origin(scope: Scope) -> bool:
    """A write comes from our own pages: its Origin (or Referer) names this host, or it names none."""
    headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers", [])}
    claimed = headers.get("origin") or headers.get("referer")
    if not claimed:
        return True  # API clients and curl send neither; they authenticate with a bearer token
    if claimed == "null":
        return False
    host = headers.get("host", "")
    return bool(urlsplit(claimed).netloc == host)


class SecurityMiddleware:
    """Headers on every response; too-large requests and cross-origin writes refused before any work."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            tune_threads()
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = self._refusal(scope)
        if refusal is not None:
            for message in _reply(*refusal):
                await send(message)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > MAX_BODY:
                    raise BodyTooLarge()
            return message

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    h for h in HEADERS if h[0] not in present
                ]
            await send(message)

        try:
            if scope["method"] in UNSAFE:  # a write takes a request thread only once its turn has come
                async with writers(), writing_first():
                    await self.app(scope, limited_receive, send_with_headers)
            else:
                dialect = scope["app"].state.db.engine.dialect.name
                await reads_turn(read_wait(dialect), read_pause(dialect))
                await self.app(scope, limited_receive, send_with_headers)
        except BodyTooLarge:
            for message in _reply(413, f"request body larger than {MAX_BODY} bytes"):
                await send(message)

    @staticmethod
    def _refusal(scope: Scope) -> tuple[int, str] | None:
        if len(scope.get("query_string", b"")) > MAX_QUERY:
            return 414, f"query string longer than {MAX_QUERY} characters"
        for key, value in scope.get("headers", []):
            if key == b"content-length" and value.isdigit() and int(value) > MAX_BODY:
                return 413, f"request body larger than {MAX_BODY} bytes"
        if scope["method"] in UNSAFE and not same_origin(scope):
            return 403, "cross-origin request refused"
        return None


# `python bench/load.py --workers 2` (50 clients, SQLite, 5 % writes), threads per worker: 8 gave 187
# requests/s, 3 gave 238, 2 gave 255, 1 gave 254; on PostgreSQL 2 and 8 did the same (116 and 120).
THREADS = int(os.environ.get("ALLIANCES_THREADS", "3"))
SWITCH_SECONDS = float(os.environ.get("ALLIANCES_SWITCH_INTERVAL", "0.001"))


def tune_threads() -> None:
    """Fewer request threads per worker, and a shorter GIL switch interval (issue 13, load).

    Every query releases the GIL and must win it back: with 40 threads each holding it for the default
    5 ms, a write transaction waited so long between its queries that it kept SQLite's write lock for
    seconds, and other writers timed out. Requests beyond `THREADS` wait on the event loop instead.
    """
    anyio.to_thread.current_default_thread_limiter().total_tokens = THREADS
    sys.setswitchinterval(SWITCH_SECONDS)


# Writes run one at a time per worker process (`writers`): they queue on SQLite's write lock anyway.
WRITERS = int(os.environ.get("ALLIANCES_WRITERS", "1"))
_WRITERS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary()
)


def writers() -> asyncio.Semaphore:
    """How many write requests of this process may hold a request thread at once (issue 13, load).

    Writers waiting for the database's write lock held the worker's few threads (`THREADS`), so reads
    that had to be built waited behind them although nothing blocked them: p50 of a rebuilt overview
    was 470 ms with 5 % writes. Waiting here costs no thread. One per event loop."""
    loop = asyncio.get_running_loop()
    gate = _WRITERS.get(loop)
    if gate is None:
        gate = _WRITERS[loop] = asyncio.Semaphore(WRITERS)
    return gate


class BodyTooLarge(StarletteHTTPException):
    """An HTTP error, so FastAPI's body parsing lets it through as a 413 instead of a 400."""

    def __init__(self) -> None:
        super().__init__(413, f"request body larger than {MAX_BODY} bytes")


def presented_secret(request: Request) -> tuple[str, str] | None:
    """("api", token) from an Authorization header, ("session", secret) from the cookie, else None."""
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise Unauthorized("the Authorization header must be 'Bearer TOKEN'")
        return "api", value.strip()
    cookie = request.cookies.get(SESSION_COOKIE)
    return ("session", cookie) if cookie else None


async def authenticate(request: Request) -> None:
    """Set `request.state.viewer` (and the session's CSRF token) from what the request presents.

    Async so that the audit actor it names is seen by the route and the threads it runs work in.
    """
    request.state.viewer = Viewer()
    request.state.csrf_token = ""
    request.state.auth = None
    audit.acting_as("anonymous", origin_of(request))
    presented = presented_secret(request)
    if presented is not None:
        kind, secret = presented

        def lookup() -> Resolved | None:
            with request.app.state.db.session() as session:
                return resolve(session, secret, kind)

        already = getattr(request.state, "resolved", None)  # the response cache looked it up just now
        if already is not None and already[0] == presented:
            found = already[1]
        else:
            found = await run_in_threadpool(lookup)
        if found is None and kind == "api":
            raise Unauthorized("invalid, expired or revoked token")
        if found is not None:
            request.state.viewer = found.viewer
            request.state.auth = kind
            audit.acting_as(found.viewer.who, origin_of(request))
            if kind == "session":
                request.state.csrf_token = csrf_for(secret)
    if request.method in UNSAFE:
        # This request's transactions take SQLite's write lock up front; set after the token lookup,
        # a read that need not queue behind other writers for the lock.
        WRITING.set(True)
    if (
        request.app.state.settings.anonymous == "none"
        and request.state.auth is None
        and not request.url.path.startswith(OPEN_PATHS)
    ):
        raise Unauthorized("sign in to use this observatory (/login)")


def origin_of(request: Request) -> str:
    """Where a request came from, for the audit log."""
    return request.client.host if request.client else "unknown"


class LoginLimiter:
    """At most `limit` failed logins per client address and per email within `window` seconds."""

    def __init__(self, limit: int = 5, window: float = 900.0) -> None:
        self.limit, self.window = limit, window
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures[key]
        while times and times[0] < now - self.window:
            times.popleft()
        return times

    def check(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            if any(len(self._recent(k, now)) >= self.limit for k in keys):
                raise TooManyRequests("too many failed sign-ins; try again in a few minutes")

    def failed(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for k in keys:
                self._recent(k, now).append(now)

    def succeeded(self, *keys: str) -> None:
        with self._lock:
            for k in keys:
                self._failures.pop(k, None)


def install(app: Any) -> None:
    """Install the middleware and the login limiter on an app (called once by the factory).

    The response cache sits inside the security middleware: what it serves gets the same headers.
    """
    from alliances.web.cache import ResponseCache, SharedAnswers, Store

    settings = app.state.settings.model_dump_json()
    app.state.response_cache = Store(shared=SharedAnswers.for_database(app.state.db.url, settings))
    app.add_middleware(ResponseCache)
    app.add_middleware(SecurityMiddleware)
    app.state.login_limiter = LoginLimiter()
