"""What every route shares: the session, the list parameters, the language, and page rendering.

Routes stay thin: parse with `list_filters`, call a store or analytics function, then `render` the
page or return the same dict as JSON.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from alliances.errors import NotFound
from alliances.store.filters import ALLIANCE_SORTS, Filters
from alliances.web.i18n import LANGS, Translator, negotiate

LANG_COOKIE = "alliances_lang"


def get_session(request: Request) -> Iterator[Session]:
    """One read transaction per request."""
    with request.app.state.db.session() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]

# Declared as plain strings so our own parser gives one clear 422 message, never FastAPI's.
Text = Annotated[str | None, Query()]


def list_params(
    q: Annotated[
        str | None, Query(description="Full-text search (titles, descriptions, parties, areas)")
    ] = None,
    type: Annotated[str | None, Query(description="Alliance type key, e.g. rd_collaboration")] = None,
    technology: Annotated[str | None, Query(description="Technology key, e.g. ai")] = None,
    stage: Annotated[str | None, Query(description="Value-chain stage key, e.g. research")] = None,
    status: Annotated[str | None, Query(description="announced, active or terminated")] = None,
    area: Annotated[str | None, Query(description="Therapeutic area, e.g. oncology or cancer")] = None,
    party: Annotated[str | None, Query(description="Organisation id or name (subsidiaries included)")] = None,
    kind: Annotated[str | None, Query(description="Organisation kind of a party, e.g. big_tech")] = None,
    country: Annotated[str | None, Query(description="Two-letter country code of a party")] = None,
    year_from: Annotated[str | None, Query(description="First year (inclusive)")] = None,
    year_to: Annotated[str | None, Query(description="Last year (inclusive)")] = None,
    sort: Annotated[str | None, Query(description="Field to sort by; prefix - for descending")] = None,
    page: Annotated[str | None, Query(description="Page number, from 1")] = None,
    per_page: Annotated[str | None, Query(description="Items per page (1-500)")] = None,
) -> dict[str, str | None]:
    """The query parameters shared by every list, page and API route (validated by Filters.parse)."""
    return {
        "q": q,
        "type": type,
        "technology": technology,
        "stage": stage,
        "status": status,
        "area": area,
        "party": party,
        "kind": kind,
        "country": country,
        "year_from": year_from,
        "year_to": year_to,
        "sort": sort,
        "page": page,
        "per_page": per_page,
    }


ListParams = Annotated[dict[str, str | None], Depends(list_params)]


def parse_filters(
    params: dict[str, str | None], sorts: tuple[str, ...] = ALLIANCE_SORTS, per_page: int | None = None
) -> Filters:
    """Filters from query parameters; a page's own default page size unless one was asked for."""
    values: dict[str, Any] = dict(params)
    if per_page is not None and not values.get("per_page"):
        values["per_page"] = per_page
    return Filters.parse(values, sorts)


def parse_id(value: str, what: str) -> int:
    """Path ids are declared as text so that `/alliances/abc` is a clean 404, not a validation error."""
    if not value.isdigit():
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


def filters_query(filters: Filters, **changes: Any) -> str:
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
