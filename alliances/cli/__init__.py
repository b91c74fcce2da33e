"""The `alliances` command: a thin shell over the library; errors become one line and an exit code."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer
import typer.main
from rich.text import Text

from alliances.cli import admin, data, db, extract, kb, maturity, recommend, scale, web
from alliances.cli import health as health_cli
from alliances.cli.common import err_console
from alliances.cli.limits import bound_numbers
from alliances.errors import AllianceError

app = typer.Typer(
    name="alliances",
    help="Alliance Observatory: alliances between health-industry and technology organisations.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
)

for module in (kb, extract, recommend, web, data, maturity, admin, db, scale):
    module.register(app)
health_cli.register(app)  # issue 14


@app.callback()
def options(
    config: Annotated[
        Path | None,
        typer.Option("--config", help="TOML settings file (env ALLIANCES_CONFIG).", show_default=False),
    ] = None,
) -> None:
    """Alliance Observatory: alliances between health-industry and technology organisations."""
    if config is not None:  # read by alliances.settings.load_settings, below flags and the environment
        os.environ["ALLIANCES_CONFIG"] = str(config)


def main() -> None:
    """Entry point: Typer's standalone mode owns usage errors; ours become one line and an exit code.

    Typer 0.2x raises the exceptions of its bundled copy of click, so catching `click.ClickException`
    misses them: in standalone mode Typer prints click's usage message and exits 2 itself.
    """
    try:
        bound_numbers(typer.main.get_command(app))(prog_name="alliances")  # issue 13: no overflowing numbers
    except AllianceError as exc:
        err_console.print(Text("Error: ", style="red") + Text(exc.message), soft_wrap=True)
        sys.exit(exc.exit_code)
    except OverflowError:  # a number within 64 bits that a date or a duration still cannot hold (issue 13)
        err_console.print(
            Text("Error: ", style="red") + Text("a number given is out of range"), soft_wrap=True
        )
        sys.exit(2)
    except KeyboardInterrupt:
        err_console.print("Interrupted; nothing half-written was kept.")
        sys.exit(130)
    except Exception as exc:  # a bug: one line for the user, the traceback only on request
        if os.environ.get("ALLIANCES_DEBUG"):
            raise
        err_console.print(
            Text(f"Error: unexpected {type(exc).__name__}: {exc} (ALLIANCES_DEBUG=1 shows the traceback)")
        )
        sys.exit(1)
