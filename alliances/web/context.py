"""What every route shares: the session, the list parameters, the language, and page rendering.

Routes stay thin: take the filter model as their query model, call a store or analytics function, then
`render` the page or return the same record as JSON (checked against its response model).
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator
from typing import Annotated, Any, TypeVar
from urllib.parse import urlencode

import anyio.to_thread
from fastapi import Depends, Path, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from alliances.errors import NotFound
from alliances.schemas import MAX_ID, AllianceFilters, ListQuery, OrganisationFilters, ProjectFilters
from alliances.store.db import as_storage_error
from alliances.store.version import seed
from alliances.web.i18n import LANGS, Translator, negotiate

LANG_COOKIE = "alliances_lang"


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One transaction per request (begun with the stamps the response cache read just before).

    The session takes its connection at its first query, in the route's thread, and is ended on threads
    of its own (`enders`): ended on the request threads, a finished request waited in line for one while
    holding its connection, and under load (`bench/load.py --engine postgres`) every connection of a
    worker's pool was held by requests waiting for a thread while the threads waited for a connection.
    """
    db = request.app.state.db
    session = db.new_session()
    stamps = getattr(request.state, "stamps", None)
    if stamps:
        seed(session, stamps)
    try:
        yield session
    except BaseException as exc:
        await anyio.to_thread.run_sync(db.finish, session, False, limiter=enders())
        storage = as_storage_error(exc)
        if storage is None:
            raise
        raise storage from exc
    await anyio.to_thread.run_sync(db.finish, session, True, limiter=enders())


ENDER_THREADS = 4
_ENDERS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, anyio.CapacityLimiter] = (
    weakref.WeakKeyDictionary()
)


def enders() -> anyio.CapacityLimiter:
    """Threads that end request sessions (commit or roll back, then close). One per event loop."""
    loop = asyncio.get_running_loop()
    found = _ENDERS.get(loop)
    if found is None:
        found = _ENDERS[loop] = anyio.CapacityLimiter(ENDER_THREADS)
    return found


SessionDep = Annotated[Session, Depends(get_session)]

# The filter models of `alliances.schemas` are the query models: OpenAPI lists typed parameters with
# their vocabularies, and a bad value is a 422 in the error envelope naming the parameter.
AllianceQuery = Annotated[AllianceFilters, Query()]
ProjectQuery = Annotated[ProjectFilters, Query()]
OrganisationQuery = Annotated[OrganisationFilters, Query()]
Id = Annotated[int, Path(ge=1, le=MAX_ID, description="Numeric id")]

L = TypeVar("L", bound=ListQuery)


def page_size(filters: L, per_page: int) -> L:
    """A page's own default page size, unless the reader asked for one."""
    if "per_page" in filters.model_fields_set:
        return filters
    return filters.model_copy(update={"per_page": per_page})


def parse_id(value: str, what: str) -> int:
    """Path ids declared as text: no Unicode digits, no overflow, a clean 404 otherwise."""
    if not (value.isascii() and value.isdigit()) or len(value) > 18:
        raise NotFound(f"no {what} with id {value!r}")
    return int(value)


def request_lang(request: Request) -> str:
    return negotiate(
        request.query_params.get("lang"),
        request.cookies.get(LANG_COOKIE),
        request.headers.get("accept-language"),
        request.app.state.settings.lang,
    )


def query_url(request: Request, path: str | None = None, drop: tuple[str, ...] = (), **changes: Any) -> str:
    """The current URL (or `path`) with some query parameters changed, others kept."""
    params = {k: v for k, v in request.query_params.items() if k not in drop and k not in changes}
    params.update({k: v for k, v in changes.items() if v not in (None, "")})
    query = urlencode(params)
    return f"{path or request.url.path}{'?' + query if query else ''}"


def filters_query(filters: ListQuery, **changes: Any) -> str:
    """A query string of the non-default filters (for links that keep the current selection)."""
    params = {k: v for k, v in filters.as_params().items() if k != "origin"}
    params.update(changes)
    return urlencode({k: v for k, v in params.items() if v not in (None, "")})


def render(request: Request, template: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    """A server-rendered page in the reader's language; `?lang=` is remembered in a cookie."""
    lang = request_lang(request)
    t = Translator(lang)
    full = {
        "request": request,
        "t": t,
        "lang": lang,
        "langs": LANGS,
        "url": lambda path=None, **changes: query_url(request, path, **changes),
        **context,
    }
    response: HTMLResponse = request.app.state.templates.TemplateResponse(
        request, template, full, status_code=status_code
    )
    response.headers["Content-Language"] = lang
    if request.query_params.get("lang") in LANGS:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 24 * 3600, samesite="lax")
    return response
