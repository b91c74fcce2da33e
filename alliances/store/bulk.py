"""Bulk inserts of generated rows (the synthetic network): plain dictionaries, in large chunks.

The ORM's unit of work costs seconds per 10,000 alliances; `insert()` with lists of rows does not.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from alliances.store.models import Alliance, AllianceTag, Organisation, Party

CHUNK = 20_000
Rows = Sequence[Mapping[str, Any]]


def non_synthetic_counts(session: Session) -> tuple[int, int]:
    """(alliances, organisations) that are not synthetic: what synthetic data must not mix with."""
    alliances = session.scalar(
        select(func.count()).select_from(Alliance).where(Alliance.origin != "synthetic")
    )
    orgs = session.scalar(
        select(func.count()).select_from(Organisation).where(Organisation.origin != "synthetic")
    )
    return int(alliances or 0), int(orgs or 0)


def next_ids(session: Session) -> tuple[int, int]:
    """The first free organisation and alliance ids (generated rows carry their own ids)."""
    org = session.scalar(select(func.max(Organisation.id))) or 0
    alliance = session.scalar(select(func.max(Alliance.id))) or 0
    return int(org) + 1, int(alliance) + 1


def insert_network(session: Session, orgs: Rows, alliances: Rows, parties: Rows, tags: Rows) -> None:
    """Insert organisations, alliances, parties and tags, in that order, in chunks."""
    for model, rows in ((Organisation, orgs), (Alliance, alliances), (Party, parties), (AllianceTag, tags)):
        for lo in range(0, len(rows), CHUNK):
            session.execute(insert(model), list(rows[lo : lo + CHUNK]))
