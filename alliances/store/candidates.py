"""Candidate alliances proposed by extraction: stored with their source, reviewed, then accepted as
alliances (parties resolved against the knowledge base, unknown ones created with a guessed kind)
or rejected. One function per action so the CLI and the web page share them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alliances.errors import Conflict, InvalidInput, NotFound
from alliances.schemas import (
    Accepted,
    Amount,
    CandidateParty,
    CandidatePublic,
    CandidateSummary,
    CandidateSummaryPage,
    Edited,
    PartySuggestion,
)
from alliances.store.dates import check_partial_date
from alliances.store.models import Candidate, Source
from alliances.store.resolve import Resolver
from alliances.store.restated import Restated, add_as_source, candidate_evidence, restated_key
from alliances.store.writes import add_alliance, amount_fields
from alliances.taxonomy import vocab
from alliances.taxonomy.areas import canonical_area

STATES = ("pending", "accepted", "rejected")
RUMOUR_CONFIDENCE = 0.3  # the bound docs/extraction.md promises for talks and hearsay
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
    records: Sequence[Mapping[str, Any]],
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


def source_label(source: Source) -> str:
    """A source as readers recognise it: its title and its file name ("Communiqué · sanofi-owkin.html")."""
    name = Path(source.path).name if source.path else None
    title = source.title if source.title and source.title != Path(name or "").stem else None
    return " · ".join(p for p in (title, name) if p) or source.url or source.key or f"source #{source.id}"


def _row(c: Candidate, finder: Restated | None = None) -> CandidateSummary:
    rec: dict[str, Any] = dict(c.record)
    restates = rec.get("restates")  # issue 11: an alliance already in the knowledge base
    if c.state == "pending" and finder is not None:
        restates = restated_key(finder, rec)
    parties = [_name(p) for p in _parties(rec)]
    return CandidateSummary(
        id=c.id,
        state=c.state,
        confidence=c.confidence,
        type=rec.get("type"),
        parties=parties,
        date=rec.get("date"),
        source=source_label(c.source),
        evidence=rec.get("evidence"),
        alliance_id=c.alliance_id,
        rumour=is_rumour(rec, c.confidence),
        restates=restates,
    )


def candidate_page(
    session: Session, *, state: str = "pending", page: int = 1, per_page: int = 50
) -> CandidateSummaryPage:
    """One page of candidates in a state ("all" for every one), most confident first, with the real
    total; a page past the end answers with the last page."""
    if state not in (*STATES, "all"):
        raise InvalidInput(f"unknown state {state!r} (expected one of: {', '.join(STATES)}, all)")
    if page < 1 or per_page < 1:
        raise InvalidInput("page and per_page must be 1 or more")
    count = select(func.count(Candidate.id))
    query = select(Candidate).order_by(Candidate.confidence.desc().nulls_last(), Candidate.id)
    if state != "all":
        count, query = count.where(Candidate.state == state), query.where(Candidate.state == state)
    total = session.scalar(count) or 0
    pages = max(1, -(-total // per_page))
    page = min(page, pages)
    rows = session.scalars(query.offset((page - 1) * per_page).limit(per_page))
    finder = Restated(session)
    items = [_row(c, finder) for c in rows]
    return CandidateSummaryPage(items=items, total=total, page=page, per_page=per_page, pages=pages)


def list_candidates(
    session: Session, *, state: str = "pending", limit: int = 50, page: int = 1
) -> list[CandidateSummary]:
    """Candidates in a state ("all" for every one), most confident first."""
    return candidate_page(session, state=state, page=page, per_page=limit).items


def get_candidate(session: Session, candidate_id: int) -> Candidate:
    cand = session.get(Candidate, candidate_id)
    if cand is None:
        raise NotFound(f"no candidate #{candidate_id}")
    return cand


def show_candidate(session: Session, candidate_id: int) -> CandidatePublic:
    """One candidate with, for each party, the organisation it resolves to or the closest suggestions."""
    cand = get_candidate(session, candidate_id)
    resolver = Resolver(session)
    parties = []
    for p in _parties(dict(cand.record)):
        name = _name(p)
        match = resolver.resolve(name)
        parties.append(
            CandidateParty(
                name=name,
                organisation_id=match.organisation_id,
                suggestions=[PartySuggestion(id=i, name=n, score=s) for i, n, s in match.suggestions],
                kind_if_new=(p.get("kind") if isinstance(p, dict) else None) or guess_kind(name),
            )
        )
    row = _row(cand, Restated(session, resolver)).model_dump(exclude={"parties"})
    return CandidatePublic(**row, record=dict(cand.record), parties=parties)


def _pending(session: Session, candidate_id: int) -> Candidate:
    cand = get_candidate(session, candidate_id)
    if cand.state != "pending":
        raise Conflict(f"candidate #{candidate_id} is already {cand.state}")
    return cand


def accept_candidate(session: Session, candidate_id: int, *, kinds: dict[str, str] | None = None) -> Accepted:
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
    alliance.evidence.append(candidate_evidence(cand))
    cand.state, cand.alliance_id, cand.decided = "accepted", alliance.id, datetime.now()
    session.flush()
    return Accepted(
        alliance_id=alliance.id,
        alliance_key=alliance.key or str(alliance.id),
        created=created,
        parties=[resolver.names[p.organisation_id] for p in alliance.parties],
    )


def reject_candidate(session: Session, candidate_id: int) -> None:
    cand = _pending(session, candidate_id)
    cand.state, cand.decided = "rejected", datetime.now()


_LISTS = ("technologies", "stages", "therapeutic_areas", "parties")
EDITABLE = (
    "type",
    "technologies",
    "stages",
    "therapeutic_areas",
    "parties",
    "date",
    "status",
    "vehicle",
    "evidence",
    "amount",
    "currency",
    "amount_kind",
)
_SCALE = {"k": 1e3, "m": 1e6, "mn": 1e6, "million": 1e6, "millions": 1e6, "md": 1e9, "mds": 1e9}
_SCALE |= {"bn": 1e9, "b": 1e9, "billion": 1e9, "milliard": 1e9, "milliards": 1e9}
_SIGNS = {"€": "EUR", "$": "USD", "£": "GBP", "¥": "JPY"}


def parse_amount(text: str) -> Amount | None:
    """ "230M EUR", "1.2bn $", "1 Md €", "1500000 USD" or a number: an amount object (value, currency)."""
    raw = text.strip()
    if not raw:
        return None
    currency = None
    for sign, code in _SIGNS.items():
        if sign in raw:
            raw, currency = raw.replace(sign, " "), code
    match = re.fullmatch(r"\s*([0-9][0-9 \u202f_]*(?:[.,][0-9]+)?)\s*([A-Za-z]*)\s*([A-Za-z]{3})?\s*", raw)
    if not match:
        raise InvalidInput(f"amount: {text!r} is not an amount (e.g. 230M EUR, 1.2bn USD, 1500000)")
    number, word, code = match.groups()
    scale = 1.0
    if word.lower() in _SCALE:
        scale = _SCALE[word.lower()]
    elif word and len(word) == 3 and code is None:
        code = word
    elif word:
        raise InvalidInput(f"amount: unknown magnitude {word!r} in {text!r} (use k, M, bn or Md)")
    value = float(re.sub(r"[ \u202f_]", "", number).replace(",", ".")) * scale
    return Amount(value=value, currency=(code or currency or "").upper() or None, kind="total")


def _json_object(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"amount: {text!r} is not valid JSON ({exc.msg})") from exc


def _check(field: str, raw: Any, record: dict[str, Any]) -> Any:
    """One edited field, validated and in the shape `add_alliance` will accept at acceptance."""
    value: Any = raw
    if field in _LISTS and isinstance(raw, str):
        value = [v.strip() for v in raw.split(",") if v.strip()]
    if field == "type":
        return vocab("alliance_types").check(value, "type")
    if field == "technologies":
        return [vocab("technologies").check(v, "technologies") for v in value]
    if field == "stages":
        return [vocab("stages").check(v, "stages") for v in value]
    if field == "therapeutic_areas":
        return [canonical_area(str(v)) for v in value if str(v).strip()]
    if field == "status":
        return vocab("statuses").check(value, "status") if value else None
    if field == "date":
        return check_partial_date(value, "date")
    if field == "parties":
        if len(value) < 2:
            raise InvalidInput("parties: an alliance needs at least two parties")
        return [{"name": v, "canonical": v} if isinstance(v, str) else v for v in value]
    if field == "amount":
        if isinstance(value, str) and value.strip().startswith("{"):
            value = _json_object(value)
        elif isinstance(value, str):
            value = parsed.model_dump() if (parsed := parse_amount(value)) else None
        if value in (None, {}):
            return None
        if isinstance(value, dict):  # unstated parts (currency, kind) keep their current value
            value = {**(record.get("amount") or {}), **{k: v for k, v in value.items() if v is not None}}
        number, currency, kind = amount_fields(value, "amount")
        return {"value": number, "currency": currency, "kind": kind}
    if field in ("currency", "amount_kind"):
        return value
    if field in ("vehicle", "evidence"):
        return str(value).strip() or None if value is not None else None
    raise InvalidInput(f"cannot edit {field!r} (editable: {', '.join(EDITABLE)})")


def edit_candidate(session: Session, candidate_id: int, changes: dict[str, Any]) -> Edited:
    """Correct fields of a pending candidate, every one validated first: all changes or none."""
    cand = _pending(session, candidate_id)
    record = dict(cand.record)
    for field in changes:
        if field not in EDITABLE:
            raise InvalidInput(f"cannot edit {field!r} (editable: {', '.join(EDITABLE)})")
    for field in EDITABLE:  # amount before currency so that "--amount 230M --currency EUR" composes
        if field in changes:
            record[field] = _check(field, changes[field], record)
    for field in ("currency", "amount_kind"):
        value = record.pop(field, None)
        if value not in (None, ""):
            if not record.get("amount"):
                raise InvalidInput(f"{field.replace('_', ' ')}: give an amount too (--amount)")
            key = "currency" if field == "currency" else "kind"
            record["amount"] = _check("amount", {key: value}, record)
    cand.record = record
    session.flush()
    return Edited(record=record)


def is_rumour(record: dict[str, Any], confidence: float | None) -> bool:
    """Talks and hearsay: extraction keeps them with no status and confidence at most 0.3."""
    if record.get("rumour"):
        return True
    return record.get("status") is None and confidence is not None and confidence <= RUMOUR_CONFIDENCE


def pending_count(session: Session) -> int:
    """Candidates waiting for review (an index count: reviews change it without changing the data)."""
    return (
        session.scalar(select(func.count()).select_from(Candidate).where(Candidate.state == "pending")) or 0
    )
