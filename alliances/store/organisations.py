"""Organisation reads: lists with degree, profiles with partners, technologies, stages and projects."""

from __future__ import annotations

from collections import Counter, defaultdict
from copy import copy
from typing import Any, NamedTuple

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, joinedload

from alliances.errors import NotFound
from alliances.schemas import (
    AllianceSummary,
    GroupAllianceSummary,
    NamedRef,
    OrganisationMatch,
    OrganisationRecord,
    OrganisationSummary,
    OrgRef,
    Page,
    PartnerPublic,
    PartyPublic,
    ProjectRef,
    build,
)
from alliances.store.filters import OrganisationFilters
from alliances.store.models import Alias, Alliance, AllianceTag, Organisation, Party, Project, ProjectOwner
from alliances.store.names import normalise
from alliances.store.queries import laid_out, last_page, page_of, summaries
from alliances.store.scale import inline_ids
from alliances.store.version import kept_while_clean, lean_version, memo_of
from alliances.store.viewer import Viewer, may_see_organisation, readable, visible, visible_organisations


def _identity(org: Organisation, degree: int | None) -> dict[str, Any]:
    """The columns every organisation record starts with (keyword arguments of the models)."""
    return {
        "id": org.id,
        "name": org.name,
        "kind": org.kind,
        "country": org.country,
        "parent_id": org.parent_id,
        "degree": degree,
        "origin": org.origin,
    }


def org_record(org: Organisation, degree: int | None = None) -> OrganisationSummary:
    return OrganisationSummary.model_construct(**_identity(org, degree))


def degrees(session: Session, viewer: Viewer | None = None) -> dict[int, int]:
    """Alliances per organisation among those the viewer sees, computed once per data version.

    Ranking 20,000 organisations by degree must not group every party row on each request.
    """
    shown = visible(select(Alliance.id), Alliance, viewer)

    def compute() -> dict[int, int]:
        stmt = (
            select(Party.organisation_id, func.count())
            .where(Party.alliance_id.in_(shown.scalar_subquery()))
            .group_by(Party.organisation_id)
        )
        return {org: n for org, n in session.execute(stmt)}

    return memo_of(session).get(session, ("degrees", viewer), compute)


def _sort_key(value: str | int) -> str | int:
    return value.casefold() if isinstance(value, str) else value


def list_organisations(
    session: Session, filters: OrganisationFilters, *, viewer: Viewer | None = None
) -> Page[OrganisationSummary]:
    """A page of organisations; `sort=-degree` ranks by number of alliances (the default)."""
    stmt = select(Organisation.id, Organisation.name, Organisation.kind, Organisation.country)
    stmt = visible_organisations(stmt, Organisation.id, viewer)
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
    counts = degrees(session, viewer)
    field = (filters.sort or "-degree").lstrip("-")
    descending = (filters.sort or "-degree").startswith("-")
    position = {"id": 0, "name": 1, "kind": 2, "country": 3, "degree": 4}[field]

    def ranked() -> list[tuple[int, str, str, str, int]]:
        rows = [(r.id, r.name, r.kind, r.country or "", counts.get(r.id, 0)) for r in session.execute(stmt)]
        rows.sort(key=lambda r: r[1].casefold())  # ties in name order, whatever the direction
        rows.sort(key=lambda r: _sort_key(r[position]), reverse=descending)
        return rows

    rows = memo_of(session).get(session, ("organisation_rows", filters.cache_key(), viewer), ranked)
    filters = last_page(filters, len(rows))
    start = (filters.page - 1) * filters.per_page
    page = rows[start : start + filters.per_page]
    orgs = {
        o.id: o
        for o in session.scalars(select(Organisation).where(Organisation.id.in_([r[0] for r in page])))
    }
    return page_of([org_record(orgs[r[0]], r[4]) for r in page], len(rows), filters)


def search_organisations(
    session: Session, text: str, limit: int = 20, *, viewer: Viewer | None = None
) -> list[OrganisationSummary]:
    """Names or aliases containing `text`; else near matches (OrganisationMatch, with their score)."""
    from alliances.store.resolve import Resolver

    filters = build(OrganisationFilters, q=text, per_page=limit, sort="-degree")
    items = list_organisations(session, filters, viewer=viewer).items
    if items:
        return items
    resolver = Resolver(session)
    counts = degrees(session, viewer)
    out: list[OrganisationSummary] = []
    for org_id, score in fuzzy_matches(resolver.by_norm, normalise(text), limit):
        org = session.get(Organisation, org_id)
        if org is not None and may_see_organisation(session, org_id, viewer):
            out.append(
                OrganisationMatch.model_construct(**_identity(org, counts.get(org_id, 0)), score=score)
            )
    return out


