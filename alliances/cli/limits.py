"""Numbers on the command line stay within what the database can hold (issue 13, fuzzed CLI).

Typer turns `--limit 1000000000000000000000000000000` into a Python int that SQLite then refuses with an
OverflowError deep in a query. Every integer and float parameter of every command is checked once here,
at the edge, so such a value is a usage error (exit 2, one line) before any command runs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from typer._click.exceptions import BadParameter

from alliances.schemas import MAX_ID

Callback = Callable[[Any, Any, Any], Any]
NUMBERS = (int, float, int | None, float | None, list[int], list[float])


def bound_numbers(command: Any) -> Any:
    """Check the numeric parameters of this command and of all its subcommands; returns the command."""
    for sub in (getattr(command, "commands", None) or {}).values():
        bound_numbers(sub)
    for param in command.params:
        descriptor = getattr(param, "type_descriptor", None)
        if descriptor is not None and descriptor.annotation in NUMBERS:
            param.callback = _checked(param.callback)
    return command


def _checked(callback: Callback | None) -> Callback:
    def check(ctx: Any, param: Any, value: Any) -> Any:
        for number in value if isinstance(value, list | tuple) else [value]:
            if isinstance(number, int | float) and not -MAX_ID <= number <= MAX_ID:
                message = f"{param.name} must be between {-MAX_ID} and {MAX_ID}, not {number:.3g}"
                raise BadParameter(message, ctx=ctx, param=param)
        return callback(ctx, param, value) if callback is not None else value

    return check
