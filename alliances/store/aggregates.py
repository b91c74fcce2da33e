"""Grouped counts over the alliances (and projects) a filter selects: what matrix and trends draw.

The selection is always `filter_alliances` / `project_ids`, so analytics count the same alliances as the
list; analytics modules shape these counts and hold no SQL. When the filters are dimensions of the
rollup (year range, type, status, or none; for trends also one technology or stage), public alliances are
counted from `store.rollup` and the private ones the viewer may read are added live; `rollup=False` forces
the live count everywhere.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql import Executable

from alliances.store.filters import AllianceFilters, filter_alliances
from alliances.store.models import Alliance, AllianceTag, Event, Organisation, Party, ProjectTag
from alliances.store.projects import project_ids
from alliances.store.rollup import PUBLIC, TAG_FILTERS, Rollup, has_rollup
from alliances.store.viewer import Viewer

Cell = tuple[str, str]
YearCounts = dict[tuple[int, str], int]
# Filters the rollup answers (its dimensions); paging and sorting do not change counts.
ROLLUP_FILTERS = frozenset({"type", "status", "year_from", "year_to", "page", "per_page", "sort"})
# Alliances carrying a tag are counted by the measure named after its facet (key: the tag's value).
TAGGED = {prefix: facet for facet, prefix in TAG_FILTERS.items()}


def _rollup_where(
    session: Session, filters: AllianceFilters, rollup: bool, also: frozenset[str] = frozenset()
) -> list[ColumnElement[bool]] | None:
    """Conditions on rollup rows equal to `filters`, or None when only the live count can answer."""
    if not rollup or any(v is not None for k, v in filters if k not in ROLLUP_FILTERS | also):
        return None
    if not has_rollup(session):
        return None
    conds: list[ColumnElement[bool]] = []
    if filters.type:
        conds.append(Rollup.type == filters.type)
    if filters.status:
        conds.append(Rollup.status == filters.status)
    if filters.year_from:
        conds.append(Rollup.year >= filters.year_from)
    if filters.year_to:  # undated alliances (year 0 here) never match a year bound
        conds += [Rollup.year >= 1, Rollup.year <= filters.year_to]
    return conds


def _private(session: Session, filters: AllianceFilters, viewer: Viewer | None) -> Select[Any] | None:
    """The matching non-public alliances the viewer may read (None for anonymous readers: none)."""
    if viewer is None or not (viewer.is_admin or viewer.organisation_ids):
        return None
    return alliance_selection(session, filters, viewer).where(Alliance.visibility != PUBLIC)


def _summed(session: Session, measure: str, conds: list[ColumnElement[bool]], *keys: Any) -> list[Any]:
    stmt = select(*keys, func.sum(Rollup.n)).where(Rollup.measure == measure, *conds).group_by(*keys)
    return list(session.execute(stmt))


def _add(a: dict[Any, int], b: dict[Any, int]) -> dict[Any, int]:
    out = dict(a)
    for k, n in b.items():
        out[k] = out.get(k, 0) + n
    return out


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
    session: Session, filters: AllianceFilters, viewer: Viewer | None, *, rollup: bool = True
) -> tuple[dict[Cell, int], int]:
    """(technology, stage) -> alliances tagged with both, and how many alliances matched."""
    conds = _rollup_where(session, filters, rollup)
    if conds is None:
        ids = alliance_selection(session, filters, viewer)
        return _cells(session, AllianceTag, AllianceTag.alliance_id, ids), _count(session, ids)
    cells = {(t, s): int(n) for t, s, n in _summed(session, "cell", conds, Rollup.key, Rollup.stage)}
    total = sum(int(n or 0) for (n,) in _summed(session, "alliances", conds))
    private = _private(session, filters, viewer)
    if private is not None:
        cells = _add(cells, _cells(session, AllianceTag, AllianceTag.alliance_id, private))
        total += _count(session, private)
    return cells, total


def project_cells(
    session: Session, filters: AllianceFilters, viewer: Viewer | None
) -> tuple[dict[Cell, int], int]:
    """The same for projects (filters that have no meaning for projects are ignored)."""
    ids = project_ids(session, filters, viewer)
    return _cells(session, ProjectTag, ProjectTag.project_id, ids), _count(session, ids)


def _grouped(session: Session, stmt: Executable) -> YearCounts:
    """(year, key) -> count from a grouped select of three columns."""
    return {(int(year), str(key)): int(n) for year, key, n in session.execute(stmt)}


def _tag_where(
    session: Session, filters: AllianceFilters, rollup: bool
) -> tuple[list[ColumnElement[bool]], str | None] | None:
    """Like `_rollup_where`, and also for one technology or stage filter: (conditions, the measure prefix
    of that tag filter, None without one). The tag's value is the rows' key."""
    tags = [(facet, getattr(filters, facet)) for facet in TAG_FILTERS if getattr(filters, facet)]
    if len(tags) > 1:
        return None
    conds = _rollup_where(session, filters, rollup, frozenset(facet for facet, _ in tags))
    if conds is None:
        return None
    if not tags:
        return conds, None
    facet, value = tags[0]
    return [*conds, Rollup.key == value], TAG_FILTERS[facet]


def yearly_counts(
    session: Session, filters: AllianceFilters, viewer: Viewer | None, *, rollup: bool = True
) -> tuple[YearCounts, YearCounts, YearCounts]:
    """Dated matching alliances per (year, type), (year, technology) and parties per (year, kind)."""
    found = _tag_where(session, filters, rollup)
    if found is None:
        return _yearly(session, alliance_selection(session, filters, viewer))
    conds, prefix = found
    dated = [*conds, Rollup.year >= 1]
    if prefix is None:
        by_type = _grouped(session, _summed_stmt("alliances", dated, Rollup.type))
        by_tech = _grouped(session, _summed_stmt("technology", dated, Rollup.key))
        by_kind = _grouped(session, _summed_stmt("kind", dated, Rollup.key))
    else:  # the series of the alliances carrying one tag
        by_type = _grouped(session, _summed_stmt(TAGGED[prefix], dated, Rollup.type))
        by_tech = _grouped(session, _summed_stmt(f"{prefix}.tech", dated, Rollup.stage))
        by_kind = _grouped(session, _summed_stmt(f"{prefix}.kind", dated, Rollup.stage))
    private = _private(session, filters, viewer)
    if private is None:
        return by_type, by_tech, by_kind
    more = _yearly(session, private)
    return _add(by_type, more[0]), _add(by_tech, more[1]), _add(by_kind, more[2])


def _summed_stmt(measure: str, conds: list[ColumnElement[bool]], key: Any) -> Select[Any]:
    return (
        select(Rollup.year, key, func.sum(Rollup.n))
        .where(Rollup.measure == measure, *conds)
        .group_by(Rollup.year, key)
    )


def _yearly(session: Session, ids: Select[Any]) -> tuple[YearCounts, YearCounts, YearCounts]:
    """The three yearly series, live, over the alliances of `ids`."""
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
    return _ended(session, alliance_selection(session, filters, viewer))


def _ended(session: Session, ids: Select[Any]) -> list[tuple[int, str | None]]:
    rows = list(
        session.execute(
            select(Alliance.id, Alliance.ended).where(Alliance.id.in_(ids), Alliance.status == "terminated")
        )
    )
    event_dates: dict[int, str] = defaultdict(str)
    missing = [i for i, ended in rows if not ended]
    if missing:
        for alliance_id, date in session.execute(
            select(Event.alliance_id, Event.date)
            .where(Event.alliance_id.in_(missing), Event.kind == "terminated")
            .order_by(Event.id)  # the first dated one, as the rollup reads it
        ):
            event_dates[alliance_id] = event_dates[alliance_id] or (date or "")
    return [(int(i), ended or event_dates.get(i) or None) for i, ended in rows]


def termination_counts(
    session: Session, filters: AllianceFilters, viewer: Viewer | None, *, rollup: bool = True
) -> tuple[dict[int, int], int]:
    """Matching terminated alliances per year of ending, and how many have no date at all."""
    found = _tag_where(session, filters, rollup)
    if found is None:
        return _by_end_year(termination_dates(session, filters, viewer))
    conds, prefix = found
    by_year: dict[int, int] = {}
    undated = 0
    measure, year_ended = ("ended", Rollup.key) if prefix is None else (f"{prefix}.ended", Rollup.stage)
    for key, n in _summed(session, measure, conds, year_ended):
        if key:
            by_year[int(key)] = by_year.get(int(key), 0) + int(n)
        else:
            undated += int(n)
    private = _private(session, filters, viewer)
    if private is not None:
        more, more_undated = _by_end_year(_ended(session, private))
        by_year, undated = _add(by_year, more), undated + more_undated
    return by_year, undated


def _by_end_year(ended: list[tuple[int, str | None]]) -> tuple[dict[int, int], int]:
    by_year: dict[int, int] = {}
    undated = 0
    for _id, date in ended:
        if date:
            by_year[int(date[:4])] = by_year.get(int(date[:4]), 0) + 1
        else:
            undated += 1
    return by_year, undated


def matching_count(session: Session, filters: AllianceFilters, viewer: Viewer | None) -> int | None:
    """How many alliances the list filters match, from the rollup (technology and stage filters
    included: they are keys of its measures), or None when only a live count can answer."""
    conds = _rollup_where(session, filters, True, frozenset({"technology", "stage"}))
    if conds is None:
        return None
    tech, stage = filters.technology, filters.stage
    if tech and stage:
        conds += [Rollup.key == tech, Rollup.stage == stage]
    elif tech or stage:
        conds.append(Rollup.key == (tech or stage))
    measure = "cell" if tech and stage else "technology" if tech else "stage" if stage else "alliances"
    total = sum(int(n or 0) for (n,) in _summed(session, measure, conds))
    private = _private(session, filters, viewer)
    return total + (_count(session, private) if private is not None else 0)
