"""The app factory: `create_app(settings)` builds a self-contained observatory web app.

No global state: the database, the analytics cache and the templates hang off `app.state`, so tests
build as many apps as they like, each on its own SQLite file. Every asset is served by the app itself.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from alliances import __version__
from alliances.analytics.network import NetworkCache
from alliances.settings import Settings, load_settings
from alliances.store.db import Database
from alliances.store.version import Memo
from alliances.web import errors, security, templating, turns
from alliances.web.head import HeadAsGet
from alliances.web.routes import (
    about,
    alliances,
    auth,
    matrix,
    maturity,
    network,
    organisations,
    overview,
    projects,
    recommend,
    review,
    site,
    trends,
)
from alliances.web.routes import health as health_routes
from alliances.web.warmup import warm_up

HERE = Path(__file__).resolve().parent


def create_app(settings: Settings | None = None, *, database: Database | None = None) -> FastAPI:
    """Build the app for `settings` (the database it reads is `settings.db` unless one is given)."""
    settings = settings or load_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        """Before the port opens: the costly analytics, so even the first visitor is served fast."""
        if settings.warm_up:
            await run_in_threadpool(warm_up, app)
        yield
        shared = app.state.response_cache.shared
        if shared is not None:
            shared.sweep(0)  # the answers of a stopped server are of no use to anyone

    app = FastAPI(
        lifespan=lifespan,
        title="Alliance Observatory",
        version=__version__,
        description="Alliances between health-industry and technology organisations: pages and JSON API.",
        docs_url=None,  # FastAPI's Swagger UI loads from a CDN; /docs is our own offline page
        redoc_url=None,
        openapi_url="/openapi.json",
        dependencies=[Depends(security.authenticate)],  # who is asking, on every route (issue 13)
    )
    app.state.settings = settings
    app.state.db = database or Database.open(settings.db)
    turns.install(app.state.db.engine)  # reads under way let a write go first (issue 13, load)
    app.state.network_cache = NetworkCache()  # facts, graphs and centralities per data version
    app.state.memo = Memo(size=256)  # analytics results per data version and filters
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templating.install(templates.env)
    app.state.templates = templates
    errors.install(app)
    security.install(app)
    for module in (
        site,
        overview,
        alliances,
        organisations,
        matrix,
        network,
        trends,
        projects,
        review,
        recommend,
        about,
        maturity,
        auth,
    ):
        app.include_router(module.router, responses=errors.ERROR_RESPONSES)
    app.include_router(health_routes.router, responses=errors.ERROR_RESPONSES)  # issue 14
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.add_middleware(HeadAsGet)  # issue 12: HEAD on every GET route
    return app
