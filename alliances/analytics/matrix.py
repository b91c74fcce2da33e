"""The technology × value-chain matrix of the government study, computed from alliances and projects.

Rows are the eight technologies the study analysed, columns the five links of the value chain; a cell
counts the distinct records tagged with both. A record with two technologies and two stages counts in
four cells, as the study's table reads ("this use case touches these links").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, aliased

from alliances.errors import InvalidInput
from alliances.store.filters import Filters
from alliances.store.models import Alliance, AllianceTag, ProjectTag
from alliances.store.projects import project_ids
from alliances.store.queries import filter_alliances
from alliances.store.viewer import Viewer
from alliances.taxonomy import load_data_file

# Axes in the order of the study (data: alliances/data/vocabulary.yaml, `matrix`).
MATRIX_TECHNOLOGIES: tuple[str, ...] = tuple(load_data_file("vocabulary.yaml")["matrix"]["technologies"])
MATRIX_STAGES: tuple[str, ...] = tuple(load_data_file("vocabulary.yaml")["matrix"]["stages"])
SOURCES: tuple[str, ...] = ("alliances", "projects", "both")
Source = Literal["alliances", "projects", "both"]
Cell = tuple[str, str]

# Filters that have no meaning for projects (projects carry no type, status or party kinds).
NOT_FOR_PROJECTS = ("type", "status", "kind", "country")


def check_source(value: str | None) -> Source:
    """Validate the `source` query parameter (alliances, projects or both)."""
    if value in (None, ""):
        return "alliances"
    if value not in SOURCES:
        raise InvalidInput(f"source must be one of {', '.join(SOURCES)}, not {value!r}")
    return value  # type: ignore[return-value]


@dataclass(frozen=True)
class Matrix:
    """Counts per (technology, stage) for alliances and projects, and how many records were in scope."""

    source: Source
    alliances: dict[Cell, int] = field(default_factory=dict)
    projects: dict[Cell, int] = field(default_factory=dict)
    records: int = 0

    def count(self, technology: str, stage: str) -> int:
        cell = (technology, stage)
        n = 0
        if self.source in ("alliances", "both"):
            n += self.alliances.get(cell, 0)
        if self.source in ("projects", "both"):
            n += self.projects.get(cell, 0)
        return n

    @property
    def max(self) -> int:
        return max((self.count(t, s) for t in MATRIX_TECHNOLOGIES for s in MATRIX_STAGES), default=0)

    def densest(self) -> Cell | None:
        """The cell with the highest count (first in study order on ties), None if all are empty."""
        best = max(((self.count(t, s), -i, (t, s)) for i, (t, s) in enumerate(self.cells())), default=None)
        return best[2] if best and best[0] > 0 else None

    def cells(self) -> list[Cell]:
        return [(t, s) for t in MATRIX_TECHNOLOGIES for s in MATRIX_STAGES]

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "technologies": list(MATRIX_TECHNOLOGIES),
            "stages": list(MATRIX_STAGES),
            "rows": [[self.count(t, s) for s in MATRIX_STAGES] for t in MATRIX_TECHNOLOGIES],
            "cells": [
                {
                    "technology": t,
                    "stage": s,
                    "count": self.count(t, s),
                    "alliances": self.alliances.get((t, s), 0),
                    "projects": self.projects.get((t, s), 0),
                }
                for t, s in self.cells()
            ],
            "max": self.max,
            "records": self.records,
        }


def tech_stage_matrix(
    session: Session, filters: Filters, source: Source = "alliances", *, viewer: Viewer | None = None
) -> Matrix:
    """Count alliances and/or projects per technology × stage, under the usual list filters."""
    alliances: dict[Cell, int] = {}
    projects: dict[Cell, int] = {}
    records = 0
    if source in ("alliances", "both"):
        ids = filter_alliances(session, select(Alliance.id), filters, viewer)
        alliances = _cells(session, AllianceTag, AllianceTag.alliance_id, ids)
        records += session.scalar(select(func.count()).select_from(ids.subquery())) or 0
    if source in ("projects", "both"):
        ids = project_ids(session, filters, viewer)
        projects = _cells(session, ProjectTag, ProjectTag.project_id, ids)
        records += session.scalar(select(func.count()).select_from(ids.subquery())) or 0
    return Matrix(source, alliances, projects, records)


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
    return {(t, s): n for t, s, n in session.execute(stmt)}
