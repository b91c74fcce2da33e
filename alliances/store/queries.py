"""Read functions behind every page, API route and CLI listing; each takes the session and a viewer."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from functools import cache
from typing import Any, TypeVar, TypeVarTuple

from pydantic import BaseModel
from sqlalchemy import Select, select, text
from sqlalchemy.orm import Session

from alliances.errors import NotFound
from alliances.schemas import (
    AllianceRecord,
    AllianceSummary,
    Amount,
    EventPublic,
    EvidencePublic,
    ListQuery,
    Page,
    PartyPublic,
    SourcePublic,
    SummarySource,
)
from alliances.store import search
from alliances.store.filters import AllianceFilters, filter_alliances
from alliances.store.models import Alliance, AllianceTag, Event, Evidence, Organisation, Party, Source
from alliances.store.scale import inline_ids
from alliances.store.version import full_version, lean_version, memo_of
from alliances.store.viewer import Viewer, visible

Ts = TypeVarTuple("Ts")
T = TypeVar("T")


def page_of(items: list[T], total: int, filters: ListQuery) -> Page[T]:
    """One page of records the store built itself: constructed, not validated again.

    The bare generic, not `Page[T]`: parametrising with a type variable builds a new class on every call
    (pydantic keeps them weakly), about a millisecond per list request (issue 13, load)."""
    page: Page[T] = Page.model_construct(
        items=items, total=total, page=filters.page, per_page=filters.per_page
    )
    return page


L = TypeVar("L", bound=ListQuery)


def last_page(filters: L, total: int) -> L:
    """A page past the end answers with the last page (page=999 of 309 items is page 7), not nothing."""
    last = max(1, -(-total // filters.per_page))
    return filters.model_copy(update={"page": last}) if filters.page > last else filters


def order(stmt: Select[*Ts], sort: str | None, columns: dict[str, Any], default: list[Any]) -> Select[*Ts]:
    """Sort by a field (`-field` descending), ties broken by id so pages are stable."""
    if not sort:
        return stmt.order_by(*default)
    column, tie = columns[sort.lstrip("-")], columns["id"]
    if sort.startswith("-"):
        return stmt.order_by(column.desc().nulls_last(), tie.desc())
    return stmt.order_by(column.asc().nulls_last(), tie.asc())


ALLIANCE_ORDER = {
    "announced": Alliance.announced,
    "year": Alliance.year,
    "type": Alliance.type,
    "status": Alliance.status,
    "title": Alliance.title,
    "id": Alliance.id,
    "amount": Alliance.amount,
}

DEFAULT_ORDER: list[Any] = [Alliance.announced.desc().nulls_last(), Alliance.id.desc()]


def list_alliances(
    session: Session, filters: AllianceFilters, *, viewer: Viewer | None = None
) -> Page[AllianceSummary]:
    """One page of alliance summaries and the total that match the filters."""
    if not filters.q:  # issue 16: the total from the rollup, one page by LIMIT (walked from an index)
        from alliances.store.aggregates import matching_count

        total = matching_count(session, filters, viewer)
        if total is not None:
            filters = last_page(filters, total)
            stmt = order(
                filter_alliances(session, select(Alliance.id), filters, viewer),
                filters.sort,
                ALLIANCE_ORDER,
                DEFAULT_ORDER,
            )
            page = stmt.limit(filters.per_page).offset((filters.page - 1) * filters.per_page)
            return page_of(summaries(session, _serial(session, page)), total, filters)
    ids = matching_ids(session, filters, viewer)
    filters = last_page(filters, len(ids))
    start = (filters.page - 1) * filters.per_page
    shown = tuple(ids[start : start + filters.per_page])
    # A search is redone when a quote is added anywhere, its page's summaries only on a lean write.
    found = memo_of(session).get(
        session, ("summaries", shown), lambda: summaries(session, list(shown)), version=lean_version(session)
    )
    return page_of(found, len(ids), filters)


def _serial(session: Session, page: Select[Any]) -> list[int]:
    """The ids of one page. PostgreSQL runs the index walk without parallel workers: starting them
    costs 100 ms, more than walking 30,000 index entries to find a rare filter's 50 rows."""
    if session.get_bind().dialect.name != "postgresql":
        return list(session.scalars(page))
    session.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))
    ids = list(session.scalars(page))
    session.execute(text("RESET max_parallel_workers_per_gather"))
    return ids


def matching_ids(session: Session, filters: AllianceFilters, viewer: Viewer | None = None) -> list[int]:
    """Ids of every alliance matching the filters, in page order, kept per data version.

    One scan gives both the total and any page (a count plus a sorted LIMIT would filter twice), and
    turning pages of the same search costs a slice until the next write.
    """
    base = filter_alliances(session, select(Alliance.id), filters, viewer)
    stmt = order(base, filters.sort, ALLIANCE_ORDER, DEFAULT_ORDER)
    key = ("matching_ids", filters.cache_key(), viewer)
    # The index holds evidence quotes and source titles: a search is kept per full version.
    version = full_version(session) if filters.q else None
    if filters.q and not filters.sort:  # a search without a chosen order: most relevant first
        return memo_of(session).get(
            session,
            key,
            lambda: search.by_relevance(session, filters.q or "", list(session.scalars(stmt))),
            version=version,
        )
    return memo_of(session).get(session, key, lambda: list(session.scalars(stmt)), version=version)


