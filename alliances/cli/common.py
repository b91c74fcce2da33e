"""What every CLI command shares: the --db option, opening the database, printing JSON or tables."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from alliances.settings import load_settings
from alliances.store.db import Database, writable_check

# Markup off: organisation names and messages may contain [brackets] that must print as they are.
console = Console(markup=False, highlight=False)
err_console = Console(stderr=True, markup=False, highlight=False)

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="Database URL or SQLite file path (env ALLIANCES_DB).", show_default=False),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def open_database(db: str | None, *, require: bool = True, write: bool = False) -> Database:
    """Open the database named by --db, ALLIANCES_DB, the config file or the default path."""
    settings = load_settings(db=db)
    if write:
        writable_check(settings.db)
    database = Database.open(settings.db)
    return database.require() if require else database


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def print_table(rows: list[dict[str, Any]], columns: list[str], title: str | None = None) -> None:
    table = Table(title=title, header_style="bold")
    for col in columns:
        table.add_column(col.replace("_", " "))
    for row in rows:
        table.add_row(*[_cell(row.get(col)) for col in columns])
    console.print(table)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)
