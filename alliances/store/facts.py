"""A compact, read-only snapshot of the network for analytics and recommendation.

Graph algorithms want plain tuples, not ORM objects: one query per table, no lazy loading.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from alliances.store.models import Alliance, AllianceTag, Organisation, Party
from alliances.store.scale import inline_ids
from alliances.store.viewer import Viewer, hidden_organisations, non_public_mentions, visible


@dataclass(frozen=True)
class OrgFact:
    id: int
    name: str
    kind: str
    country: str | None
    parent_id: int | None


@dataclass(frozen=True)
class AllianceFact:
    id: int
    type: str
    status: str | None
    date: str | None
    year: int | None
    party_ids: tuple[int, ...]
    technologies: tuple[str, ...] = ()
    stages: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()
    origin: str = "user"


@dataclass
class Facts:
    organisations: dict[int, OrgFact] = field(default_factory=dict)
    alliances: list[AllianceFact] = field(default_factory=list)

    def top_parent(self, org_id: int) -> int:
        """The group an organisation belongs to (Verily -> Alphabet), cycle-safe."""
        seen = {org_id}
        current = self.organisations[org_id]
        while current.parent_id is not None and current.parent_id not in seen:
            seen.add(current.parent_id)
            current = self.organisations[current.parent_id]
        return current.id


def load_facts(session: Session, *, viewer: Viewer | None = None) -> Facts:
    """Every visible alliance with its parties and tags, and every organisation."""
    orgs = {
        row.id: OrgFact(row.id, row.name, row.kind, row.country, row.parent_id)
        for row in session.execute(
            select(
                Organisation.id,
                Organisation.name,
                Organisation.kind,
                Organisation.country,
                Organisation.parent_id,
            ).where(Organisation.id.not_in(hidden_organisations(viewer)))  # issue 13: no private-only names
        )
    }
    parties: dict[int, list[int]] = defaultdict(list)
    for alliance_id, org_id in session.execute(
        select(Party.alliance_id, Party.organisation_id).order_by(Party.alliance_id, Party.position)
    ):
        parties[alliance_id].append(org_id)
    tags: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for alliance_id, facet, value in session.execute(
        select(AllianceTag.alliance_id, AllianceTag.facet, AllianceTag.value)
    ):
        tags[alliance_id][facet].append(value)
    rows = session.execute(visible(select(*FACT_COLUMNS), Alliance, viewer).order_by(Alliance.id))
    return Facts(orgs, alliance_facts(rows, parties, tags))


FACT_COLUMNS = (
    Alliance.id,
    Alliance.type,
    Alliance.status,
    Alliance.announced,
    Alliance.year,
    Alliance.origin,
)


def alliance_facts(
    rows: Any, parties: dict[int, list[int]], tags: dict[int, dict[str, list[str]]] | None = None
) -> list[AllianceFact]:
    """Facts from rows of FACT_COLUMNS, their parties in order and (when read) their tags."""
    tags = tags or {}
    return [
        AllianceFact(
            id=row.id,
            type=row.type,
            status=row.status,
            date=row.announced,
            year=row.year,
            party_ids=tuple(parties.get(row.id, ())),
            technologies=tuple(sorted(tags[row.id]["technology"])) if row.id in tags else (),
            stages=tuple(sorted(tags[row.id]["stage"])) if row.id in tags else (),
            areas=tuple(sorted(tags[row.id]["area"])) if row.id in tags else (),
            origin=row.origin,
        )
        for row in rows
    ]


def family(session: Session, org_ids: Iterable[int]) -> set[int]:
    """The organisations with all their subsidiaries, at any depth (cycle-safe)."""
    found = set(org_ids)
    frontier = set(found)
    while frontier:
        stmt = select(Organisation.id).where(Organisation.parent_id.in_(sorted(frontier)))
        frontier = set(session.scalars(stmt)) - found
        found |= frontier
    return found


def _may_hide(session: Session, org_ids: set[int]) -> bool:
    """Whether some of these organisations could be hidden from a reader: only those a non-public
    alliance names can (`non_public_mentions`), so most parents skip the pass over every party."""
    named = non_public_mentions(session)
    return named is None or not named.isdisjoint(org_ids)


def load_facts_around(session: Session, org_ids: Iterable[int], *, viewer: Viewer | None = None) -> Facts:
    """What `load_facts` holds about these organisations: every visible alliance one of them is party to
    (in id order, with all its parties; tags left out), the organisations those name and their parents.

    A graph built from it has exactly the full graph's nodes, counts and ties for these organisations
    (issue 13, load: a profile's ego network no longer waits for the whole network after each write).
    """
    ids = sorted(set(org_ids))
    if not ids:
        return Facts()
    # Ids written into the statements (`inline_ids`): on PostgreSQL a bound parameter per partner cost
    # more CPU than the rows (issue 13, load: the ego network of each cold profile).
    around = select(Party.alliance_id).where(Party.organisation_id.in_(inline_ids(ids)))
    shown = visible(select(Alliance.id), Alliance, viewer).where(Alliance.id.in_(around))
    parties: dict[int, list[int]] = defaultdict(list)
    for alliance_id, org_id in session.execute(
        select(Party.alliance_id, Party.organisation_id)
        .where(Party.alliance_id.in_(shown))
        .order_by(Party.alliance_id, Party.position)
    ):
        parties[alliance_id].append(org_id)
    rows = session.execute(select(*FACT_COLUMNS).where(Alliance.id.in_(shown)).order_by(Alliance.id))
    alliances = alliance_facts(rows, parties)
    # The parties of a visible alliance are never hidden from its viewer; their parents may be.
    named = {org_id for members in parties.values() for org_id in members}
    organisations: dict[int, OrgFact] = {}
    wanted, asked, check = named, set(named), False
    while wanted:
        stmt = select(
            Organisation.id,
            Organisation.name,
            Organisation.kind,
            Organisation.country,
            Organisation.parent_id,
        ).where(Organisation.id.in_(inline_ids(sorted(wanted))))
        if check and _may_hide(session, wanted):
            stmt = stmt.where(Organisation.id.not_in(hidden_organisations(viewer)))
        for row in session.execute(stmt):
            organisations[row.id] = OrgFact(row.id, row.name, row.kind, row.country, row.parent_id)
        parents = {fact.parent_id for fact in organisations.values() if fact.parent_id is not None}
        wanted, check = parents - asked, True
        asked |= wanted
    return Facts(organisations, alliances)
