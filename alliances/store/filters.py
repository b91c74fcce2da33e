"""AllianceFilters (declared in `alliances.schemas`) turned into SQL: the only place a filter has a meaning.

Every list, page, API route, export, analytics and CLI command asks `alliance_ids` / `filter_alliances`,
so a filter counts the same alliances everywhere.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, or_, select
from sqlalchemy.orm import Session

from alliances.schemas import (
    ALLIANCE_SORTS,
    MAX_PER_PAGE,
    ORGANISATION_SORTS,
    PROJECT_SORTS,
    AllianceFilters,
    OrganisationFilters,
    ProjectFilters,
)
from alliances.store import search
from alliances.store.models import Alias, Alliance, AllianceTag, Organisation, Party
from alliances.store.names import normalise
from alliances.store.viewer import Viewer, visible
from alliances.taxonomy.areas import canonical_area

Filters = AllianceFilters  # the name older callers know

__all__ = [
    "ALLIANCE_SORTS",
    "MAX_PER_PAGE",
    "ORGANISATION_SORTS",
    "PROJECT_SORTS",
    "AllianceFilters",
    "Filters",
    "OrganisationFilters",
    "ProjectFilters",
    "filter_alliances",
    "party_org_ids",
]


def party_org_ids(session: Session, party: str) -> list[int]:
    """An id, or a name/alias (exact, else substring), with the subsidiaries of each match."""
    if party.isascii() and party.isdigit():  # "²" and "٣" are digits to Python, not ids
        roots = [int(party)] if len(party) <= 18 else []  # beyond 64-bit integers: no such id
    else:
        norm = normalise(party)
        roots = list(session.scalars(select(Organisation.id).where(Organisation.norm == norm)))
        roots += list(session.scalars(select(Alias.organisation_id).where(Alias.norm == norm)))
        if not roots:
            roots = list(session.scalars(select(Organisation.id).where(Organisation.norm.contains(norm))))
    ids = set(roots)
    frontier = set(roots)
    for _ in range(3):  # subsidiaries, down three levels
        if not frontier:
            break
        frontier = (
            set(session.scalars(select(Organisation.id).where(Organisation.parent_id.in_(frontier)))) - ids
        )
        ids |= frontier
    return sorted(ids)


def _tag(facet: str, value: str) -> ColumnElement[bool]:
    return exists().where(
        AllianceTag.alliance_id == Alliance.id, AllianceTag.facet == facet, AllianceTag.value == value
    )


def _area(text: str) -> ColumnElement[bool]:
    """Therapeutic areas are free text: "oncology" finds "immuno-oncology" too."""
    return exists().where(
        AllianceTag.alliance_id == Alliance.id,
        AllianceTag.facet == "area",
        AllianceTag.value.like(f"%{text.lower()}%"),
    )


def filter_alliances(
    session: Session, stmt: Select[Any], filters: AllianceFilters, viewer: Viewer | None
) -> Select[Any]:
    """`stmt` (a select over Alliance) restricted to what the viewer sees and the filters match."""
    stmt = visible(stmt, Alliance, viewer)
    if filters.type:
        stmt = stmt.where(Alliance.type == filters.type)
    if filters.status:
        stmt = stmt.where(Alliance.status == filters.status)
    if filters.origin:
        stmt = stmt.where(Alliance.origin == filters.origin)
    if filters.technology:
        stmt = stmt.where(_tag("technology", filters.technology))
    if filters.stage:
        stmt = stmt.where(_tag("stage", filters.stage))
    if filters.area:
        stmt = stmt.where(or_(_tag("area", canonical_area(filters.area)), _area(filters.area)))
    if filters.year_from:
        stmt = stmt.where(Alliance.year >= filters.year_from)
    if filters.year_to:
        stmt = stmt.where(Alliance.year <= filters.year_to)
    if filters.party:
        ids = party_org_ids(session, filters.party)
        stmt = stmt.where(exists().where(Party.alliance_id == Alliance.id, Party.organisation_id.in_(ids)))
    if filters.kind or filters.country:
        conds = [Party.alliance_id == Alliance.id, Organisation.id == Party.organisation_id]
        if filters.kind:
            conds.append(Organisation.kind == filters.kind)
        if filters.country:
            conds.append(Organisation.country == filters.country.upper())
        stmt = stmt.where(exists().where(and_(*conds)))
    if filters.q:
        stmt = stmt.where(search.alliance_clause(session, filters.q))
    return stmt
