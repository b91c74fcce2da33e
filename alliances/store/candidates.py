"""Candidate alliances proposed by extraction: stored with their source, reviewed, then accepted as
alliances (parties resolved against the knowledge base, unknown ones created with a guessed kind)
or rejected. One function per action so the CLI and the web page share them.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from alliances.errors import Conflict, InvalidInput, NotFound
from alliances.store.models import Candidate, Evidence, Source
from alliances.store.resolve import Resolver
from alliances.store.restated import Restated, add_as_source, restated_key
from alliances.store.writes import add_alliance
from alliances.taxonomy import vocab

STATES = ("pending", "accepted", "rejected")
_KIND_CUES = [  # first match wins; the analyst corrects with `review edit` or --kind
    ("academic", r"\b(?:universit|institut|inserm|cnrs|école|school|college|laborator(?:y|ies) of)"),
    (
        "hospital",
        r"\b(?:hôpita|hospital|chu\b|clinic\b|clinique|medical cent|health system|ap-hp|cancer cent)",
    ),
    ("investor", r"\b(?:capital|ventures|partners|invest|fund|pension|bpifrance)"),
    ("insurer", r"\b(?:assurance|insurance|mutuelle|generali|axa)\b"),
    ("public_body", r"\b(?:ministère|ministry|agence|agency|authority|autorité|health data hub|nhs)\b"),
    ("pharma", r"\b(?:pharma|pharmaceutical|laboratoires?)\b"),
    ("biotech", r"\b(?:therapeutics|bio\w*|genomics|thérapeutiques)\b"),
    ("medtech", r"\b(?:medical|devices|medtech|diagnostics|imaging)\b"),
    ("startup", r"\b(?:health|santé|ai|labs?|analytics|digital)\b"),
    ("tech", r"\b(?:tech\w*|software|systems|cloud|data|robotics|computing)\b"),
]


def guess_kind(name: str) -> str:
    """A first guess of an organisation's kind from its name."""
    low = name.lower()
    return next((kind for kind, rx in _KIND_CUES if re.search(rx, low)), "other")


def source_by_hash(session: Session, content_hash: str) -> Source | None:
    return session.scalar(select(Source).where(Source.content_hash == content_hash))


def store_extraction(
    session: Session,
    *,
    content_hash: str,
    records: list[dict[str, Any]],
    spans: list[tuple[int, int]] | None = None,
    title: str | None = None,
    date: str | None = None,
    path: str | None = None,
    language: str | None = None,
    key: str | None = None,
) -> tuple[Source, list[Candidate]] | None:
    """Store one document's source and candidates; None if a document with this content is stored."""
    if source_by_hash(session, content_hash) is not None:
        return None
    if key and session.scalar(select(Source.id).where(Source.key == key)) is not None:
        key = f"{key}-{content_hash[:8]}"
    source = Source(title=title, date=date, path=path, language=language, content_hash=content_hash, key=key)
    session.add(source)
    session.flush()
    out: list[Candidate] = []
    for n, record in enumerate(records):
        rec = dict(record)
        if spans and n < len(spans):
            rec["evidence_start"], rec["evidence_end"] = spans[n]
        cand = Candidate(source_id=source.id, record=rec, confidence=rec.get("confidence"), state="pending")
        session.add(cand)
        out.append(cand)
    session.flush()
    return source, out


def _parties(record: dict[str, Any]) -> list[Any]:
    parties = record.get("parties") or []
    return list(parties) if isinstance(parties, list) else []


def _name(party: Any) -> str:
    return str(party.get("canonical") or party.get("name") or "") if isinstance(party, dict) else str(party)


def _row(c: Candidate, finder: Restated | None = None) -> dict[str, Any]:
    rec: dict[str, Any] = dict(c.record)
    restates = rec.get("restates")  # issue 11: an alliance already in the knowledge base
    if c.state == "pending" and finder is not None:
        restates = restated_key(finder, rec)
    parties = [_name(p) for p in _parties(rec)]
    return {
        "id": c.id,
        "state": c.state,
        "confidence": c.confidence,
        "type": rec.get("type"),
        "parties": parties,
        "date": rec.get("date"),
        "source": c.source.title or c.source.path or c.source.key,
        "evidence": rec.get("evidence"),
        "alliance_id": c.alliance_id,
        "restates": restates,
    }


def list_candidates(session: Session, *, state: str = "pending", limit: int = 50) -> list[dict[str, Any]]:
    """Candidates in a state ("all" for every one), most confident first."""
    if state not in (*STATES, "all"):
        raise InvalidInput(f"unknown state {state!r} (expected one of: {', '.join(STATES)}, all)")
    query = select(Candidate).order_by(Candidate.confidence.desc(), Candidate.id).limit(limit)
    if state != "all":
        query = query.where(Candidate.state == state)
    finder = Restated(session)
    return [_row(c, finder) for c in session.scalars(query)]


