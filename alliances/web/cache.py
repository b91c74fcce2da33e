"""Whole responses of the hot read routes, kept per data version and reader (issue 13, load).

A list, a profile or the matrix costs 5-30 ms of CPU to build and is the same for every request of the
same reader until the next write: 50 concurrent clients asking the same pages made the server
throughput-bound. This ASGI middleware (inside the security middleware, so every answer still gets
its headers) answers a GET from memory when the same reader asked the same URL, with the same
language and content negotiation, at the same `response_version`. It reads that version and resolves
the bearer token in one short transaction, and hands the token's viewer to `security.authenticate`,
so a miss pays no second lookup.

Never cached: web-session readers (their pages carry a CSRF token), anything but a 200 without
Set-Cookie, streamed exports, bodies over `MAX_BODY`, and any response whose making wrote to the audit
log (a read of private data is logged on every read). A revoked token, a disabled user or a changed
role counts from the next request on (the grant is read afresh each time). Single flight: while one
request builds a response, the same requests wait for it instead of building it too.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from cachetools import LRUCache
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from alliances.auth.accounts import Resolved, resolve
from alliances.errors import AllianceError, Unauthorized
from alliances.store import audit
from alliances.store.version import response_version
from alliances.store.viewer import scope as visibility_scope

PREFIXES = (
    "/api/v1/alliances",
    "/api/v1/organisations",
    "/api/v1/matrix",
    "/api/v1/trends",
    "/api/v1/overview",
    "/api/v1/network",
    "/alliances",
    "/organisations",
    "/matrix",
    "/trends",
    "/overview",
    "/network",
)
EXCLUDED = (".csv", ".jsonl", "/health", "/maturity")  # exports stream; private plans are audited anyway
MAX_BODY = 1_000_000  # bytes: larger answers are built each time
SIZE = 64_000_000  # bytes of bodies kept per app, least recently used dropped first
HIT = (b"x-cache", b"hit")  # on answers served from memory (the load bench counts them)
VARY = (b"host", b"accept", b"accept-language", b"cookie")


@dataclass
class Store:
    """The cached responses of one app (on `app.state.response_cache`), and how often they served."""

    items: LRUCache[Any, tuple[int, list[tuple[bytes, bytes]], bytes]] = field(
        default_factory=lambda: LRUCache(maxsize=SIZE, getsizeof=lambda entry: len(entry[2]) + 200)
    )
    pending: dict[Any, asyncio.Event] = field(default_factory=dict)
    hits: int = 0
    misses: int = 0


def cacheable(scope: Scope) -> bool:
    if scope["type"] != "http":
        return False  # lifespan, websockets
    path: str = scope["path"]
    return (
        scope["method"] == "GET" and path.startswith(PREFIXES) and not any(part in path for part in EXCLUDED)
    )


class ResponseCache:
    """ASGI middleware: see the module docstring."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not cacheable(scope):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        if request.cookies.get("alliances_session"):
            await self.app(scope, receive, send)  # a signed-in browser: its pages carry its CSRF token
            return
        try:
            from alliances.web.security import presented_secret

            presented = presented_secret(request)
        except Unauthorized:
            await self.app(scope, receive, send)  # a malformed header: the app answers 401
            return
        app = scope["app"]
        store: Store = app.state.response_cache

        def look() -> tuple[tuple[Any, ...], Resolved | None]:
            with app.state.db.session() as session:
                found = resolve(session, presented[1], presented[0]) if presented else None
                return response_version(session), found

        try:
            version, found = await run_in_threadpool(look)
        except (AllianceError, SQLAlchemyError):
            await self.app(scope, receive, send)  # no database, no tables: the app says so in its envelope
            return
        if presented is not None:
            scope.setdefault("state", {})["resolved"] = (presented, found)  # for `security.authenticate`
            if found is None:
                await self.app(scope, receive, send)  # refused: the app answers 401, never the cache
                return
        viewer = found.viewer if found else None
        headers = dict(scope["headers"])
        key = (
            version,
            scope["path"],
            scope.get("query_string", b""),
            viewer.user_id if viewer else None,
            visibility_scope(viewer),
            tuple(headers.get(name, b"") for name in VARY),
        )
        waited = False
        while (entry := store.items.get(key)) is None and key in store.pending:
            waited = True
            await store.pending[key].wait()  # the same answer is being built: take it when it is done
        if entry is not None:
            store.hits += 1
            status, head, body = entry
            await send({"type": "http.response.start", "status": status, "headers": [*head, HIT]})
            await send({"type": "http.response.body", "body": body})
            return
        store.misses += 1
        if waited:  # that answer could not be kept (an audited read...): build ours alongside the others
            await self._build(scope, receive, send, store, key)
            return
        done = store.pending[key] = asyncio.Event()
        try:
            await self._build(scope, receive, send, store, key)
        finally:
            store.pending.pop(key, None)
            done.set()

    async def _build(self, scope: Scope, receive: Receive, send: Send, store: Store, key: Any) -> None:
        """Answer through the app, keeping a copy of the answer when it may be served again."""
        start: dict[str, Any] = {}
        chunks: list[bytes] = []
        size = 0
        keep = True

        async def capture(message: Message) -> None:
            nonlocal size, keep
            if message["type"] == "http.response.start":
                start.update(message)
                head = message.get("headers", [])
                keep = message["status"] == 200 and not any(k.lower() == b"set-cookie" for k, _ in head)
            elif message["type"] == "http.response.body" and keep:
                body = message.get("body", b"")
                size += len(body)
                keep = size <= MAX_BODY
                chunks.append(body)
            await send(message)

        logged: list[str] = []
        token = audit.LOGGED.set(logged)
        try:
            await self.app(scope, receive, capture)
        finally:
            audit.LOGGED.reset(token)
        if keep and start and not logged:
            store.items[key] = (start["status"], list(start.get("headers", [])), b"".join(chunks))
