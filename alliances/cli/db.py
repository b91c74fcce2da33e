"""`alliances db upgrade|current`: schema migrations as a deployment step of their own.

In production the schema is migrated once, by the operator, before the web workers start; `serve` and
`init` still migrate on their own for the one-machine case.
"""

from __future__ import annotations

import typer

from alliances.cli.common import DbOption, console
from alliances.settings import load_settings
from alliances.store.db import Database, safe_url, schema_revisions, writable_check

db_app = typer.Typer(
    help="Database schema: apply migrations, show the current revision.", no_args_is_help=True
)


def _open(db: str | None) -> Database:
    return Database.open(load_settings(db=db).db)


@db_app.command("upgrade")
def upgrade(db: DbOption = None) -> None:
    """Apply every pending migration (creates the schema on an empty database; loads no data)."""
    database = _open(db)
    writable_check(database.url)
    before, head = schema_revisions(database)
    if before == head:
        console.print(f"{safe_url(database.url)}: already at {head}, nothing to do.")
        return
    database.upgrade()
    after, _ = schema_revisions(database)
    console.print(
        f"{safe_url(database.url)}: migrated from {before or 'an empty schema'} to {after}.", soft_wrap=True
    )
    database.dispose()


@db_app.command("current")
def current(db: DbOption = None) -> None:
    """Print the database's migration revision and whether it is the newest this version ships."""
    database = _open(db)
    now, head = schema_revisions(database)
    state = "up to date" if now == head else f"behind {head}: run `alliances db upgrade`"
    console.print(f"{now or 'empty (no schema)'} ({state})")
    database.dispose()
    if now != head:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add `db` to the main app."""
    app.add_typer(db_app, name="db")
