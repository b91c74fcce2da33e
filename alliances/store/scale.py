"""What keeps the store fast at a million alliances: covering indexes, and the network neighbourhood
read straight from the party table (two self-joins) instead of building the whole graph in memory.

The indexes are declared here against the tables of `models` (and created by migration 0008_scale) so that
the models and the migrations stay identical.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BindParameter, Index, Select, bindparam, func, select, text
from sqlalchemy.orm import Session, aliased

from alliances.schemas import Neighbour, Neighbourhood, NeighbourRef, SecondNeighbour
from alliances.store.models import Alliance, AllianceTag, Organisation, Party
from alliances.store.rollup import PUBLIC
from alliances.store.viewer import Viewer, visible

# Partners of an organisation without touching the party rows (profile, neighbourhood, party filter).
Index("ix_party_org_alliance", Party.organisation_id, Party.alliance_id)
# Alliances with a tag, answered from the index alone (matrix, filtered search).
Index("ix_alliance_tag_cover", AllianceTag.facet, AllianceTag.value, AllianceTag.alliance_id)
# Trends group by year and type.
Index("ix_alliance_year_type", Alliance.year, Alliance.type)


# Party rows the second hop may read. A hub's partners hold 300,000 at a million alliances (seconds of
# work); 40,000, about 150 ms on either engine here, is the budget of a page. Spent on the strongest
# partners first; the result says through how many partners it went (`second_through`).
HOP2_BUDGET = 40_000


def _hidden(viewer: Viewer | None) -> Select[Any] | None:
    """Ids of the alliances the viewer may not read: a few non-public ones (partial index), so ties are
    filtered against a small set instead of looking up the alliance row of every tie."""
    if viewer is not None and viewer.is_admin:
        return None
    private = select(Alliance.id).where(Alliance.visibility != PUBLIC)
    return private.where(Alliance.id.not_in(visible(private, Alliance, viewer)))


def _ties(hidden: Select[Any] | None) -> tuple[Any, Any, Select[int, int]]:
    """(a, b, select of a.organisation_id, b.organisation_id pairs) over alliances the viewer may read."""
    a, b = aliased(Party), aliased(Party)
    stmt = select(a.organisation_id, b.organisation_id).join(b, b.alliance_id == a.alliance_id)
    if hidden is not None:
        stmt = stmt.where(a.alliance_id.not_in(hidden))
    return a, b, stmt


def _strongest(session: Session, ranked: list[tuple[int, int]]) -> int:
    """How many of the partners, strongest first, fit in the second hop's budget (at least one).

    Their ties are counted in growing slices, strongest first: a hub's 5,000 partners hold 300,000
    ties, of which the budget needs the first hundred partners' counts."""
    spent, start, size = 0, 0, 256
    while start < len(ranked):
        ids = [i for i, _ in ranked[start : start + size]]
        degree = dict(
            session.execute(
                select(Party.organisation_id, func.count())
                .where(Party.organisation_id.in_(inline_ids(ids)))
                .group_by(Party.organisation_id)
            ).all()
        )
        for n, partner in enumerate(ids, start):
            spent += degree.get(partner, 0)
            if n and spent > HOP2_BUDGET:
                return n
        start, size = start + size, size * 4
    return len(ranked)


# PostgreSQL's plan for the second hop: walk the indexes from the bounded set of ties. Its estimates
# (a partner's ties taken as the average, not a hub's) and random_page_cost = 4 pick a hash join over
# the whole party table for a hub instead: 400-800 ms against 200 ms (EXPLAIN ANALYZE, docs/scale.md).
_INDEX_WALK = ("enable_hashjoin", "enable_mergejoin", "max_parallel_workers_per_gather", "jit")


def _walk_indexes(session: Session, stmt: Select[Any]) -> list[Any]:
    """The rows of a statement whose work is bounded by construction, run as an index walk."""
    if session.get_bind().dialect.name != "postgresql":
        return list(session.execute(stmt))
    # One round trip each way (a statement under load waits 4-13 ms for a core, whatever it does).
    off = "; ".join(f"SET LOCAL {name} = {'0' if name.startswith('max') else 'off'}" for name in _INDEX_WALK)
    session.execute(text(off))
    rows = list(session.execute(stmt))
    session.execute(text("; ".join(f"RESET {name}" for name in _INDEX_WALK)))
    return rows


def inline_ids(ids: list[int]) -> BindParameter[Any]:
    """Integers written into the statement (`in_(inline_ids(ids))`): a hub's thousands of partners are
    more bound parameters than SQLite takes (32,766), and PostgreSQL plans from their real number."""
    return bindparam(None, ids, expanding=True, literal_execute=True)


def neighbourhood(
    session: Session, org_id: int, *, viewer: Viewer | None = None, limit: int = 50
) -> Neighbourhood:
    """An organisation's partners (1 hop) and their partners (2 hops), strongest first: the count of
    alliances for a partner, the count of paths through partners for a 2-hop organisation.

    The second hop goes through the strongest partners whose ties fit in `HOP2_BUDGET`: all of them but
    for hubs, where `second_truncated` is set and `second_total` counts what those partners reach.
    """
    hidden = _hidden(viewer)
    a, b, ties = _ties(hidden)
    partners = ties.with_only_columns(b.organisation_id).where(
        a.organisation_id == org_id, b.organisation_id != org_id
    )
    grouped = partners.add_columns(func.count()).group_by(b.organisation_id)
    ranked = sorted(((int(i), int(n)) for i, n in session.execute(grouped)), key=lambda r: (-r[1], r[0]))
    through = _strongest(session, ranked) if ranked else 0
    second: list[Any] = []
    if through:
        ids = [i for i, _ in ranked]  # lists, not subqueries: a subquery's cost is charged per tie
        c, d, ties2 = _ties(hidden)
        paths = func.count()
        second = _walk_indexes(
            session,
            ties2.with_only_columns(d.organisation_id, paths, func.count().over())
            .where(
                c.organisation_id.in_(inline_ids(ids[:through])),
                d.organisation_id != org_id,
                d.organisation_id.not_in(inline_ids(ids)),
            )
            .group_by(d.organisation_id)
            .order_by(paths.desc(), d.organisation_id)
            .limit(max(1, limit)),
        )
    total2 = int(second[0][2]) if second else 0
    second = second[:limit]
    top = ranked[:limit]
    names = dict(
        session.execute(
            select(Organisation.id, Organisation.name).where(
                Organisation.id.in_([org_id, *(i for i, _ in top), *(i for i, _, _ in second)])
            )
        ).all()
    )
    return Neighbourhood(
        organisation=NeighbourRef(id=org_id, name=names.get(org_id)),
        partners_total=len(ranked),
        partners=[Neighbour(id=i, name=names.get(i), alliances=n) for i, n in top],
        second_total=total2,
        second=[SecondNeighbour(id=i, name=names.get(i), paths=int(n)) for i, n, _ in second],
        second_through=through,
        second_truncated=through < len(ranked),
    )
