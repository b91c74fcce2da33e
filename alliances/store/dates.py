"""Partial dates (YYYY, YYYY-MM, YYYY-MM-DD) as stored: validated, never guessed."""

from __future__ import annotations

import re
from datetime import date

from alliances.errors import InvalidInput

_PARTIAL = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def check_partial_date(value: object, where: str = "date") -> str | None:
    """Return the date as a normalised string, or raise a one-line InvalidInput."""
    if value is None or value == "":
        return None
    text = str(value).strip()
    match = _PARTIAL.match(text)
    if not match:
        raise InvalidInput(f"{where}: {text!r} is not a date (expected YYYY, YYYY-MM or YYYY-MM-DD)")
    year, month, day = match.groups()
    try:
        date(int(year), int(month or 1), int(day or 1))
    except ValueError as exc:
        raise InvalidInput(f"{where}: {text!r} is an impossible date ({exc})") from exc
    if not 1900 <= int(year) <= 2100:
        raise InvalidInput(f"{where}: year {year} is out of range (1900-2100)")
    return text


def year_of(value: str | None) -> int | None:
    return int(value[:4]) if value else None
