"""A cheap stamp of the data's state, so caches of derived analytics know when to recompute."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alliances.store.models import Alliance, AllianceTag, Organisation, Party


def data_version(session: Session) -> tuple[int, ...]:
    """Counts and highest ids of the tables the network and matrix are computed from.

    A few indexed aggregate queries (milliseconds on 100,000 alliances): any insert or delete of an
    alliance, party, tag or organisation, and any merge of organisations, changes the tuple.
    """
    stamp: list[int] = []
    for column in (Alliance.id, Party.id, Organisation.id):
        count, top = session.execute(select(func.count(column), func.max(column))).one()
        stamp += [count or 0, top or 0]
    stamp.append(session.scalar(select(func.count()).select_from(AllianceTag)) or 0)
    stamp.append(session.scalar(select(func.count(Organisation.parent_id))) or 0)
    return tuple(stamp)
