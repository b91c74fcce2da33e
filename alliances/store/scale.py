"""What keeps the store fast at a million alliances: covering indexes, and the network neighbourhood
read straight from the party table (two self-joins) instead of building the whole graph in memory.

The indexes are declared here against the tables of `models` (and created by migration 0008_scale) so that
the models and the migrations stay identical.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Index, func, select
from sqlalchemy.orm import Session, aliased

from alliances.schemas import Neighbour, Neighbourhood, NeighbourRef, SecondNeighbour
from alliances.store.models import Alliance, AllianceTag, Organisation, Party
from alliances.store.viewer import Viewer, visible

# Partners of an organisation without touching the party rows (profile, neighbourhood, party filter).
Index("ix_party_org_alliance", Party.organisation_id, Party.alliance_id)
# Alliances with a tag, answered from the index alone (matrix, filtered search).
Index("ix_alliance_tag_cover", AllianceTag.facet, AllianceTag.value, AllianceTag.alliance_id)
# Trends group by year and type.
Index("ix_alliance_year_type", Alliance.year, Alliance.type)


def _ties(viewer: Viewer | None) -> tuple[Any, Any, Any]:
    """(a, b, select of a.organisation_id, b.organisation_id pairs) over alliances the viewer may read."""
    a, b = aliased(Party), aliased(Party)
    stmt = select(a.organisation_id, b.organisation_id).join(b, b.alliance_id == a.alliance_id)
    if viewer is None or not viewer.is_admin:
        stmt = visible(stmt.join(Alliance, Alliance.id == a.alliance_id), Alliance, viewer)
    return a, b, stmt


def neighbourhood(
    session: Session, org_id: int, *, viewer: Viewer | None = None, limit: int = 50
) -> Neighbourhood:
    """An organisation's partners (1 hop) and their partners (2 hops), strongest first: the count of
    alliances for a partner, the count of paths through partners for a 2-hop organisation."""
    a, b, ties = _ties(viewer)
    first = session.execute(
        ties.with_only_columns(b.organisation_id, func.count())
        .where(a.organisation_id == org_id, b.organisation_id != org_id)
        .group_by(b.organisation_id)
    ).all()
    partner_ids = [i for i, _ in first]
    c, d, ties2 = _ties(viewer)
    hop2 = (
        ties2.where(
            c.organisation_id.in_(partner_ids),
            d.organisation_id != org_id,
            d.organisation_id.not_in(partner_ids),
        )
        if partner_ids
        else None
    )
    second: list[Any] = []
    total2 = 0
    if hop2 is not None:
        grouped = hop2.with_only_columns(d.organisation_id, func.count().label("paths")).group_by(
            d.organisation_id
        )
        total2 = session.scalar(select(func.count()).select_from(grouped.subquery())) or 0
        second = list(session.execute(grouped.order_by(func.count().desc(), d.organisation_id).limit(limit)))
    names = dict(
        session.execute(
            select(Organisation.id, Organisation.name).where(
                Organisation.id.in_([org_id, *partner_ids[:limit], *(i for i, _ in second)])
            )
        ).all()
    )
    top = sorted(first, key=lambda r: (-r[1], r[0]))[:limit]
    return Neighbourhood(
        organisation=NeighbourRef(id=org_id, name=names.get(org_id)),
        partners_total=len(first),
        partners=[Neighbour(id=i, name=names.get(i), alliances=int(n)) for i, n in top],
        second_total=int(total2),
        second=[SecondNeighbour(id=i, name=names.get(i), paths=int(n)) for i, n in second],
    )