def get_candidate(session: Session, candidate_id: int) -> Candidate:
    cand = session.get(Candidate, candidate_id)
    if cand is None:
        raise NotFound(f"no candidate #{candidate_id}")
    return cand


def show_candidate(session: Session, candidate_id: int) -> dict[str, Any]:
    """One candidate with, for each party, the organisation it resolves to or the closest suggestions."""
    cand = get_candidate(session, candidate_id)
    resolver = Resolver(session)
    parties = []
    for p in _parties(dict(cand.record)):
        name = _name(p)
        match = resolver.resolve(name)
        parties.append(
            {
                "name": name,
                "organisation_id": match.organisation_id,
                "suggestions": [{"id": i, "name": n, "score": s} for i, n, s in match.suggestions],
                "kind_if_new": (p.get("kind") if isinstance(p, dict) else None) or guess_kind(name),
            }
        )
    return {**_row(cand, Restated(session, resolver)), "record": cand.record, "parties": parties}


def _pending(session: Session, candidate_id: int) -> Candidate:
    cand = get_candidate(session, candidate_id)
    if cand.state != "pending":
        raise Conflict(f"candidate #{candidate_id} is already {cand.state}")
    return cand


def accept_candidate(
    session: Session, candidate_id: int, *, kinds: dict[str, str] | None = None
) -> dict[str, Any]:
    """Turn a pending candidate into an alliance with its evidence; unknown parties become organisations."""
    cand = _pending(session, candidate_id)
    resolver = Resolver(session)
    record = dict(cand.record)
    if (existing := Restated(session, resolver).find(record)) is not None:
        return add_as_source(session, cand, existing)  # issue 11: a second source, not a second record
    parties, created = [], []
    for p in _parties(record):
        party = dict(p) if isinstance(p, dict) else {"name": str(p)}
        name = _name(party)
        if resolver.resolve(name).organisation_id is None:
            party["kind"] = (kinds or {}).get(name) or party.get("kind") or guess_kind(name)
            created.append(name)
        parties.append(party)
    record["parties"] = parties
    record.pop("confidence", None)
    alliance = add_alliance(
        session,
        record,
        origin="extracted",
        where=f"candidate #{candidate_id}",
        create_missing=True,
        resolver=resolver,
    )
    alliance.evidence.append(
        Evidence(
            source_id=cand.source_id,
            quote=record.get("evidence"),
            start=record.get("evidence_start"),
            end=record.get("evidence_end"),
        )
    )
    cand.state, cand.alliance_id, cand.decided = "accepted", alliance.id, datetime.now()
    session.flush()
    return {
        "alliance_id": alliance.id,
        "alliance_key": alliance.key,
        "created": created,
        "parties": [resolver.names[p.organisation_id] for p in alliance.parties],
    }


def reject_candidate(session: Session, candidate_id: int) -> None:
    cand = _pending(session, candidate_id)
    cand.state, cand.decided = "rejected", datetime.now()


_LISTS = ("technologies", "stages", "therapeutic_areas", "parties")


def edit_candidate(session: Session, candidate_id: int, changes: dict[str, Any]) -> dict[str, Any]:
    """Correct fields of a pending candidate (vocabularies checked); returns the new record."""
    cand = _pending(session, candidate_id)
    record = dict(cand.record)
    for field, raw in changes.items():
        value: Any = raw
        if field in _LISTS and isinstance(raw, str):
            value = [v.strip() for v in raw.split(",") if v.strip()]
        if field == "type":
            vocab("alliance_types").check(value, "type")
        elif field == "technologies":
            value = [vocab("technologies").check(v, "technologies") for v in value]
        elif field == "stages":
            value = [vocab("stages").check(v, "stages") for v in value]
        elif field == "status" and value:
            vocab("statuses").check(value, "status")
        elif field == "parties":
            if len(value) < 2:
                raise InvalidInput("parties: an alliance needs at least two parties")
            value = [{"name": v, "canonical": v} if isinstance(v, str) else v for v in value]
        elif field not in ("date", "vehicle", "evidence", "amount", "therapeutic_areas"):
            raise InvalidInput(
                f"cannot edit {field!r} (editable: type, technologies, stages, therapeutic_areas, "
                "parties, date, status, vehicle, evidence, amount)"
            )
        record[field] = value or None if field in ("date", "vehicle", "status") else value
    cand.record = record
    session.flush()
    return record
