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
import contextlib
import hashlib
import json
import os
import tempfile
import time
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
from cachetools import LRUCache
from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from alliances.auth.accounts import Resolved, from_grants, resolve
from alliances.auth.tokens import digest
from alliances.errors import AllianceError, Unauthorized
from alliances.store import audit
from alliances.store.lookup import look as quick_look
from alliances.store.rollup import HAVE_ROLLUP
from alliances.store.version import Versions, response_version, versions_of
from alliances.store.viewer import scope as visibility_scope

PREFIXES = (
    "/api/v1/alliances",
    "/api/v1/organisations",
    "/api/v1/matrix",
    "/api/v1/trends",
    "/api/v1/overview",
    "/api/v1/network",
    "/api/v1/projects",
    "/alliances",
    "/organisations",
    "/matrix",
    "/trends",
    "/overview",
    "/network",
    "/projects",
)
EXCLUDED = (".csv", ".jsonl", "/health", "/maturity")  # exports stream; private plans are audited anyway
MAX_BODY = 1_000_000  # bytes: larger answers are built each time
SIZE = 64_000_000  # bytes of bodies kept per app, least recently used dropped first
HIT = (b"x-cache", b"hit")  # on answers served from memory (the load bench counts them)
VARY = (b"host", b"accept", b"accept-language", b"cookie")


Entry = tuple[int, list[tuple[bytes, bytes]], bytes]  # status, headers, body
SHARED_SECONDS = 120  # answers older than this are removed from the shared folder now and then
SWEEP_EVERY = 500  # answers written between two sweeps


