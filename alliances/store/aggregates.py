"""Grouped counts over the alliances (and projects) a filter selects: what matrix and trends draw.

The selection is always `filter_alliances` / `project_ids`, so analytics count the same alliances as the
list; analytics modules shape these counts and hold no SQL.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql import Executable

from alliances.store.filters import AllianceFilters, filter_alliances
from alliances.store.models import Alliance, AllianceTag, Event, Organisation, Party, ProjectTag
from alliances.store.projects import project_ids
from alliances.store.viewer import Viewer

Cell = tuple[str, str]
YearCounts = dict[tuple[int, str], int]


def alliance_selection(session: Session, filters: AllianceFilters, viewer: Viewer | None) -> Select[Any]:
    """The ids of the matching alliances, as a subquery the grouped counts run over."""
    return filter_alliances(session, select(Alliance.id), filters, viewer)


def _cells(session: Session, tag_model: Any, id_column: Any, ids: Select[Any]) -> dict[Cell, int]:
    """One grouped self-join of the tag table: technology tag × stage tag of the same record."""
    tech = aliased(tag_model)
    stage = aliased(tag_model)
    tech_id = getattr(tech, id_column.key)
    stage_id = getattr(stage, id_column.key)
    stmt = (
        select(tech.value, stage.value, func.count())
        .join(stage, (stage_id == tech_id) & (stage.facet == "stage"))
        .where(tech.facet == "technology", tech_id.in_(ids))
        .group_by(tech.value, stage.value)
    )
    return {(t, s): int(n) for t, s, n in session.execute(stmt)}


def _count(session: Session, ids: Select[Any]) -> int:
    return int(session.scalar(select(func.count()).select_from(ids.subquery())) or 0)


def alliance_cells(
    session: Session, filters: AllianceFilters, viewer: Viewer | None
) -> tuple[dict[Cell, int], int]:
    """(technology, stage) -> alliances tagged with both, and how many alliances matched."""
    ids = alliance_selection(session, filters, viewer)
    return _cells(session, AllianceTag, AllianceTag.alliance_id, ids), _count(session, ids)


def project_cells(
    session: Session, filters: AllianceFilters, viewer: Viewer | None
) -> tuple[dict[Cell, int], int]:
    """The same for projects (filters that have no meaning for projects are ignored)."""
    ids = project_ids(session, filters, viewer)
    return _cells(session, ProjectTag, ProjectTag.project_id, ids), _count(session, ids)


def _grouped(session: Session, stmt: Executable) -> YearCounts:
    """(year, key) -> count from a grouped select of three columns."""
    return {(int(year), str(key)): int(n) for year, key, n in session.execute(stmt)}


def yearly_counts(
    session: Session, filters: AllianceFilters, viewer: Viewer | None
) -> tuple[YearCounts, YearCounts, YearCounts]:
    """Dated matching alliances per (year, type), (year, technology) and parties per (year, kind)."""
    ids = alliance_selection(session, filters, viewer)
    dated = (Alliance.id.in_(ids), Alliance.year.is_not(None))
    by_type = _grouped(
        session,
        select(Alliance.year, Alliance.type, func.count(Alliance.id))
        .where(*dated)
        .group_by(Alliance.year, Alliance.type),
    )
    by_tech = _grouped(
        session,
        select(Alliance.year, AllianceTag.value, func.count(Alliance.id))
        .join(AllianceTag, (AllianceTag.alliance_id == Alliance.id) & (AllianceTag.facet == "technology"))
        .where(*dated)
        .group_by(Alliance.year, AllianceTag.value),
    )
    by_kind = _grouped(
        session,
        select(Alliance.year, Organisation.kind, func.count(Party.id))
        .join(Party, Party.alliance_id == Alliance.id)
        .join(Organisation, Organisation.id == Party.organisation_id)
        .where(*dated)
        .group_by(Alliance.year, Organisation.kind),
    )
    return by_type, by_tech, by_kind


def termination_dates(
    session: Session, filters: AllianceFilters, viewer: Viewer | None
) -> list[tuple[int, str | None]]:
    """(id, date ended) of every matching terminated alliance: `ended`, else a `terminated` event."""
    ids = alliance_selection(session, filters, viewer)
    rows = list(
        session.execute(
            select(Alliance.id, Alliance.ended).where(Alliance.id.in_(ids), Alliance.status == "terminated")
        )
    )
    event_dates: dict[int, str] = defaultdict(str)
    missing = [i for i, ended in rows if not ended]
    if missing:
        for alliance_id, date in session.execute(
            select(Event.alliance_id, Event.date).where(
                Event.alliance_id.in_(missing), Event.kind == "terminated"
            )
        ):
            event_dates[alliance_id] = event_dates[alliance_id] or (date or "")
    return [(int(i), ended or event_dates.get(i) or None) for i, ended in rows]
