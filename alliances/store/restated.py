"""Candidates that restate an alliance already in the knowledge base.

Extraction keeps finding alliances the observatory already holds (a second press release, a follow-up
article). Such a candidate should become a second source of the existing alliance, not a duplicate: it
restates an alliance when its parties resolve to the same organisations once subsidiaries are rolled up
to their top parent (Verily → Alphabet), the types are compatible (equal, or one missing or "other") and
the dates are within a year of each other (or one is missing). Only public alliances are considered, so
that no reviewer learns of a private record through the queue.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from alliances.schemas import Accepted
from alliances.store.models import Alliance, Candidate, Evidence, Organisation, Party
from alliances.store.resolve import Resolver

MAX_DAYS = 366  # "within a year"
LOOSE_TYPES = (None, "", "other")  # a type that says nothing is compatible with every type


def _name(party: Any) -> str:
    return str(party.get("canonical") or party.get("name") or "") if isinstance(party, dict) else str(party)


def _day(text: str | None) -> tuple[date, bool] | None:
    """A date string (YYYY, YYYY-MM or YYYY-MM-DD) as its first day, and whether it was only a year."""
    if not text:
        return None
    parts = str(text)[:10].split("-")
    try:
        nums = [int(p) for p in parts]
        return date(nums[0], nums[1] if len(nums) > 1 else 1, nums[2] if len(nums) > 2 else 1), len(nums) == 1
    except (ValueError, IndexError):
        return None


def dates_close(a: str | None, b: str | None) -> bool:
    """Within a year of each other; a missing or unreadable date is compatible with any date."""
    da, db = _day(a), _day(b)
    if da is None or db is None:
        return True
    if da[1] or db[1]:  # a bare year: compare years
        return abs(da[0].year - db[0].year) <= 1
    return abs((da[0] - db[0]).days) <= MAX_DAYS


def types_compatible(a: str | None, b: str | None) -> bool:
    return a == b or a in LOOSE_TYPES or b in LOOSE_TYPES


def _root(parent: dict[int, int | None], org_id: int) -> int:
    seen = {org_id}
    while (up := parent.get(org_id)) is not None and up not in seen:
        seen.add(up)
        org_id = up
    return org_id


def _families(session: Session) -> tuple[dict[int, int | None], dict[int, list[int]]]:
    """Each organisation's parent, and each top parent's organisations (itself included)."""
    parent = {org: up for org, up in session.execute(select(Organisation.id, Organisation.parent_id))}
    family: dict[int, list[int]] = {}
    for org_id in parent:
        family.setdefault(_root(parent, org_id), []).append(org_id)
    return parent, family


class Restated:
    """Finds the alliance a record restates; built once per listing (it indexes names and parents)."""

    def __init__(self, session: Session, resolver: Resolver | None = None) -> None:
        self.session = session
        self.resolver = resolver or Resolver(session)
        from alliances.store.version import kept_while_clean

        # Kept per lean version: walking every organisation up to its top parent on each accept was a
        # quarter of an accept's CPU (issue 13, `bench/load.py --engine postgres`).
        self.parent, self.family = kept_while_clean(session, ("org_families",), lambda: _families(session))

    def root(self, org_id: int) -> int:
        """The top parent of an organisation (cycles stop where they loop)."""
        return _root(self.parent, org_id)

    def find(self, record: dict[str, Any]) -> Alliance | None:
        """The existing public alliance this record restates, the closest in date first; else None."""
        parties = record.get("parties") or []
        ids = [self.resolver.exact(_name(p)) for p in parties if _name(p)]
        if len(ids) < 2 or any(i is None for i in ids):
            return None
        roots = {self.root(i) for i in ids if i is not None}
        if len(roots) < 2:
            return None
        family = [o for r in roots for o in self.family.get(r, [r])]
        rows = self.session.execute(
            select(Party.alliance_id, Party.organisation_id).where(
                Party.alliance_id.in_(select(Party.alliance_id).where(Party.organisation_id.in_(family)))
            )
        )
        members: dict[int, set[int]] = {}
        for alliance_id, org_id in rows:
            members.setdefault(alliance_id, set()).add(self.root(org_id))
        same = [a for a, r in members.items() if r == roots]
        if not same:
            return None
        found = [
            a
            for a in self.session.scalars(
                select(Alliance).where(Alliance.id.in_(same), Alliance.visibility == "public")
            )
            if types_compatible(record.get("type"), a.type)
            and dates_close(record.get("date"), a.announced or (str(a.year) if a.year else None))
        ]
        target = _day(record.get("date"))

        def distance(a: Alliance) -> tuple[int, int]:
            day = _day(a.announced or (str(a.year) if a.year else None))
            gap = abs((day[0] - target[0]).days) if day and target else MAX_DAYS
            return gap, a.id

        return min(found, key=distance) if found else None


def restated_key(finder: Restated, record: dict[str, Any]) -> str | None:
    """The key (e.g. "A000123") of the alliance a candidate record restates, or None."""
    alliance = finder.find(record)
    return alliance.key if alliance is not None else None


def add_as_source(session: Session, cand: Candidate, alliance: Alliance) -> Accepted:
    """Accept a restating candidate: its source and evidence join the existing alliance."""
    record = dict(cand.record)
    # Asked of the database: loading every quote of an alliance restated a hundred times cost more
    # than the rest of the accept (issue 13, load).
    same = select(Evidence.id).where(
        Evidence.alliance_id == alliance.id,
        Evidence.source_id == cand.source_id,
        Evidence.quote == record.get("evidence")
        if record.get("evidence") is not None
        else Evidence.quote.is_(None),
    )
    if session.scalar(same.limit(1)) is None:
        quote = candidate_evidence(cand)
        quote.alliance_id = alliance.id
        session.add(quote)
    cand.record = {**record, "restates": alliance.key}
    cand.state, cand.alliance_id, cand.decided = "accepted", alliance.id, datetime.now()
    session.flush()
    return Accepted(
        alliance_id=alliance.id,
        alliance_key=alliance.key or str(alliance.id),
        created=[],
        parties=[p.organisation.name for p in alliance.parties],
        restated=True,
    )


def candidate_evidence(cand: Candidate) -> Evidence:
    """The evidence a candidate brings to the alliance it becomes or restates."""
    record = cand.record
    return Evidence(
        source_id=cand.source_id,
        quote=record.get("evidence"),
        start=record.get("evidence_start"),
        end=record.get("evidence_end"),
    )