FUZZY_NAME, FUZZY_TOKEN = 80.0, 85.0


def fuzzy_matches(by_norm: dict[str, int], norm: str, limit: int) -> list[tuple[int, float]]:
    """Names close to a misspelt one: the whole normalised name at 80 or more, or one word of four
    letters or more at 85 ("Sanofi Aventis" finds Sanofi); "Nexvia" is not NVIDIA, "L'Oréal" not Oracle."""
    from rapidfuzz import fuzz

    words = [w for w in norm.split() if len(w) >= 4]
    best: dict[int, float] = {}
    for key, org_id in by_norm.items():
        score = fuzz.ratio(norm, key)
        if score < FUZZY_NAME:
            tokens = [t for t in key.split() if len(t) >= 4]
            token = max((fuzz.ratio(w, t) for w in words for t in tokens), default=0.0)
            score = token if token >= FUZZY_TOKEN else 0.0
        if score and score > best.get(org_id, 0.0):
            best[org_id] = round(float(score), 1)
    return sorted(best.items(), key=lambda kv: -kv[1])[:limit]


def find_organisation(session: Session, ref: str | int) -> Organisation:
    """By id or by name/alias; an unknown name fails with the closest names."""
    from alliances.store.resolve import Resolver

    if isinstance(ref, int) or (str(ref).isascii() and str(ref).isdigit()):
        if int(ref) >= 2**63:  # beyond 64-bit integers: no such id (and no overflow in SQL)
            raise NotFound(f"no organisation with id {ref}")
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


def _unknown(session: Session, ref: str | int, viewer: Viewer | None) -> str:
    """The not-found message, its suggestions limited to names the viewer may know of."""
    from alliances.store.resolve import Resolver

    if isinstance(ref, int) or (str(ref).isascii() and str(ref).isdigit()):
        return f"no organisation with id {ref}"
    resolver = Resolver(session)
    close = [
        name
        for org_id, name, _ in resolver.suggest(normalise(str(ref)), 6, threshold=60.0)
        if may_see_organisation(session, org_id, viewer)
    ][:3]
    return f"no organisation named {ref!r}" + (f"; closest: {', '.join(close)}" if close else "")


PROFILE_ALLIANCES = 100


def _ranked(rows: Any) -> dict[Any, int]:
    """Counts, most frequent first, ties by key: stable output for pages and tests."""
    return dict(sorted(((k, int(n)) for k, n in rows), key=lambda kv: (-kv[1], str(kv[0]))))


def get_organisation(session: Session, ref: str | int, *, viewer: Viewer | None = None) -> OrganisationRecord:
    """The profile of an organisation, by id or name; computed once per lean data version."""
    try:
        org_id = _organisation_id(session, ref)
    except NotFound:
        if viewer is not None and viewer.is_admin:
            raise
        raise NotFound(_unknown(session, ref, viewer)) from None
    if not may_see_organisation(session, org_id, viewer):
        raise NotFound(_unknown(session, ref, viewer))
    profile = memo_of(session).get(  # it lists projects too: kept per lean version
        session, ("profile", org_id, viewer), lambda: _profile(session, org_id, viewer), lean_version(session)
    )
    # The caller's own lists and dicts, sharing their read-only items: a deep copy of a hub's thousands
    # of partners took 150 ms, more than computing the profile (issue 16).
    fresh = {name: copy(value) for name, value in profile if isinstance(value, list | dict)}
    return profile.model_copy(update=fresh)


def _organisation_id(session: Session, ref: str | int) -> int:
    """`find_organisation(...).id` from the shared name index, without reading the row (the profile
    reads it with its aliases); an unknown reference goes to `find_organisation` for its message."""
    from alliances.store.resolve import name_index

    by_norm, names = name_index(session)
    if isinstance(ref, int) or (str(ref).isascii() and str(ref).isdigit()):
        if int(ref) in names:
            return int(ref)
    else:
        found = by_norm.get(normalise(str(ref)))
        if found is not None:
            return found
    return find_organisation(session, ref).id


class Tree(NamedTuple):
    """The organisations in a family (with a parent or subsidiaries): (name, kind, parent) by id, and
    each one's subsidiaries by name. Read once per lean version: a profile walked the family down in
    up to four queries, then read the parent, the subsidiaries' names and the children (issue 13)."""

    rows: dict[int, tuple[str, str, int | None]]
    children: dict[int, list[int]]

    def members(self, org_id: int, depth: int = 4) -> set[int]:
        """An organisation and its subsidiaries, `depth` levels down (Alphabet: Google, Verily, DeepMind…)."""
        members, frontier = {org_id}, {org_id}
        for _ in range(depth):
            frontier = {c for o in frontier for c in self.children.get(o, ())} - members
            if not frontier:
                break
            members |= frontier
        return members


