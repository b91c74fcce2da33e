"""Where the data comes from: the figures of the About page, `/api/v1/about` and `alliances stats`.

Counts cover the alliances the viewer may read; sources are those those alliances cite.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from alliances.store.models import Alliance, Evidence, Organisation, Source
from alliances.store.viewer import Viewer, visible


class AboutData(BaseModel):
    """The provenance of what the observatory holds."""

    organisations: int
    organisations_placed: int  # curated, with a country
    alliances: int
    sources: int
    by_origin: dict[str, int]
    by_year: dict[str, int]  # "2021": n, and "undated"
    by_type: dict[str, int]
    by_source_language: dict[str, int]  # ISO 639-1 code (or "unknown"): sources cited
    exact_day: int  # alliances whose announcement date gives the day
    exact_day_share: float
    terminated: int
    terminated_with_end_date: int


def about_data(session: Session, *, viewer: Viewer | None = None) -> AboutData:
    """Counts by origin, year, type and language of source; date precision; terminated alliances."""

    def grouped(column: InstrumentedAttribute[Any]) -> dict[str, int]:
        stmt = visible(select(column, func.count()), Alliance, viewer).group_by(column)
        return {str(k): n for k, n in session.execute(stmt)}

    by_origin = grouped(Alliance.origin)
    total = sum(by_origin.values())
    by_year = {k if k != "None" else "undated": n for k, n in sorted(grouped(Alliance.year).items())}
    by_type = dict(sorted(grouped(Alliance.type).items(), key=lambda kv: -kv[1]))
    cited = visible(
        select(Evidence.source_id).join(Alliance, Evidence.alliance_id == Alliance.id), Alliance, viewer
    )
    languages = session.execute(
        select(func.coalesce(Source.language, "unknown"), func.count())
        .where(Source.id.in_(cited))
        .group_by(Source.language)
    )
    by_language = dict(sorted(((str(k), n) for k, n in languages), key=lambda kv: -kv[1]))
    exact = session.scalar(
        visible(select(func.count()).select_from(Alliance), Alliance, viewer).where(
            func.length(Alliance.announced) == 10
        )
    )
    terminated = visible(select(func.count()).select_from(Alliance), Alliance, viewer).where(
        Alliance.status == "terminated"
    )
    organisations = session.scalar(select(func.count()).select_from(Organisation)) or 0
    placed = session.scalar(
        select(func.count())
        .select_from(Organisation)
        .where(Organisation.origin == "curated", Organisation.country.is_not(None))
    )
    return AboutData(
        organisations=organisations,
        organisations_placed=placed or 0,
        alliances=total,
        sources=sum(by_language.values()),
        by_origin=dict(sorted(by_origin.items(), key=lambda kv: -kv[1])),
        by_year=by_year,
        by_type=by_type,
        by_source_language=by_language,
        exact_day=exact or 0,
        exact_day_share=round((exact or 0) / total, 3) if total else 0.0,
        terminated=session.scalar(terminated) or 0,
        terminated_with_end_date=session.scalar(terminated.where(Alliance.ended.is_not(None))) or 0,
    )
