"""Bulk inserts for loads of millions of rows: COPY on PostgreSQL, executemany on SQLite.

Rows are plain dicts with explicit ids, written inside the caller's transaction (all or nothing); the
ORM's unit of work costs seconds per 10,000 alliances, these do not. On PostgreSQL, COPY bypasses the id
sequences, so they are moved past the highest id afterwards.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from itertools import chain, islice
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from alliances.store.models import Alliance, Organisation

CHUNK = 20_000


def non_synthetic_counts(session: Session) -> tuple[int, int]:
    """(alliances, organisations) that are not synthetic: what synthetic data must not mix with."""
    alliances = session.scalar(
        select(func.count()).select_from(Alliance).where(Alliance.origin != "synthetic")
    )
    orgs = session.scalar(
        select(func.count()).select_from(Organisation).where(Organisation.origin != "synthetic")
    )
    return int(alliances or 0), int(orgs or 0)


def next_id(session: Session, model: Any) -> int:
    """The first free id of a table (generated rows carry their own ids)."""
    return int(session.scalar(select(func.max(model.id))) or 0) + 1


def next_ids(session: Session) -> tuple[int, int]:
    """The first free organisation and alliance ids."""
    return next_id(session, Organisation), next_id(session, Alliance)


def bulk_insert(
    session: Session, model: Any, rows: Iterable[Mapping[str, Any]], columns: Sequence[str] = ()
) -> int:
    """Insert `rows` (dicts keyed by column name) into `model`'s table; returns the number written."""
    it = iter(rows)
    first = next(it, None)
    if first is None:
        return 0
    cols = list(columns or first)
    if session.get_bind().dialect.name == "postgresql":
        return _copy(session, model.__table__.name, cols, first, it)
    n = 0
    chunk = [first]
    while chunk:
        session.execute(insert(model), chunk)
        n += len(chunk)
        chunk = list(islice(it, CHUNK))
    return n


def _copy(
    session: Session, table: str, cols: list[str], first: Mapping[str, Any], rest: Iterable[Mapping[str, Any]]
) -> int:
    raw = session.connection().connection.driver_connection  # the psycopg connection, same transaction
    assert raw is not None
    names = ", ".join(f'"{c}"' for c in cols)
    n = 0
    with raw.cursor() as cur, cur.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
        for row in chain([first], rest):
            copy.write_row([row.get(c) for c in cols])
            n += 1
    if "id" in cols:
        session.execute(
            text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM \"{table}\"))")
        )
    return n
