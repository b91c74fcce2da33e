"""Synthetic sources for a synthetic network: each states a few alliances, through an evidence row.

Kept apart from the writer so that the 1,000,000-alliance load gets its 500,000 sources (one source for
two alliances by default, as press releases often announce a pair) without changing the network itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypedDict


class SourceRow(TypedDict):
    """A `source` row as SQLAlchemy Core bulk-inserts it (column -> value)."""

    id: int
    title: str
    publisher: str
    key: str
    date: str | None


class EvidenceRow(TypedDict):
    """An `evidence` row linking one alliance to its source."""

    id: int
    source_id: int
    alliance_id: int
    quote: str


def source_rows(
    alliances: Sequence[Mapping[str, Any]], count: int, source_base: int, evidence_base: int
) -> tuple[list[SourceRow], list[EvidenceRow]]:
    """`count` sources spread evenly over `alliances` (rows as the writer builds them) and the evidence
    rows linking each alliance to its source."""
    if not alliances or count <= 0:
        return [], []
    count = min(count, len(alliances))
    sources: list[SourceRow] = [
        {
            "id": source_base + i,
            "title": f"Synthetic press release {source_base + i:07d}",
            "publisher": "synthetic",
            "key": f"syn-src-{source_base + i:07d}",
            "date": None,
        }
        for i in range(count)
    ]
    evidence: list[EvidenceRow] = []
    for j, alliance in enumerate(alliances):
        i = j * count // len(alliances)
        if sources[i]["date"] is None:
            sources[i]["date"] = alliance["announced"]
        evidence.append(
            {
                "id": evidence_base + j,
                "source_id": source_base + i,
                "alliance_id": alliance["id"],
                "quote": alliance["title"],
            }
        )
    return sources, evidence
