"""Every CLI command that takes an id, a number or an organisation refuses hostile values cleanly.

The commands are enumerated from the Typer app itself, so a new command is fuzzed as soon as it is
registered. Hostile values: an integer beyond 64 bits, Unicode digits that `int()` would accept or that
pass `isdigit()`, and a huge text. The answer is never a traceback nor "unexpected" (exit 1): numbers
are usage errors (exit 2), and any failure is one `Error:` line.
"""

from __future__ import annotations

import shutil
import signal
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import Any

import pytest
import typer.main

from alliances.cli import app
from alliances.cli.limits import NUMBERS

HUGE = "1" + "0" * 30
NUMBER_VALUES = [HUGE, f"-{HUGE}", "²", "٣"]
TEXT_VALUES = [*NUMBER_VALUES, "Ｓａｎｏｆｉ" * 20_000]
# Text parameters that name a record: an alliance, an organisation, a candidate, an assessment.
REFERENCES = {"alliance_id", "ref", "organisation", "party", "keep", "drop", "as_org", "org", "assessment"}
SECONDS = 30  # a command that does not refuse at once would run for real: stop it and fail


def commands(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    for name, sub in sorted((getattr(command, "commands", None) or {}).items()):
        yield from commands(sub, (*path, name))
    if not getattr(command, "commands", None):
        yield path, command


def is_number(param: Any) -> bool:
    return param.type_descriptor.annotation in NUMBERS


def targets() -> list[Any]:
    cases = []
    for path, command in commands(typer.main.get_command(app)):
        for param in command.params:
            if is_number(param):
                values = NUMBER_VALUES
            elif param.name in REFERENCES:
                values = TEXT_VALUES
            else:
                continue
            for i, value in enumerate(values):
                cases.append(pytest.param(path, param.name, value, id=f"{' '.join(path)}-{param.name}-{i}"))
    return cases


def filler(param: Any, folder: Path) -> str:
    """A plausible value for the other required parameters, so the hostile one is what gets judged."""
    if is_number(param):
        return "1"
    if param.name in ("out", "output", "folder"):
        return str(folder / "out")
    if param.name in ("email",):
        return "nobody@example.org"
    if param.name == "kind":
        return "plan"
    if param.name in REFERENCES:
        return "Sanofi"
    return str(folder / "missing.csv")


def argv(path: tuple[str, ...], target: str, value: str, db: str, folder: Path) -> list[str]:
    command = typer.main.get_command(app)
    for name in path:
        command = command.commands[name]
    args = list(path)
    for param in command.params:
        is_option = bool(param.opts) and param.opts[0].startswith("-")
        given = value if param.name == target else filler(param, folder) if param.required else None
        if param.name == "db":
            given = db
        if given is None:
            continue
        args += [param.opts[0], given] if is_option else [given]
    return args


@pytest.fixture(scope="module")
def fuzz_db(bundled_db_file: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("fuzz") / "observatory.db"
    shutil.copy(bundled_db_file, path)
    return f"sqlite:///{path}"


def _timeout(signum: int, frame: FrameType | None) -> None:
    raise TimeoutError(f"the command did not refuse within {SECONDS} s")


def test_every_numeric_and_reference_parameter_is_fuzzed() -> None:
    names = {(" ".join(c.values[0]), c.values[1]) for c in targets()}
    assert len(names) > 40
    assert {("show", "alliance_id"), ("review list", "limit"), ("tokens revoke", "token_id")} <= names


@pytest.mark.parametrize(("path", "target", "value"), targets())
def test_hostile_values_end_in_one_clear_line(
    cli: Any, fuzz_db: str, tmp_path: Path, path: tuple[str, ...], target: str, value: str
) -> None:
    previous = signal.signal(signal.SIGALRM, _timeout)
    signal.alarm(SECONDS)
    try:
        result = cli(*argv(path, target, value, fuzz_db, tmp_path))
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    said = result.out + result.err
    assert "Traceback" not in said and "unexpected" not in said, said[-500:]
    assert result.code != 1, said[-500:]
    command = typer.main.get_command(app)
    for name in path:
        command = command.commands[name]
    if is_number(next(p for p in command.params if p.name == target)):
        assert result.code == 2, said[-500:]  # "٣" is not taken as 3, 10^30 is not sent to SQLite
    if result.code != 0:
        errors = [line for line in result.err.splitlines() if line.startswith("Error")]
        assert len(errors) == 1, result.err[-500:]
