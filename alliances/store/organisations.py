"""Organisation reads: lists with degree, profiles with partners, technologies, stages and projects."""

from __future__ import annotations

from collections import Counter, defaultdict

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from alliances.errors import NotFound
from alliances.store.filters import Filters
from alliances.store.models import Alias, Alliance, Organisation, Party, Project, ProjectOwner
from alliances.store.names import normalise
from alliances.store.queries import Record, alliance_counts, order, page_of, summaries
from alliances.store.viewer import Viewer, visible


def org_record(org: Organisation, degree: int | None = None) -> Record:
    return {
        "id": org.id,
        "name": org.name,
        "kind": org.kind,
        "country": org.country,
        "parent_id": org.parent_id,
        "degree": degree,
        "origin": org.origin,
    }


def list_organisations(session: Session, filters: Filters, *, viewer: Viewer | None = None) -> Record:
    """A page of organisations; `sort=-degree` ranks by number of alliances."""
    counts = select(Party.organisation_id.label("org_id"), func.count(Party.alliance_id).label("n")).join(
        Alliance, Alliance.id == Party.alliance_id
    )
    degree = visible(counts, Alliance, viewer).group_by(Party.organisation_id).subquery()
    n = func.coalesce(degree.c.n, 0)
    stmt = select(Organisation, n.label("degree")).outerjoin(degree, degree.c.org_id == Organisation.id)
    if filters.kind:
        stmt = stmt.where(Organisation.kind == filters.kind)
    if filters.country:
        stmt = stmt.where(Organisation.country == filters.country.upper())
    if filters.origin:
        stmt = stmt.where(Organisation.origin == filters.origin)
    if filters.q:
        norm = f"%{normalise(filters.q)}%"
        stmt = stmt.where(
            or_(
                Organisation.norm.like(norm),
                Organisation.id.in_(select(Alias.organisation_id).where(Alias.norm.like(norm))),
            )
        )
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    columns = {
        "name": Organisation.name,
        "kind": Organisation.kind,
        "country": Organisation.country,
        "degree": n,
        "id": Organisation.id,
    }
    stmt = order(stmt, filters.sort, columns, [n.desc(), Organisation.name.asc()])
    rows = session.execute(stmt.limit(filters.per_page).offset((filters.page - 1) * filters.per_page))
    return page_of([org_record(org, deg) for org, deg in rows], total, filters)


def search_organisations(session: Session, text: str, limit: int = 20) -> list[Record]:
    from alliances.store.resolve import Resolver

    filters = Filters(q=text, per_page=limit, sort="-degree")
    items = list_organisations(session, filters)["items"]
    if items:
        return items
    resolver = Resolver(session)
    counts = alliance_counts(session)
    out = []
    for org_id, _name, score in resolver.suggest(normalise(text), limit, threshold=60.0):
        org = session.get(Organisation, org_id)
        if org is not None:
            out.append({**org_record(org, counts.get(org_id, 0)), "score": score})
    return out


def find_organisation(session: Session, ref: str | int) -> Organisation:
    """By id or by name/alias; an unknown name fails with the closest names."""
    from alliances.store.resolve import Resolver

    if isinstance(ref, int) or str(ref).isdigit():
        org = session.get(Organisation, int(ref))
        if org is None:
            raise NotFound(f"no organisation with id {ref}")
        return org
    resolver = Resolver(session)
    match = resolver.resolve(str(ref))
    if match.organisation_id is None:
        close = resolver.closest_names(str(ref))
        hint = f"; closest: {', '.join(close)}" if close else ""
        raise NotFound(f"no organisation named {ref!r}{hint}")
    org = session.get(Organisation, match.organisation_id)
    assert org is not None
    return org


def get_organisation(session: Session, ref: str | int, *, viewer: Viewer | None = None) -> Record:
    """The profile: identity, family, alliances, partners by year, technologies, stages, projects."""
    org = find_organisation(session, ref)
    ids = list(
        session.scalars(
            visible(select(Alliance.id).join(Party, Party.alliance_id == Alliance.id), Alliance, viewer)
            .where(Party.organisation_id == org.id)
            .order_by(Alliance.announced.desc().nulls_last(), Alliance.id)
        )
    )
    alliances = summaries(session, ids)
    partners: dict[int, Record] = {}
    by_year: dict[int, set[int]] = defaultdict(set)
    tech: Counter[str] = Counter()
    stages: Counter[str] = Counter()
    areas: Counter[str] = Counter()
    types: Counter[str] = Counter()
    for a in alliances:
        tech.update(a["technologies"])
        stages.update(a["stages"])
        areas.update(a["therapeutic_areas"])
        types[a["type"]] += 1
        for p in a["parties"]:
            if p["id"] == org.id:
                continue
            entry = partners.setdefault(
                p["id"], {"id": p["id"], "name": p["name"], "kind": p["kind"], "alliances": 0}
            )
            entry["alliances"] += 1
            if a["year"]:
                by_year[a["year"]].add(p["id"])
    parent = session.get(Organisation, org.parent_id) if org.parent_id else None
    children = session.scalars(
        select(Organisation).where(Organisation.parent_id == org.id).order_by(Organisation.name)
    )
    projects = session.scalars(
        visible(select(Project).join(ProjectOwner, ProjectOwner.project_id == Project.id), Project, viewer)
        .where(ProjectOwner.organisation_id == org.id)
        .order_by(Project.name)
    )
    return {
        **org_record(org, len(alliances)),
        "aliases": sorted(a.name for a in org.aliases),
        "identifiers": {
            k: getattr(org, k) for k in ("wikidata", "siren", "lei", "website") if getattr(org, k)
        },
        "parent": {"id": parent.id, "name": parent.name} if parent else None,
        "subsidiaries": [{"id": c.id, "name": c.name, "kind": c.kind} for c in children],
        "alliances": alliances,
        "partners": sorted(partners.values(), key=lambda p: (-p["alliances"], p["name"])),
        "partners_by_year": {y: len(v) for y, v in sorted(by_year.items())},
        "technologies": dict(tech.most_common()),
        "stages": dict(stages.most_common()),
        "therapeutic_areas": dict(areas.most_common()),
        "types": dict(types.most_common()),
        "projects": [{"id": p.id, "name": p.name, "year": p.year} for p in projects],
    }
