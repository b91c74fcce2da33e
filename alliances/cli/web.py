"""`alliances serve`: the README's main command. First run builds the database, then serves the web app."""

from __future__ import annotations

import errno
import os
import socket
from typing import Annotated, Any

import typer

from alliances.cli.common import DbOption, console, err_console
from alliances.errors import AllianceError
from alliances.settings import Settings, load_settings
from alliances.store.db import Database, safe_url, writable_check


def port_free(host: str, port: int) -> None:
    """Fail in one sentence when the port is taken, before uvicorn prints a traceback-like log."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise AllianceError(
                    f"port {port} on {host} is already in use: stop the other server or "
                    f"pass --port {port + 1}"
                ) from exc
            raise AllianceError(f"cannot listen on {host}:{port}: {exc.strerror}") from exc


def prepare_database(url: str) -> Database:
    """Open the database; on first run create it with the bundled data and say what was loaded."""
    writable_check(url)
    db = Database.open(url)
    if not db.is_initialised():
        from alliances.store.bundle import init_database

        console.print(f"First run: creating the observatory database at {safe_url(url)} …")
        counts = init_database(db)
        console.print("Loaded " + ", ".join(f"{n} {what}" for what, n in counts.items()) + ".")
    else:
        db.upgrade()  # a newer version of the package may bring migrations
    return db


def register(app: typer.Typer) -> None:
    """Add `serve` to the main app."""

    @app.command()
    def serve(
        db: DbOption = None,
        host: Annotated[
            str | None, typer.Option("--host", help="Address to listen on (default 127.0.0.1).")
        ] = None,
        port: Annotated[int | None, typer.Option("--port", help="Port to listen on (default 8000).")] = None,
        lang: Annotated[
            str | None, typer.Option("--lang", help="Default interface language: en or fr.")
        ] = None,
        workers: Annotated[
            int, typer.Option("--workers", min=1, help="Server processes sharing the port (PostgreSQL).")
        ] = 1,
    ) -> None:
        """Serve the observatory on localhost (creates the database with the bundled data on first run)."""
        import uvicorn

        from alliances.web import create_app

        settings = load_settings(db=db, host=host, port=port, lang=lang)
        port_free(settings.host, settings.port)
        database = prepare_database(settings.db)
        if workers > 1:
            serve_workers(settings, workers)
            return
        web_app = create_app(settings, database=database)  # its lifespan warms up before the port opens
        shown = "localhost" if settings.host in ("127.0.0.1", "::1") else settings.host
        console.print(
            f"Alliance Observatory at http://{shown}:{settings.port}/  (Ctrl+C to stop)", style="bold"
        )
        try:
            uvicorn.run(web_app, host=settings.host, port=settings.port, log_level="warning")
        except SystemExit as exc:  # uvicorn exits when it cannot bind (a race with another server)
            raise AllianceError(
                f"the server stopped: cannot listen on {settings.host}:{settings.port}"
            ) from exc
        err_console.print("Stopped.")


def worker_app() -> Any:
    """The app of one `serve --workers` process: settings from the ALLIANCES_* variables the parent set."""
    from alliances.web import create_app

    return create_app()  # its lifespan warms up before the worker takes requests


def serve_workers(settings: Settings, workers: int) -> None:
    """Run `workers` uvicorn processes on one port; each builds its app (and its connection pool)."""
    import uvicorn

    for name, value in (("db", settings.db), ("host", settings.host), ("port", settings.port)):
        os.environ[f"ALLIANCES_{name.upper()}"] = str(value)
    os.environ["ALLIANCES_LANG"] = settings.lang
    os.environ["ALLIANCES_ANONYMOUS"] = settings.anonymous
    shown = "localhost" if settings.host in ("127.0.0.1", "::1") else settings.host
    console.print(
        f"Alliance Observatory at http://{shown}:{settings.port}/  ({workers} workers; Ctrl+C to stop)",
        style="bold",
    )
    uvicorn.run(
        "alliances.cli.web:worker_app",
        factory=True,
        workers=workers,
        host=settings.host,
        port=settings.port,
        log_level="warning",
    )
    err_console.print("Stopped.")