class SharedAnswers:
    """Answers kept in files that every worker process of a server reads (issue 13, load).

    Each uvicorn worker has its own memory: after a write, each built the same pages again. A page one
    worker built is now read by the others from a private folder in shared memory (/dev/shm where
    there is one), named by a hash of the full key, which holds the data version: no file is ever
    stale, old ones are only swept. Written whole then renamed, so a reader never sees half an answer.
    Across processes freshness rests on the data version and the audit log, as it did between workers.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.written = 0

    @classmethod
    def for_database(cls, url: str, settings: str = "") -> SharedAnswers | None:
        """The folder of the answers of servers on this database with these settings (workers of one
        server share both), for this user; None for a database in memory."""
        if ":memory:" in url or "mode=memory" in url or url.rstrip("/").endswith("sqlite:"):
            return None
        base = Path("/dev/shm") if os.access("/dev/shm", os.W_OK) else Path(tempfile.gettempdir())
        digest = hashlib.blake2b(f"{url}\n{settings}".encode(), digest_size=8).hexdigest()
        return cls(base / f"alliances-answers-{os.getuid()}-{digest}")

    def _path(self, key: Any) -> tuple[Path, bytes]:
        text = repr(key).encode()
        return self.folder / hashlib.blake2b(text, digest_size=16).hexdigest(), text

    def get(self, key: Any) -> Entry | None:
        path, text = self._path(key)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        head, _, body = data.partition(b"\n")
        try:
            meta = json.loads(head)
        except ValueError:
            return None
        if meta.get("key") != text.decode():
            return None  # another key with the same hash (never seen; checked all the same)
        headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in meta["headers"]]
        return int(meta["status"]), headers, body

    def put(self, key: Any, entry: Entry) -> None:
        path, text = self._path(key)
        status, headers, body = entry
        meta = {"key": text.decode(), "status": status}
        meta["headers"] = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in headers]
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=self.folder, delete=False, prefix=".") as out:
                out.write(json.dumps(meta).encode() + b"\n" + body)
            os.replace(out.name, path)
        except OSError:
            return  # a full or read-only folder: this worker's memory still serves
        self.written += 1
        if self.written % SWEEP_EVERY == 0:
            self.sweep()

    def sweep(self, seconds: float = SHARED_SECONDS) -> None:
        """Remove the answers (and any temporary file) older than `seconds`."""
        limit = time.time() - seconds
        with contextlib.suppress(OSError), os.scandir(self.folder) as found:
            for item in found:
                with contextlib.suppress(OSError):
                    if item.stat().st_mtime < limit:
                        os.unlink(item.path)
        if seconds <= 0:
            with contextlib.suppress(OSError):
                self.folder.rmdir()


@dataclass
class Store:
    """The cached responses of one app (on `app.state.response_cache`), and how often they served."""

    items: LRUCache[Any, Entry] = field(
        default_factory=lambda: LRUCache(maxsize=SIZE, getsizeof=lambda entry: len(entry[2]) + 200)
    )
    pending: dict[Any, asyncio.Event] = field(default_factory=dict)
    shared: SharedAnswers | None = None
    hits: int = 0
    misses: int = 0


LOOKUP_THREADS = 4
_LOOKUPS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, anyio.CapacityLimiter] = (
    weakref.WeakKeyDictionary()
)


def lookups() -> anyio.CapacityLimiter:
    """Threads of their own for the short lookup before each cached answer: in the app's pool they
    queued behind the requests being built after a write, so answers ready in memory waited for them
    (issue 13, load). One per event loop (a limiter belongs to its loop)."""
    loop = asyncio.get_running_loop()
    found = _LOOKUPS.get(loop)
    if found is None:
        found = _LOOKUPS[loop] = anyio.CapacityLimiter(LOOKUP_THREADS)
    return found


# Pages that read no evidence quote, no candidate and no source but an alliance's first one (a later
# quote never changes which): they are keyed by `Versions.lean`, which restating a known alliance keeps.
LEAN = {
    "/api/v1/alliances",
    "/alliances",
    "/api/v1/organisations",
    "/organisations",
    "/api/v1/matrix",
    "/matrix",
    "/api/v1/trends",
    "/trends",
    "/api/v1/network",
    "/network",
    "/api/v1/projects",  # projects are written through the audit log only: `OTHER` moves
    "/projects",
    "/healthz",  # the count of alliances the reader may see (the cache's own lookup proves the database)
}
LEAN_PROFILES = ("/api/v1/organisations/", "/organisations/")


def lean(scope: Scope) -> bool:
    """Whether a cached page is keyed by the lean version: one of `LEAN` or an organisation's profile,
    without a text search (the index holds evidence quotes and source titles)."""
    path: str = scope["path"]
    query: bytes = scope.get("query_string", b"")
    if any(part.partition(b"=")[0] == b"q" for part in query.split(b"&")):
        return False
    if path in LEAN:
        return True
    return any(path.startswith(p) and "/" not in path[len(p) :] for p in LEAN_PROFILES)


ALLIANCE_PAGES = ("/api/v1/alliances/", "/alliances/")


def alliance_of(scope: Scope) -> int | None:
    """The id of one alliance's page (API or HTML), by number: keyed by that alliance's own evidence,
    so a quote added to another alliance keeps it cached."""
    path: str = scope["path"]
    for prefix in ALLIANCE_PAGES:
        if path.startswith(prefix):
            rest = path[len(prefix) :]
            if rest.isascii() and rest.isdigit() and len(rest) <= 18:
                return int(rest)
    return None


def cacheable(scope: Scope) -> bool:
    if scope["type"] != "http":
        return False  # lifespan, websockets
    path: str = scope["path"]
    if scope["method"] != "GET":
        return False
    return path == "/healthz" or (path.startswith(PREFIXES) and not any(part in path for part in EXCLUDED))


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

        sqlite = app.state.db.engine.dialect.name == "sqlite"

        db = app.state.db
        alliance = alliance_of(scope)
        stamps: dict[str, Any] = {}

        def look() -> tuple[Versions, Resolved | None, int | None]:
            if db.engine in HAVE_ROLLUP:  # one transaction of statements built once (`store.lookup`)
                kind, secret = presented or ("", "")
                asked = digest(secret) if 0 < len(secret) <= 200 else None
                looked = quick_look(db.engine, asked, alliance)
                found = from_grants(looked.grants, kind) if asked and looked.grants else None
                return versions_of(stamps, looked, db.memo.commits), found, looked.evidence
            with db.session() as session:  # the first request, or a database before migration 0009
                found = resolve(session, presented[1], presented[0]) if presented else None
                return response_version(session), found, None

        try:
            if sqlite:  # a WAL reader never waits: a fraction of a millisecond, cheaper than a thread hop
                version, found, evidence = look()
            else:  # a server database may make it wait: never on the event loop
                version, found, evidence = await anyio.to_thread.run_sync(look, limiter=lookups())
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
        if evidence is not None:  # one alliance's page: what is lean, and that alliance's own quotes
            stamp: tuple[Any, ...] = (*version.lean, "evidence", evidence)
        else:
            stamp = version.lean if lean(scope) else version.full
        if stamps:
            scope.setdefault("state", {})["stamps"] = stamps  # for the route's session (`version.seed`)
        key = (
            stamp,
            version.commits,
            scope["path"],
            scope.get("query_string", b""),
            viewer.user_id if viewer else None,
            visibility_scope(viewer),
            tuple(headers.get(name, b"") for name in VARY),
        )
        shared = (stamp, *key[2:])  # without this process's own commit count
        waited = False
        while (entry := store.items.get(key)) is None and key in store.pending:
            waited = True
            await store.pending[key].wait()  # the same answer is being built: take it when it is done
        if entry is None and not waited and store.shared is not None:
            entry = store.shared.get(shared)  # built by another worker of this server
            if entry is not None:
                store.items[key] = entry
        if entry is not None:
            store.hits += 1
            status, head, body = entry
            await send({"type": "http.response.start", "status": status, "headers": [*head, HIT]})
            await send({"type": "http.response.body", "body": body})
            return
        store.misses += 1
        if waited:  # that answer could not be kept (an audited read...): build ours alongside the others
            await self._build(scope, receive, send, store, key, shared)
            return
        done = store.pending[key] = asyncio.Event()
        try:
            await self._build(scope, receive, send, store, key, shared)
        finally:
            store.pending.pop(key, None)
            done.set()

    async def _build(
        self, scope: Scope, receive: Receive, send: Send, store: Store, key: Any, shared: Any
    ) -> None:
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
            entry = store.items[key] = (start["status"], list(start.get("headers", [])), b"".join(chunks))
            if store.shared is not None:
                store.shared.put(shared, entry)