def iter_alliances(
    session: Session, filters: AllianceFilters, *, viewer: Viewer | None = None, batch: int = 500
) -> Iterator[AllianceSummary]:
    """Every matching alliance summary, for exports, in the page order."""
    base = filter_alliances(session, select(Alliance.id), filters, viewer)
    stmt = order(base, filters.sort, ALLIANCE_ORDER, [Alliance.id.asc()])
    ids = list(session.scalars(stmt))
    for start in range(0, len(ids), batch):
        yield from summaries(session, ids[start : start + batch])


M = TypeVar("M", bound=BaseModel)


@cache
def _defaults(model: type[BaseModel]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A model's plain defaults and its default factories, by field name."""
    plain, factories = {}, {}
    for name, info in model.model_fields.items():
        if info.default_factory is not None:
            factories[name] = info.default_factory
        elif not info.is_required():
            plain[name] = info.default
    return plain, factories


def built(model: type[M], **values: Any) -> M:
    """What `model_construct` makes of values the store built itself (no aliases, no validators), in a
    fraction of its time: a page of 25 alliances constructs some 200 records (issue 13, load)."""
    plain, factories = _defaults(model)
    fields = {**plain, **{k: f() for k, f in factories.items() if k not in values}, **values}
    record = model.__new__(model)
    object.__setattr__(record, "__dict__", fields)
    object.__setattr__(record, "__pydantic_fields_set__", set(values))
    object.__setattr__(record, "__pydantic_extra__", None)
    object.__setattr__(record, "__pydantic_private__", None)
    return record


@cache
def _field_names(model: type[BaseModel]) -> tuple[str, ...]:
    return tuple(model.model_fields)


def laid_out(model: type[M], **values: Any) -> M:
    """`model_construct` of values that name every field (no aliases, no validators, no defaults used),
    laid out in the model's field order as it lays them (and so serialises them), in a fraction of its
    time: a profile constructs a partner, a summary or a reference by the hundred (issue 13, load)."""
    names = _field_names(model)
    record = model.__new__(model)
    object.__setattr__(record, "__dict__", {name: values[name] for name in names})
    object.__setattr__(record, "__pydantic_fields_set__", set(names))
    object.__setattr__(record, "__pydantic_extra__", None)
    object.__setattr__(record, "__pydantic_private__", None)
    return record


SUMMARY_COLUMNS = (
    Alliance.id,
    Alliance.key,
    Alliance.title,
    Alliance.type,
    Alliance.announced,
    Alliance.year,
    Alliance.ended,
    Alliance.status,
    Alliance.amount,
    Alliance.currency,
    Alliance.amount_kind,
    Alliance.vehicle_name,
    Alliance.vehicle_id,
    Alliance.origin,
)


def summaries(session: Session, ids: list[int]) -> list[AllianceSummary]:
    """Alliance summaries for the given ids, in that order: a fixed number of queries.

    Columns, not ORM objects (issue 13, load): a page of 25 alliances is some 400 rows of parties and
    tags, and building an identity-mapped instance for each cost most of a list request's CPU.
    """
    if not ids:
        return []
    # Written into the statements: PostgreSQL's bound parameters cost a cast and a value each, twice
    # the CPU of the four reads of a profile's 50 alliances (issue 13, load).
    listed = inline_ids(ids)
    rows = {row.id: row for row in session.execute(select(*SUMMARY_COLUMNS).where(Alliance.id.in_(listed)))}
    parties, tags = _parties_of(session, listed), _tags_of(session, listed)
    sources: dict[int, SummarySource] = {}
    for supported, url, title, path in session.execute(
        select(Evidence.alliance_id, Source.url, Source.title, Source.path)
        .join(Source, Source.id == Evidence.source_id)
        .where(Evidence.alliance_id.in_(listed))
        .order_by(Evidence.id)
    ):
        if supported is not None:
            sources.setdefault(supported, built(SummarySource, url=url, title=title, path=path))
    return [_summary(rows[i], parties[i], tags[i], sources.get(i)) for i in ids if i in rows]


def _parties_of(session: Session, listed: Any) -> dict[int, list[PartyPublic]]:
    """The parties of these alliances (`inline_ids`), in their order."""
    parties: dict[int, list[PartyPublic]] = defaultdict(list)
    for alliance_id, org_id, name, kind, country, role in session.execute(
        select(
            Party.alliance_id,
            Organisation.id,
            Organisation.name,
            Organisation.kind,
            Organisation.country,
            Party.role,
        )
        .join(Organisation, Organisation.id == Party.organisation_id)
        .where(Party.alliance_id.in_(listed))
        .order_by(Party.alliance_id, Party.position)
    ):
        parties[alliance_id].append(
            built(PartyPublic, id=org_id, name=name, kind=kind, country=country, role=role)
        )
    return parties


def _tags_of(session: Session, listed: Any) -> dict[int, dict[str, list[str]]]:
    """The tag values of these alliances (`inline_ids`), by facet."""
    tags: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for alliance_id, facet, value in session.execute(
        select(AllianceTag.alliance_id, AllianceTag.facet, AllianceTag.value).where(
            AllianceTag.alliance_id.in_(listed)
        )
    ):
        tags[alliance_id][facet].append(value)
    return tags


def _summary(
    a: Any, parties: list[PartyPublic], tags: dict[str, list[str]], source: SummarySource | None
) -> AllianceSummary:
    """One summary from a row of SUMMARY_COLUMNS."""
    return built(
        AllianceSummary,
        id=a.id,
        key=a.key,
        title=a.title,
        parties=parties,
        type=a.type,
        technologies=sorted(tags.get("technology", [])),
        stages=_stage_order(tags.get("stage", [])),
        therapeutic_areas=sorted(tags.get("area", [])),
        announced=a.announced,
        year=a.year,
        ended=a.ended,
        status=a.status,
        amount=built(Amount, value=a.amount, currency=a.currency, kind=a.amount_kind)
        if a.amount is not None
        else None,
        vehicle=a.vehicle_name,
        vehicle_id=a.vehicle_id,
        origin=a.origin,
        source=source,
    )


STAGE_ORDER = ("research", "development", "production", "distribution", "usage")


def _stage_order(stages: list[str]) -> list[str]:
    return sorted(stages, key=lambda s: STAGE_ORDER.index(s) if s in STAGE_ORDER else 99)


def get_alliance(session: Session, alliance_id: int, *, viewer: Viewer | None = None) -> AllianceRecord:
    """One alliance with its parties, events and every evidence quote with its source.

    Five statements, columns rather than ORM objects: the row (if the viewer may read it) with its
    detail, the parties, the tags, the evidence (whose first source the summary names) and the events;
    the detail page is the commonest cache miss under load (issue 13).
    """
    row = session.execute(
        visible(select(*SUMMARY_COLUMNS, *DETAIL_COLUMNS), Alliance, viewer).where(Alliance.id == alliance_id)
    ).first()
    if row is None:
        raise NotFound(f"no alliance with id {alliance_id}")
    listed = inline_ids([alliance_id])
    parties, tags = _parties_of(session, listed), _tags_of(session, listed)
    evidence = evidence_of(session, Evidence.alliance_id == alliance_id)
    first = evidence[0].source if evidence else None
    source = built(SummarySource, url=first.url, title=first.title, path=first.path) if first else None
    summary = _summary(row, parties[alliance_id], tags[alliance_id], source)
    undated_last = (Event.date.is_(None), Event.date, Event.id)  # the same order on every engine
    events = [
        laid_out(EventPublic, kind=kind, date=date, note=note)
        for kind, date, note in session.execute(
            select(Event.kind, Event.date, Event.note)
            .where(Event.alliance_id == alliance_id)
            .order_by(*undated_last)
        )
    ]
    return AllianceRecord.model_construct(
        **dict(summary),
        description=row.description,
        visibility=row.visibility,
        owner_id=row.owner_id,
        events=events,
        evidence=evidence,
    )


DETAIL_COLUMNS = (Alliance.description, Alliance.visibility, Alliance.owner_id)
EVIDENCE_COLUMNS = (
    Evidence.quote,
    Evidence.start,
    Evidence.end,
    Source.id,
    Source.title,
    Source.publisher,
    Source.date,
    Source.url,
    Source.path,
    Source.language,
)


def evidence_of(session: Session, condition: Any) -> list[EvidencePublic]:
    """Every quote that supports a record, with its source, in the order they were stored (columns)."""
    stmt = select(*EVIDENCE_COLUMNS).join(Source, Source.id == Evidence.source_id).where(condition)
    return [
        laid_out(
            EvidencePublic,
            quote=quote,
            start=start,
            end=end,
            source=laid_out(
                SourcePublic,
                id=source_id,
                title=title,
                publisher=publisher,
                date=date,
                url=url,
                path=path,
                language=language,
            ),
        )
        for quote, start, end, source_id, title, publisher, date, url, path, language in session.execute(
            stmt.order_by(Evidence.id)
        )
    ]


def source_record(src: Source) -> SourcePublic:
    return SourcePublic.model_construct(
        id=src.id,
        title=src.title,
        publisher=src.publisher,
        date=src.date,
        url=src.url,
        path=src.path,
        language=src.language,
    )
