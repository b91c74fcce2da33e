"""`alliances data check`: validate the bundled data or an import file before it reaches a database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from alliances.cli.common import console, err_console
from alliances.errors import InvalidInput
from alliances.store.bundle import check_bundled_data
from alliances.store.check import check_records, curated_index
from alliances.store.io import read_records
from alliances.taxonomy import load_data_file

data_app = typer.Typer(
    help="The data itself: checks of the bundle and of import files.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    app.add_typer(data_app, name="data")


@data_app.command("check")
def check_cmd(
    file: Annotated[
        Path | None, typer.Argument(help="A .jsonl, .json, .yaml or .csv file of alliances.")
    ] = None,
    bundle: Annotated[bool, typer.Option("--bundle", help="Check the bundled data instead.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print errors only, not warnings.")] = False,
) -> None:
    """One line per finding (file:line: field: message); exit 1 when there are errors, 0 otherwise."""
    if (file is None) == (not bundle):
        raise InvalidInput("give a FILE or --bundle (one of them)")
    if bundle:
        findings = check_bundled_data()
    else:
        assert file is not None
        records = list(read_records(file))
        findings = check_records(records, curated_index(load_data_file("organisations.yaml")))
    errors = [f for f in findings if f.level == "error"]
    for finding in findings:
        if finding.level == "error" or not quiet:
            console.print(finding.line(), soft_wrap=True)
    err_console.print(f"{len(errors)} error(s), {len(findings) - len(errors)} warning(s).")
    raise typer.Exit(1 if errors else 0)
