"""Record references as users type them: `306`, `#306` or the key the product prints (`A000306`)."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from alliances.errors import NotFound
from alliances.store.models import Alliance

_GENERATED = re.compile(r"[Aa]0*([0-9]{1,18})")


def alliance_id(session: Session, ref: str | int) -> int:
    """The alliance id a reference names: an id, else a key (`A000306`, `W01`…); NotFound otherwise."""
    text = str(ref).strip().removeprefix("#")
    if text.isascii() and text.isdigit():  # "²" and "٣" are digits to Python, not ids
        if len(text) > 18:  # beyond 64-bit integers: no such id, and no overflow in SQL
            raise NotFound(f"no alliance with id or key {str(ref)!r}")
        return int(text)
    found = session.scalar(select(Alliance.id).where(Alliance.key == text))
    if found is None and (match := _GENERATED.fullmatch(text)):
        found = session.scalar(select(Alliance.id).where(Alliance.id == int(match.group(1))))
    if found is None:
        raise NotFound(f"no alliance with id or key {str(ref)!r}")
    return int(found)
