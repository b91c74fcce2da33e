"""The technology × value-chain matrix of the government study, computed from alliances and projects.

Rows are the eight technologies the study analysed, columns the five links of the value chain; a cell
counts the distinct records tagged with both. A record with two technologies and two stages counts in
four cells, as the study's table reads ("this use case touches these links").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

from sqlalchemy.orm import Session

from alliances.schemas import AllianceFilters, MatrixCell, MatrixPublic
from alliances.store.aggregates import alliance_cells, project_cells
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


class MatrixSource(StrEnum):
    """What the matrix counts."""

    alliances = "alliances"
    projects = "projects"
    both = "both"


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

    def public(self) -> MatrixPublic:
        """The matrix as the API and the pages show it: rows in study order and one record per cell."""
        return MatrixPublic(
            source=self.source,
            technologies=list(MATRIX_TECHNOLOGIES),
            stages=list(MATRIX_STAGES),
            rows=[[self.count(t, s) for s in MATRIX_STAGES] for t in MATRIX_TECHNOLOGIES],
            cells=[
                MatrixCell(
                    technology=t,
                    stage=s,
                    count=self.count(t, s),
                    alliances=self.alliances.get((t, s), 0),
                    projects=self.projects.get((t, s), 0),
                )
                for t, s in self.cells()
            ],
            max=self.max,
            records=self.records,
        )


def tech_stage_matrix(
    session: Session,
    filters: AllianceFilters,
    source: Source = "alliances",
    *,
    viewer: Viewer | None = None,
) -> Matrix:
    """Count alliances and/or projects per technology × stage, under the usual list filters."""
    alliances: dict[Cell, int] = {}
    projects: dict[Cell, int] = {}
    records = 0
    if source in ("alliances", "both"):
        alliances, n = alliance_cells(session, filters, viewer)
        records += n
    if source in ("projects", "both"):
        projects, n = project_cells(session, filters, viewer)
        records += n
    return Matrix(source, alliances, projects, records)