def family_tree(session: Session) -> Tree:
    """Every organisation with a parent or a subsidiary, kept per lean version (`Tree`)."""

    def compute() -> Tree:
        parents = select(Organisation.parent_id).where(Organisation.parent_id.is_not(None))
        stmt = (
            select(Organisation.id, Organisation.name, Organisation.kind, Organisation.parent_id)
            .where(or_(Organisation.parent_id.is_not(None), Organisation.id.in_(parents)))
            .order_by(Organisation.name, Organisation.id)
        )
        rows: dict[int, tuple[str, str, int | None]] = {}
        children: dict[int, list[int]] = defaultdict(list)
        for org_id, name, kind, parent_id in session.execute(stmt):
            rows[org_id] = (name, kind, parent_id)
            if parent_id is not None:
                children[parent_id].append(org_id)  # in name order
        return Tree(rows, dict(children))

    return kept_while_clean(session, ("family_tree",), compute)


def _profile(session: Session, org_id: int, viewer: Viewer | None) -> OrganisationRecord:
    """The profile: identity, family, alliances, partners by year, technologies, stages, projects.

    Only the latest `PROFILE_ALLIANCES` alliances are summarised: a hub with thousands of alliances must
    still open in a blink. Up to that many, the aggregates are counted from the summaries' own parties
    and tags (seven statements in all); beyond, in SQL.
    """
    with_aliases = select(Organisation).options(joinedload(Organisation.aliases))
    org = session.scalars(with_aliases.where(Organisation.id == org_id)).unique().one_or_none()
    if org is None:  # removed since this data version's name index was read
        raise NotFound(f"no organisation with id {org_id}")
    tree = family_tree(session)
    family = tree.members(org.id)
    in_family = select(Party.alliance_id).where(Party.organisation_id.in_(family))
    # Latest first, read once: PostgreSQL plans the aggregates below from the real number of a hub's
    # alliances (its estimate from the subquery walked the whole latest-first index: 177 ms), and the
    # visibility of each alliance is checked once, not in each aggregate (issue 16).
    mine = session.execute(
        visible(select(Alliance.id, Alliance.type, Alliance.year), Alliance, viewer)
        .where(Alliance.id.in_(in_family))
        .order_by(Alliance.announced.desc().nulls_last(), Alliance.id.desc())
    ).all()
    total = len(mine)
    latest = summaries(session, [row.id for row in mine[:PROFILE_ALLIANCES]])
    alliances = [  # a group's profile says which subsidiary took part
        laid_out(
            GroupAllianceSummary,
            **a.__dict__,
            via=[p.name for p in a.parties if p.id in family and p.id != org.id],
        )
        for a in latest
    ]
    types = Counter(row.type for row in mine)
    if total <= PROFILE_ALLIANCES:
        own, partners, by_year, tags = _counted(latest, org.id, family)
    else:
        own, partners, by_year, tags = _aggregates(session, org.id, family, [row.id for row in mine])
    group = sorted(tree.rows[i][0] for i in family - {org.id})
    parent = _named(session, tree, org.parent_id)
    children = [(i, tree.rows[i]) for i in tree.children.get(org.id, ())]
    projects = [
        laid_out(ProjectRef, id=i, name=name, year=year)
        for i, name, year, visibility, owner_id in owned_projects(session).get(org.id, ())
        if readable(visibility, owner_id, viewer)
    ]
    return OrganisationRecord.model_construct(
        **_identity(org, total),
        alliances_total=total,
        own_alliances=own,
        group=group,
        aliases=sorted(a.name for a in org.aliases),
        identifiers={k: getattr(org, k) for k in ("wikidata", "siren", "lei", "website") if getattr(org, k)},
        parent=parent,
        subsidiaries=[laid_out(OrgRef, id=i, name=name, kind=kind) for i, (name, kind, _) in children],
        alliances=alliances,
        partners=sorted(partners, key=lambda p: (-p.alliances, p.name)),
        partners_by_year={int(y): int(n) for y, n in sorted(by_year) if y is not None},
        technologies=_ranked(tags["technology"]),
        stages=_ranked(tags["stage"]),
        therapeutic_areas=_ranked(tags["area"]),
        types=_ranked(types.items()),
        projects=projects,
    )


