"""Trends over time: alliances per year by type and technology, who the partners are, terminations.

Grouped SQL over the filtered alliance ids, so it stays fast on 100,000 alliances. Series are aligned on
one list of consecutive years (gaps filled with zeros) so charts never skip a year silently.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable

from alliances.store.dates import year_of
from alliances.store.filters import Filters
from alliances.store.models import Alliance, AllianceTag, Event, Organisation, Party
from alliances.store.queries import filter_alliances
from alliances.store.viewer import Viewer
from alliances.taxonomy import vocab

# The partner kinds the big-tech study follows; every kind's share is returned, these are charted.
HIGHLIGHT_KINDS = ("startup", "big_tech", "tech", "academic")


def _series(counts: dict[tuple[int, str], int], years: list[int], keys: list[str]) -> dict[str, list[int]]:
    return {k: [counts.get((y, k), 0) for y in years] for k in keys if any(counts.get((y, k)) for y in years)}


def _grouped(session: Session, stmt: Executable) -> dict[tuple[int, str], int]:
    """(year, key) -> count from a grouped select of three columns."""
    return {(int(year), str(key)): int(n) for year, key, n in session.execute(stmt)}


def _years(*year_sets: set[int]) -> list[int]:
    every = set().union(*year_sets)
    return list(range(min(every), max(every) + 1)) if every else []


def alliance_trends(session: Session, filters: Filters, *, viewer: Viewer | None = None) -> dict[str, Any]:
    """Every series of the trends page for the alliances matching `filters`."""
    ids: Select[Any] = filter_alliances(session, select(Alliance.id), filters, viewer)
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
    ended = terminations(session, ids)
    years = _years({y for y, _ in by_type}, {y for y in ended["by_year"]})
    party_totals = [sum(n for (y2, _), n in by_kind.items() if y2 == y) for y in years]
    kind_counts = _series(by_kind, years, list(vocab("organisation_kinds").keys))
    shares = {
        k: [round(n / total, 4) if total else 0.0 for n, total in zip(v, party_totals, strict=True)]
        for k, v in kind_counts.items()
    }
    return {
        "years": years,
        "total": [sum(n for (y2, _), n in by_type.items() if y2 == y) for y in years],
        "by_type": _series(by_type, years, list(vocab("alliance_types").keys)),
        "by_technology": _series(by_tech, years, list(vocab("technologies").keys)),
        "partners": {
            "parties": party_totals,
            "counts": kind_counts,
            "shares": shares,
            "highlight": [k for k in HIGHLIGHT_KINDS if k in shares],
        },
        "terminations": {
            "by_year": [ended["by_year"].get(y, 0) for y in years],
            "undated": ended["undated"],
            "total": ended["total"],
        },
    }


def terminations(session: Session, ids: Select[Any]) -> dict[str, Any]:
    """Terminated alliances by year of ending: the `ended` date, else a `terminated` event's date."""
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
    counts: Counter[int] = Counter()
    undated = 0
    for alliance_id, ended in rows:
        year = year_of(ended or event_dates.get(alliance_id) or None)
        if year is None:
            undated += 1
        else:
            counts[year] += 1
    return {"by_year": dict(counts), "undated": undated, "total": len(rows)}
