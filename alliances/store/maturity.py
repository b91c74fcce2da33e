"""Maturity assessments and survey responses: tables and the only functions that read or write them.

An organisation's answers are private: every read takes a `Viewer` and filters in SQL on the owner
organisation. What others get is `panel_answers` — answers without any identity, for aggregates that
the benchmark shows only for groups of at least `min_group` respondents.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, UniqueConstraint, delete, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from alliances.errors import Forbidden, InvalidInput, NotFound
from alliances.maturity.schemas import (
    Assessment,
    AssessmentIn,
    PanelAnswers,
    Sitting,
    SurveyAnswers,
    SurveyResponseIn,
)
from alliances.store.models import Base, Organisation
from alliances.store.viewer import Viewer

SITTING_GAP = timedelta(minutes=30)  # saves further apart than this start a new sitting


class MaturityAssessment(Base):
    __tablename__ = "maturity_assessment"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    label: Mapped[str] = mapped_column(String(20))
    assessed: Mapped[str] = mapped_column(String(10))
    sector: Mapped[str] = mapped_column(String(16), index=True)
    size_band: Mapped[str] = mapped_column(String(8))
    country: Mapped[str] = mapped_column(String(2))
    status: Mapped[str] = mapped_column(String(10), default="draft")
    origin: Mapped[str] = mapped_column(String(16), default="user")
    created: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())


class MaturityAnswer(Base):
    __tablename__ = "maturity_answer"

    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("maturity_assessment.id", ondelete="CASCADE"), primary_key=True
    )
    question: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[str] = mapped_column(String(20))


class MaturitySitting(Base):
    """One working session on an assessment: the form is filled in over several."""

    __tablename__ = "maturity_sitting"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("maturity_assessment.id", ondelete="CASCADE"), index=True
    )
    started: Mapped[datetime] = mapped_column(DateTime)
    last_saved: Mapped[datetime] = mapped_column(DateTime)
    saves: Mapped[int] = mapped_column(Integer, default=0)


class SurveyResponse(Base):
    """One respondent's answers to a survey defined in `data/maturity/surveys.yaml`."""

    __tablename__ = "survey_response"
    __table_args__ = (UniqueConstraint("survey_key", "respondent", name="uq_survey_response"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_key: Mapped[str] = mapped_column(String(100), index=True)
    respondent: Mapped[str] = mapped_column(String(100))
    sector: Mapped[str | None] = mapped_column(String(16))
    size_band: Mapped[str | None] = mapped_column(String(8))
    country: Mapped[str | None] = mapped_column(String(2))
    answers: Mapped[dict[str, str]] = mapped_column(JSON)
    origin: Mapped[str] = mapped_column(String(16), default="user")


def may_read(viewer: Viewer, organisation_id: int) -> bool:
    return viewer.is_admin or organisation_id in viewer.organisation_ids


def _readable(viewer: Viewer) -> Any:
    """The SQL condition on assessments the viewer may read (their organisations', or all for admins)."""
    if viewer.is_admin:
        return MaturityAssessment.id.is_not(None)
    return MaturityAssessment.organisation_id.in_(sorted(viewer.organisation_ids))


def create_assessment(
    session: Session,
    *,
    organisation_id: int,
    sector: str,
    size_band: str,
    country: str,
    viewer: Viewer,
    assessed: str | None = None,
    label: str | None = None,
    origin: str = "user",
) -> int:
    """A new draft for an organisation the viewer acts for; labelled T0, T1… in order."""
    if not may_read(viewer, organisation_id):
        raise Forbidden("you may only assess an organisation you belong to")
    if session.get(Organisation, organisation_id) is None:
        raise NotFound(f"no organisation with id {organisation_id}")
    count = session.scalar(select(func.count()).where(MaturityAssessment.organisation_id == organisation_id))
    row = MaturityAssessment(
        organisation_id=organisation_id,
        label=label or f"T{count or 0}",
        assessed=assessed or datetime.now(UTC).date().isoformat(),
        sector=sector,
        size_band=size_band,
        country=country,
        origin=origin,
    )
    session.add(row)
    session.flush()
    return row.id


def _assessment(session: Session, assessment_id: int, viewer: Viewer) -> MaturityAssessment:
    """The assessment if the viewer may read it; otherwise it does not exist for them."""
    row = session.scalar(
        select(MaturityAssessment).where(MaturityAssessment.id == assessment_id, _readable(viewer))
    )
    if row is None:
        raise NotFound(f"no assessment with id {assessment_id}")
    return row


def _record(row: MaturityAssessment, answers: dict[str, str], name: str) -> Assessment:
    return Assessment(
        id=row.id,
        organisation_id=row.organisation_id,
        organisation=name,
        label=row.label,
        assessed=row.assessed,
        sector=row.sector,
        size_band=row.size_band,
        country=row.country,
        status=row.status,
        origin=row.origin,
        answers=answers,
    )


def get_assessment(session: Session, assessment_id: int, *, viewer: Viewer) -> Assessment:
    row = _assessment(session, assessment_id, viewer)
    answers = dict(
        session.execute(
            select(MaturityAnswer.question, MaturityAnswer.value).where(
                MaturityAnswer.assessment_id == row.id
            )
        ).all()
    )
    org = session.get(Organisation, row.organisation_id)
    return _record(row, {str(k): str(v) for k, v in answers.items()}, org.name if org else "")


def list_assessments(
    session: Session, *, viewer: Viewer, organisation_id: int | None = None
) -> list[Assessment]:
    """The viewer's assessments (oldest first), without answers."""
    stmt = (
        select(MaturityAssessment, Organisation.name)
        .join(Organisation, Organisation.id == MaturityAssessment.organisation_id)
        .where(_readable(viewer))
        .order_by(MaturityAssessment.organisation_id, MaturityAssessment.assessed, MaturityAssessment.id)
    )
    if organisation_id is not None:
        stmt = stmt.where(MaturityAssessment.organisation_id == organisation_id)
    return [_record(row, {}, name) for row, name in session.execute(stmt)]


def save_answers(
    session: Session,
    assessment_id: int,
    answers: dict[str, str],
    *,
    viewer: Viewer,
    now: datetime | None = None,
) -> int:
    """Upsert validated answers of a draft and record the sitting; returns how many were saved."""
    row = _assessment(session, assessment_id, viewer)
    if row.status == "complete":
        raise Forbidden(f"assessment {assessment_id} is complete; start a new one to change answers")
    keys = list(answers)
    if keys:
        session.execute(
            delete(MaturityAnswer).where(
                MaturityAnswer.assessment_id == row.id, MaturityAnswer.question.in_(keys)
            )
        )
        session.add_all(MaturityAnswer(assessment_id=row.id, question=k, value=v) for k, v in answers.items())
    _touch_sitting(session, row.id, now or datetime.now(UTC).replace(tzinfo=None))
    return len(keys)


def _touch_sitting(session: Session, assessment_id: int, now: datetime) -> None:
    last = session.scalar(
        select(MaturitySitting)
        .where(MaturitySitting.assessment_id == assessment_id)
        .order_by(MaturitySitting.id.desc())
        .limit(1)
    )
    if last is not None and now - last.last_saved <= SITTING_GAP:
        last.last_saved = now
        last.saves += 1
    else:
        session.add(MaturitySitting(assessment_id=assessment_id, started=now, last_saved=now, saves=1))


def sittings(session: Session, assessment_id: int, *, viewer: Viewer) -> list[Sitting]:
    row = _assessment(session, assessment_id, viewer)
    stmt = select(MaturitySitting).where(MaturitySitting.assessment_id == row.id).order_by(MaturitySitting.id)
    return [
        Sitting(started=s.started.isoformat(), last_saved=s.last_saved.isoformat(), saves=s.saves)
        for s in session.scalars(stmt)
    ]


def mark_complete(session: Session, assessment_id: int, *, viewer: Viewer) -> None:
    _assessment(session, assessment_id, viewer).status = "complete"


def panel_stamp(session: Session) -> tuple[str, int, int, int]:
    """Changes whenever a complete assessment is added, removed or completed (drafts do not count)."""
    done = MaturityAssessment.status == "complete"
    count, top, total = session.execute(
        select(
            func.count(MaturityAssessment.id),
            func.max(MaturityAssessment.id),
            func.sum(MaturityAssessment.id),
        ).where(done)
    ).one()
    bind = session.get_bind()
    url = str(bind.engine.url)
    return (url, int(count or 0), int(top or 0), int(total or 0))


def panel_answers(session: Session) -> list[PanelAnswers]:
    """The latest complete assessment of every organisation, as profile + answers with no identity.

    For aggregates only (benchmarks, the annual report): callers must never show a group smaller
    than the model's `min_group`.
    """
    latest = (
        select(MaturityAssessment.organisation_id, func.max(MaturityAssessment.assessed).label("assessed"))
        .where(MaturityAssessment.status == "complete")
        .group_by(MaturityAssessment.organisation_id)
        .subquery()
    )
    rows = session.execute(
        select(MaturityAssessment)
        .join(
            latest,
            (latest.c.organisation_id == MaturityAssessment.organisation_id)
            & (latest.c.assessed == MaturityAssessment.assessed),
        )
        .where(MaturityAssessment.status == "complete")
        .order_by(MaturityAssessment.id)
    ).scalars()
    chosen = {row.organisation_id: row for row in rows}  # one per organisation: the last of a shared date
    by_id = {row.id: row for row in chosen.values()}
    answers: dict[int, dict[str, str]] = {i: {} for i in by_id}
    for aid, question, value in session.execute(
        select(MaturityAnswer.assessment_id, MaturityAnswer.question, MaturityAnswer.value).where(
            MaturityAnswer.assessment_id.in_(list(by_id))
        )
    ):
        answers[aid][question] = value
    return [
        PanelAnswers(
            sector=row.sector,
            size=row.size_band,
            country=row.country,
            origin=row.origin,
            answers=answers[aid],
        )
        for aid, row in by_id.items()
    ]


def add_survey_responses(
    session: Session, survey_key: str, rows: list[SurveyResponseIn], origin: str = "user"
) -> int:
    """Replace the responses of the same respondents, add the others; one transaction."""
    respondents = [r.respondent for r in rows]
    session.execute(
        delete(SurveyResponse).where(
            SurveyResponse.survey_key == survey_key, SurveyResponse.respondent.in_(respondents)
        )
    )
    session.add_all(
        SurveyResponse(
            survey_key=survey_key,
            respondent=r.respondent,
            sector=r.sector,
            size_band=r.size,
            country=r.country,
            answers=r.answers,
            origin=origin,
        )
        for r in rows
    )
    return len(rows)


def survey_answers(session: Session, survey_key: str) -> list[SurveyAnswers]:
    """Responses without respondent names, for shares and breakdowns (aggregates only)."""
    stmt = select(SurveyResponse).where(SurveyResponse.survey_key == survey_key).order_by(SurveyResponse.id)
    return [
        SurveyAnswers(sector=r.sector, size=r.size_band, country=r.country, answers=dict(r.answers))
        for r in session.scalars(stmt)
    ]


def write_assessments(
    session: Session,
    items: list[AssessmentIn],
    *,
    viewer: Viewer,
    complete_when: int,
    origin: str = "user",
    create_organisations: bool = False,
) -> dict[str, int]:
    """Store imported (or synthetic) assessments in the caller's transaction: all or nothing.

    Organisations are found by id or name; `create_organisations` adds unknown ones (synthetic
    panels). An assessment with `complete_when` answers or more is stored complete.
    """
    from alliances.store.names import normalise
    from alliances.store.organisations import find_organisation

    created = complete = 0
    known: dict[str, int] = {}
    for item in items:
        name = item.organisation
        if name not in known:
            if create_organisations:
                org = Organisation(
                    name=name,
                    norm=normalise(name),
                    kind=item.sector,
                    country=item.country,
                    origin=origin,
                )
                session.add(org)
                session.flush()
                created += 1
                known[name] = org.id
            else:
                try:
                    known[name] = find_organisation(session, name).id
                except NotFound as exc:  # a bad line of the file: an input error
                    raise InvalidInput(f"{item.where or name}: {exc.message}") from exc
        aid = create_assessment(
            session,
            organisation_id=known[name],
            sector=item.sector,
            size_band=item.size,
            country=item.country,
            viewer=viewer,
            assessed=item.assessed,
            label=item.label,
            origin=origin,
        )
        session.add_all(
            MaturityAnswer(assessment_id=aid, question=k, value=v) for k, v in item.answers.items()
        )
        if sum(1 for k in item.answers if not k.startswith("importance.")) >= complete_when:
            session.get_one(MaturityAssessment, aid).status = "complete"
            complete += 1
    session.flush()
    return {"assessments": len(items), "complete": complete, "organisations_created": created}