ProjectRow = tuple[int, str, int | None, str, int | None]  # id, name, year, visibility, owner


def owned_projects(session: Session) -> dict[int, list[ProjectRow]]:
    """Each organisation's projects in name order, whoever may read them (`readable` filters): a few
    rows, read once per lean version, which moves with every project write (audited)."""

    def compute() -> dict[int, list[ProjectRow]]:
        stmt = (
            select(
                ProjectOwner.organisation_id,
                Project.id,
                Project.name,
                Project.year,
                Project.visibility,
                Project.owner_id,
            )
            .join(Project, Project.id == ProjectOwner.project_id)
            .order_by(Project.name, Project.id)
        )
        owned: dict[int, list[ProjectRow]] = defaultdict(list)
        for org_id, project_id, name, year, visibility, owner_id in session.execute(stmt):
            owned[org_id].append((project_id, name, year, visibility, owner_id))
        return dict(owned)

    return kept_while_clean(session, ("owned_projects",), compute)


def _named(session: Session, tree: Tree, org_id: int | None) -> NamedRef | None:
    """The parent's reference, from the tree; read if the tree is older than the row (a parent set by
    a write that committed since this data version was read)."""
    if not org_id:
        return None
    known = tree.rows.get(org_id)
    name = known[0] if known else session.scalar(select(Organisation.name).where(Organisation.id == org_id))
    return laid_out(NamedRef, id=org_id, name=name) if name is not None else None


# Own alliances, partners, (year, partners) and (value, count) by facet.
Aggregates = tuple[int, list[PartnerPublic], list[tuple[Any, Any]], dict[str, list[tuple[str, int]]]]


def _counted(latest: list[AllianceSummary], org_id: int, family: set[int]) -> Aggregates:
    """Own alliances, partners, partners by year and tag counts from the summaries of all the alliances."""
    own = 0
    partners: dict[int, PartyPublic] = {}
    shared: Counter[int] = Counter()
    years: dict[int, set[int]] = defaultdict(set)
    tags: dict[str, list[tuple[str, int]]] = defaultdict(list)
    counts: dict[str, Counter[str]] = {
        "technology": Counter(),
        "stage": Counter(),
        "area": Counter(),
    }
    for a in latest:
        others = {p.id: p for p in a.parties if p.id not in family}
        own += any(p.id == org_id for p in a.parties)
        shared.update(others.keys())
        for i, p in others.items():
            partners.setdefault(i, p)
        if a.year is not None and others:
            years[a.year].update(others)
        counts["technology"].update(a.technologies)
        counts["stage"].update(a.stages)
        counts["area"].update(a.therapeutic_areas)
    for facet, counter in counts.items():
        tags[facet] = list(counter.items())
    found = [
        laid_out(PartnerPublic, id=i, name=p.name, kind=p.kind, alliances=shared[i])
        for i, p in partners.items()
    ]
    return own, found, [(y, len(ids)) for y, ids in years.items()], tags


def _aggregates(session: Session, org_id: int, family: set[int], ids: list[int]) -> Aggregates:
    """The same counts in SQL, for a hub whose alliances are more than the summaries."""
    mine_ids = inline_ids(ids)
    own = (
        session.scalar(
            select(func.count(func.distinct(Party.alliance_id))).where(
                Party.organisation_id == org_id, Party.alliance_id.in_(mine_ids)
            )
        )
        or 0
    )
    tags: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for facet, value, n in session.execute(
        select(AllianceTag.facet, AllianceTag.value, func.count())
        .where(AllianceTag.alliance_id.in_(mine_ids))
        .group_by(AllianceTag.facet, AllianceTag.value)
    ):
        tags[facet].append((value, n))
    others = Party.organisation_id.not_in(family)
    partner_rows = session.execute(
        select(
            Organisation.id,
            Organisation.name,
            Organisation.kind,
            func.count(func.distinct(Party.alliance_id)),
        )
        .join(Party, Party.organisation_id == Organisation.id)
        .where(Party.alliance_id.in_(mine_ids), others)
        .group_by(Organisation.id, Organisation.name, Organisation.kind)
    )
    partners = [
        laid_out(PartnerPublic, id=i, name=name, kind=kind, alliances=int(n))
        for i, name, kind, n in partner_rows
    ]
    by_year = session.execute(
        select(Alliance.year, func.count(func.distinct(Party.organisation_id)))
        .join(Party, Party.alliance_id == Alliance.id)
        .where(Alliance.id.in_(mine_ids), others, Alliance.year.is_not(None))
        .group_by(Alliance.year)
    )
    return own, partners, [(y, n) for y, n in by_year], tags
