"""Errors mapped once: a JSON envelope under /api, one HTML error page everywhere else.

Bad query parameters are a 422 with the validator's sentence; unknown ids a 404; anything unexpected
a 500 with a generic sentence (details go to the log, never to the reader).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from alliances.errors import AllianceError, InvalidInput
from alliances.schemas import ErrorEnvelope, problem_of

log = logging.getLogger("alliances.web")

JSON_PREFIXES = ("/api/", "/healthz", "/openapi.json")

# The error bodies every API route may answer with, as OpenAPI documents them (the real envelope).
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorEnvelope, "description": what}
    for status, what in (
        (400, "The request body cannot be read (not UTF-8 JSON or form data)"),
        (
            401,
            "Sign in or send a bearer token (writes, private data; every route when anonymous access is off)",
        ),
        (403, "Your account may not do this (role, organisation, or CSRF token)"),
        (404, "No such record"),
        (413, "Request body or query string too large"),
        (422, "A parameter is invalid: `error` names it"),
        (500, "Unexpected error"),
    )
}


def wants_json(request: Request) -> bool:
    return request.url.path.startswith(JSON_PREFIXES)


def error_response(request: Request, status: int, message: str) -> Response:
    if wants_json(request):
        body = ErrorEnvelope(error=message, status=status).model_dump()
        return JSONResponse(body, status_code=status)
    from alliances.web.context import render

    try:
        return render(request, "error.html", {"status": status, "message": message}, status_code=status)
    except Exception:  # the error page itself must never fail
        log.exception("error page failed")
        return JSONResponse({"ok": False, "error": message, "status": status}, status_code=status)


def install(app: FastAPI) -> None:
    """Register the handlers on the app (called once by the factory)."""

    @app.exception_handler(AllianceError)
    async def alliance_error(request: Request, exc: AllianceError) -> Response:
        status = 422 if isinstance(exc, InvalidInput) else exc.status
        return error_response(request, status, exc.message)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        return error_response(request, 422, problem_of(exc.errors()))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        messages = {404: "no page at this address", 405: "this address does not accept that method"}
        message = messages.get(exc.status_code, str(exc.detail))
        response = error_response(request, exc.status_code, message)
        for name, value in (exc.headers or {}).items():  # 405 says which methods it takes (Allow)
            response.headers[name] = value
        if exc.status_code == 405:  # Starlette names the first matching route's methods only (issue 13)
            response.headers["Allow"] = ", ".join(allowed_methods(request))
        return response

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s", request.url.path)
        return error_response(request, 500, "unexpected error; the details are in the server log")


def allowed_methods(request: Request) -> list[str]:
    """Every method some route of the app answers at this path (GET implies HEAD, as `HeadAsGet` does)."""
    methods: set[str] = set()
    routes: list[Any] = list(request.app.router.routes)
    while routes:
        route = routes.pop()
        if hasattr(route, "original_router"):  # an included router: its own routes
            routes += route.original_router.routes
        elif getattr(route, "methods", None) and route.path_regex.match(request.url.path):
            methods |= set(route.methods)
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods)
