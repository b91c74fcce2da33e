"""The `alliances` command: a thin shell over the library; errors become one line and an exit code."""

from __future__ import annotations

import os
import sys

import click
import typer
from rich.text import Text

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


try:  # Typer 0.2x raises its bundled click's exceptions, which click.ClickException does not catch
    from typer._click.exceptions import ClickException as _TyperClickException

    _CLICK_ERRORS: tuple[type[click.ClickException], ...] = (click.ClickException, _TyperClickException)  # type: ignore[assignment]
except ImportError:  # pragma: no cover - older Typer uses click itself
    _CLICK_ERRORS = (click.ClickException,)


def main() -> None:
    """Entry point: run the app, turning known errors into one line on stderr."""
    try:
        code = app(standalone_mode=False)
    except AllianceError as exc:
        err_console.print(Text("Error: ", style="red") + Text(exc.message), soft_wrap=True)
        sys.exit(exc.exit_code)
    except typer.Abort:
        err_console.print("Aborted.")
        sys.exit(130)
    except KeyboardInterrupt:
        err_console.print("Interrupted; nothing half-written was kept.")
        sys.exit(130)
    except _CLICK_ERRORS as exc:  # usage errors: click's own one-line message, exit 2
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except Exception as exc:  # a bug: one line for the user, the traceback only on request
        if os.environ.get("ALLIANCES_DEBUG"):
            raise
        err_console.print(
            Text(f"Error: unexpected {type(exc).__name__}: {exc} (ALLIANCES_DEBUG=1 shows the traceback)")
        )
        sys.exit(1)
    # Without standalone mode click returns typer.Exit codes instead of exiting with them.
    sys.exit(code if isinstance(code, int) else 0)
