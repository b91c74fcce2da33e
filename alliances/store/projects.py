"""Reads for innovation projects, survey figures and the observatory's headline counts."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import Session

from alliances.errors import NotFound
from alliances.schemas import (
    OrgRef,
    Page,
    ProjectAmount,
    ProjectDetail,
    ProjectPublic,
    Stats,
    SurveyFigure,
    SurveyPublic,
)
from alliances.store.filters import AllianceFilters, ProjectFilters, party_org_ids
from alliances.store.models import (
    Alliance,
    Candidate,
    Evidence,
    Organisation,
    Project,
    ProjectOwner,
    ProjectTag,
    Source,
    Survey,
)
from alliances.store.queries import evidence_of, last_page, order, page_of, source_record
from alliances.store.viewer import Viewer, visible


def _project_tag(facet: str, value: str) -> Any:
    return exists().where(
        ProjectTag.project_id == Project.id, ProjectTag.facet == facet, ProjectTag.value == value
    )


def project_ids(session: Session, filters: AllianceFilters, viewer: Viewer | None = None) -> Select[int]:
    """The ids of the visible projects matching the filters that apply to projects (pages and matrix)."""
    stmt = visible(select(Project.id), Project, viewer)
    if filters.technology:
        stmt = stmt.where(_project_tag("technology", filters.technology))
    if filters.stage:
        stmt = stmt.where(_project_tag("stage", filters.stage))
    if filters.area:
        from alliances.taxonomy.areas import canonical_area

        stmt = stmt.where(_project_tag("area", canonical_area(filters.area)))
    if filters.year_from:
        stmt = stmt.where(Project.year >= filters.year_from)
    if filters.year_to:
        stmt = stmt.where(Project.year <= filters.year_to)
    if filters.q:
        like = f"%{filters.q.strip().lower()}%"
        stmt = stmt.where(
            or_(func.lower(Project.name).like(like), func.lower(Project.description).like(like))
        )
    if filters.party:
        ids = party_org_ids(session, filters.party)
        stmt = stmt.where(
            exists().where(ProjectOwner.project_id == Project.id, ProjectOwner.organisation_id.in_(ids))
        )
    return stmt


def list_projects(
    session: Session, filters: ProjectFilters, *, viewer: Viewer | None = None
) -> Page[ProjectPublic]:
    stmt = project_ids(session, filters, viewer)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    filters = last_page(filters, total)
    columns = {"name": Project.name, "announced": Project.announced, "year": Project.year, "id": Project.id}
    stmt = order(stmt, filters.sort, columns, [Project.name.asc()])
    start = (filters.page - 1) * filters.per_page
    # A page past the end is empty; beyond 64-bit integers SQLite would overflow (issue 13).
    ids = [] if start >= 2**62 else list(session.scalars(stmt.limit(filters.per_page).offset(start)))
    return page_of(project_records(session, ids), total, filters)


def project_records(session: Session, ids: list[int]) -> list[ProjectPublic]:
    if not ids:
        return []
    rows = {p.id: p for p in session.scalars(select(Project).where(Project.id.in_(ids)))}
    owners: dict[int, list[OrgRef]] = defaultdict(list)
    for project_id, org in session.execute(
        select(ProjectOwner.project_id, Organisation)
        .join(Organisation, Organisation.id == ProjectOwner.organisation_id)
        .where(ProjectOwner.project_id.in_(ids))
        .order_by(Organisation.name)
    ):
        owners[project_id].append(OrgRef.model_construct(id=org.id, name=org.name, kind=org.kind))
    tags: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for tag in session.scalars(select(ProjectTag).where(ProjectTag.project_id.in_(ids))):
        tags[tag.project_id][tag.facet].append(tag.value)
    return [
        ProjectPublic.model_construct(
            id=p.id,
            key=p.key,
            name=p.name,
            description=p.description,
            owners=owners[p.id],
            technologies=sorted(tags[p.id]["technology"]),
            stages=sorted(tags[p.id]["stage"]),
            therapeutic_areas=sorted(tags[p.id]["area"]),
            announced=p.announced,
            year=p.year,
            amount=ProjectAmount.model_construct(value=p.amount, currency=p.currency)
            if p.amount is not None
            else None,
            figures=p.figures or {},
            alliance_id=p.alliance_id,
            origin=p.origin,
        )
        for i in ids
        if (p := rows.get(i)) is not None
    ]


def get_project(session: Session, project_id: int, *, viewer: Viewer | None = None) -> ProjectDetail:
    found = session.scalar(visible(select(Project.id), Project, viewer).where(Project.id == project_id))
    if found is None:
        raise NotFound(f"no project with id {project_id}")
    record = project_records(session, [project_id])[0]
    evidence = evidence_of(session, Evidence.project_id == project_id)
    return ProjectDetail.model_construct(**dict(record), evidence=evidence)


def list_surveys(session: Session) -> list[SurveyPublic]:
    out = []
    for survey in session.scalars(select(Survey).order_by(Survey.date.desc(), Survey.id)):
        source = session.get(Source, survey.source_id) if survey.source_id else None
        figures = []
        for fig in survey.figures:
            quotes = [ev.quote for ev in fig.evidence]
            figures.append(
                SurveyFigure.model_construct(
                    key=fig.key,
                    label_en=fig.label_en,
                    label_fr=fig.label_fr,
                    value=fig.value,
                    unit=fig.unit,
                    evidence=quotes,
                )
            )
        out.append(
            SurveyPublic.model_construct(
                id=survey.id,
                key=survey.key,
                name=survey.name,
                publisher=survey.publisher,
                date=survey.date,
                source=source_record(source) if source else None,
                figures=figures,
            )
        )
    return out


def stats(session: Session, *, viewer: Viewer | None = None) -> Stats:
    """Headline counts: what the observatory holds, and where it comes from."""
    alliances = visible(select(Alliance.origin, func.count()), Alliance, viewer).group_by(Alliance.origin)
    by_origin = {origin: n for origin, n in session.execute(alliances)}
    by_type = {
        t: n
        for t, n in session.execute(
            visible(select(Alliance.type, func.count()), Alliance, viewer)
            .group_by(Alliance.type)
            .order_by(func.count().desc())
        )
    }
    kinds = {
        k: n
        for k, n in session.execute(
            select(Organisation.kind, func.count()).group_by(Organisation.kind).order_by(func.count().desc())
        )
    }
    years = session.execute(
        visible(select(func.min(Alliance.year), func.max(Alliance.year)), Alliance, viewer)
    ).one()
    return Stats.model_construct(
        organisations=session.scalar(select(func.count()).select_from(Organisation)) or 0,
        alliances=sum(by_origin.values()),
        projects=session.scalar(visible(select(func.count()).select_from(Project), Project, viewer)) or 0,
        sources=session.scalar(select(func.count()).select_from(Source)) or 0,
        evidence=session.scalar(select(func.count()).select_from(Evidence)) or 0,
        surveys=session.scalar(select(func.count()).select_from(Survey)) or 0,
        candidates_pending=session.scalar(
            select(func.count()).select_from(Candidate).where(Candidate.state == "pending")
        )
        or 0,
        alliances_by_origin=by_origin,
        alliances_by_type=by_type,
        organisations_by_kind=kinds,
        years={"first": years[0], "last": years[1]},
    )


def text_counts(session: Session) -> dict[str, int]:
    """The sources and evidence quotes held (the two headline counts a restated alliance moves)."""
    return {
        "sources": session.scalar(select(func.count()).select_from(Source)) or 0,
        "evidence": session.scalar(select(func.count()).select_from(Evidence)) or 0,
    }


def count_alliances(session: Session, *, viewer: Viewer | None = None) -> int:
    """The alliances this reader may see (the health check's proof that the database answers)."""
    shown = visible(select(Alliance.id), Alliance, viewer).subquery()
    return int(session.scalar(select(func.count()).select_from(shown)) or 0)
