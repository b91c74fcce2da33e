"""The `alliances` command: a thin shell over the library; errors become one line and an exit code."""

from __future__ import annotations

import sys

import typer

from alliances.cli import extract, kb, recommend, web
from alliances.cli.common import err_console
from alliances.errors import AllianceError

app = typer.Typer(
    name="alliances",
    help="Alliance Observatory: alliances between health-industry and technology organisations.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

for module in (kb, extract, recommend, web):
    module.register(app)


def main() -> None:
    """Entry point: run the app, turning known errors into one line on stderr."""
    try:
        app(standalone_mode=False)
    except AllianceError as exc:
        err_console.print(f"[red]Error:[/red] {exc.message}", highlight=False, soft_wrap=True)
        sys.exit(exc.exit_code)
    except typer.Abort:
        err_console.print("Aborted.")
        sys.exit(130)
    except KeyboardInterrupt:
        err_console.print("Interrupted; nothing half-written was kept.")
        sys.exit(130)
    except Exception as exc:  # click usage errors and the like
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        if isinstance(exc, click.exceptions.Exit):
            sys.exit(exc.exit_code)
        raise
