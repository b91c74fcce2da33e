"""The app factory: `create_app(settings)` builds a self-contained observatory web app.

No global state: the database, the analytics cache and the templates hang off `app.state`, so tests
build as many apps as they like, each on its own SQLite file. Every asset is served by the app itself.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from alliances import __version__
from alliances.analytics.network import NetworkCache
from alliances.settings import Settings, load_settings
from alliances.store.db import Database
from alliances.store.version import Memo
from alliances.web import errors, templating
from alliances.web.head import HeadAsGet
from alliances.web.routes import (
    alliances,
    matrix,
    network,
    organisations,
    overview,
    projects,
    recommend,
    review,
    site,
    trends,
)

HERE = Path(__file__).resolve().parent


def create_app(settings: Settings | None = None, *, database: Database | None = None) -> FastAPI:
    """Build the app for `settings` (the database it reads is `settings.db` unless one is given)."""
    settings = settings or load_settings()
    app = FastAPI(
        title="Alliance Observatory",
        version=__version__,
        description="Alliances between health-industry and technology organisations: pages and JSON API.",
        docs_url=None,  # FastAPI's Swagger UI loads from a CDN; /docs is our own offline page
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.settings = settings
    app.state.db = database or Database.open(settings.db)
    app.state.network_cache = NetworkCache()
    app.state.memo = Memo()  # analytics results per data version
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templating.install(templates.env)
    app.state.templates = templates
    errors.install(app)
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
    ):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.add_middleware(HeadAsGet)  # issue 12: HEAD on every GET route
    return app
