"""Write a synthetic network into a database with bulk inserts, every row marked synthetic.

Policy: synthetic data never mixes silently with real data. Writing into a database that holds any
non-synthetic organisation or alliance is refused unless `force=True`; names end with "(syn-NNNNNN)" and
every row has origin="synthetic", so such rows can always be told apart (and deleted) later.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from alliances.errors import InvalidInput
from alliances.store import rollup, search
from alliances.store.bulk import bulk_insert, next_id, next_ids, non_synthetic_counts
from alliances.store.models import Alliance, AllianceTag, Evidence, Organisation, Party, Source
from alliances.store.names import normalise
from alliances.synth import profile as P
from alliances.synth.generator import SynthNetwork
from alliances.synth.sources import source_rows


@dataclass(frozen=True)
class Written:
    organisations: int
    alliances: int
    parties: int
    tags: int
    sources: int = 0

    def to_dict(self) -> dict[str, int]:
        return {
            "organisations": self.organisations,
            "alliances": self.alliances,
            "parties": self.parties,
            "tags": self.tags,
            "sources": self.sources,
        }


def synthetic_name(org_id: int, kind: str) -> str:
    """A readable, unmistakably synthetic name: "Novaxis Pharma (syn-000042)"."""
    head = P.NAME_HEADS[org_id % len(P.NAME_HEADS)]
    tail = P.NAME_TAILS[(org_id // len(P.NAME_HEADS)) % len(P.NAME_TAILS)]
    return f"{head}{tail} {P.KIND_WORDS.get(kind, 'Group')} (syn-{org_id:06d})"


def check_target(session: Session, force: bool) -> None:
    """Refuse, in one line, to mix synthetic rows into a database that holds other data."""
    others, orgs = non_synthetic_counts(session)
    if (others or orgs) and not force:
        raise InvalidInput(
            f"the database holds {others} non-synthetic alliances and {orgs} organisations: "
            "use a fresh --db, or --force to add clearly marked synthetic data anyway"
        )


def write(
    session: Session, network: SynthNetwork, *, force: bool = False, sources: int | None = None
) -> Written:
    """Insert the organisations, alliances, parties and tags of `network` (one transaction), and
    `sources` sources (default: one for two alliances) with evidence; bulk inserts (COPY on PostgreSQL)."""
    check_target(session, force)
    org_base, alliance_base = next_ids(session)
    orgs: list[dict[str, Any]] = []
    for i, org in enumerate(network.organisations):
        name = synthetic_name(org_base + i, org.kind)
        orgs.append(
            {
                "id": org_base + i,
                "name": name,
                "norm": normalise(name),
                "kind": org.kind,
                "country": org.country,
                "origin": "synthetic",
            }
        )
    alliances: list[dict[str, Any]] = []
    parties: list[dict[str, Any]] = []
    tags: list[dict[str, Any]] = []
    for j, a in enumerate(network.alliances):
        aid = alliance_base + j
        first, second = (orgs[p]["name"] for p in a.parties[:2])
        alliances.append(
            {
                "id": aid,
                "type": a.type,
                "status": a.status,
                "year": a.year,
                "announced": f"{a.year}-{a.month:02d}",
                "title": f"{first} – {second}",
                "origin": "synthetic",
                "visibility": "public",
            }
        )
        parties += [
            {"alliance_id": aid, "organisation_id": org_base + p, "position": k, "role": "partner"}
            for k, p in enumerate(a.parties)
        ]
        tags += [
            {"alliance_id": aid, "facet": facet, "value": value}
            for facet, values in (("technology", a.technologies), ("stage", a.stages), ("area", a.areas))
            for value in values
        ]
    n_sources = len(alliances) // 2 if sources is None else sources
    srcs, evidence = source_rows(alliances, n_sources, next_id(session, Source), next_id(session, Evidence))
    for model, rows in (
        (Organisation, orgs),
        (Alliance, alliances),
        (Party, parties),
        (AllianceTag, tags),
        (Source, srcs),
        (Evidence, evidence),
    ):
        bulk_insert(session, model, rows)
    rollup.rebuild(session)  # bulk inserts bypass the write hooks: recount the pre-aggregates once
    search.reindex(session, [row["id"] for row in alliances])  # here, not in a reader's first search
    return Written(len(orgs), len(alliances), len(parties), len(tags), len(srcs))
