"""Trends over time: alliances per year by type and technology, who the partners are, terminations.

Grouped counts from the store (pre-aggregated where the filters allow), so it stays fast at a million.
Series are aligned on one list of consecutive years (gaps filled with zeros) so charts never skip a year.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from alliances.schemas import AllianceFilters, PartnerSeries, TerminationSeries, TrendsPublic
from alliances.store.aggregates import termination_counts, yearly_counts
from alliances.store.viewer import Viewer
from alliances.taxonomy import vocab

# The partner kinds the big-tech study follows; every kind's share is returned, these are charted.
HIGHLIGHT_KINDS = ("startup", "big_tech", "tech", "academic")


def _series(counts: dict[tuple[int, str], int], years: list[int], keys: list[str]) -> dict[str, list[int]]:
    return {k: [counts.get((y, k), 0) for y in years] for k in keys if any(counts.get((y, k)) for y in years)}


def _years(*year_sets: set[int]) -> list[int]:
    every = set().union(*year_sets)
    return list(range(min(every), max(every) + 1)) if every else []


def alliance_trends(
    session: Session, filters: AllianceFilters, *, viewer: Viewer | None = None
) -> TrendsPublic:
    """Every series of the trends page for the alliances matching `filters`."""
    by_type, by_tech, by_kind = yearly_counts(session, filters, viewer)
    by_end_year, undated = termination_counts(session, filters, viewer)
    years = _years({y for y, _ in by_type}, set(by_end_year))
    party_totals = [sum(n for (y2, _), n in by_kind.items() if y2 == y) for y in years]
    kind_counts = _series(by_kind, years, list(vocab("organisation_kinds").keys))
    shares = {
        k: [round(n / total, 4) if total else 0.0 for n, total in zip(v, party_totals, strict=True)]
        for k, v in kind_counts.items()
    }
    return TrendsPublic(
        years=years,
        total=[sum(n for (y2, _), n in by_type.items() if y2 == y) for y in years],
        by_type=_series(by_type, years, list(vocab("alliance_types").keys)),
        by_technology=_series(by_tech, years, list(vocab("technologies").keys)),
        partners=PartnerSeries(
            parties=party_totals,
            counts=kind_counts,
            shares=shares,
            highlight=[k for k in HIGHLIGHT_KINDS if k in shares],
        ),
        terminations=TerminationSeries(
            by_year=[by_end_year.get(y, 0) for y in years],
            undated=undated,
            total=sum(by_end_year.values()) + undated,
        ),
    )
