"""Pre-aggregated counts of public alliances, so the matrix and trends read thousands of rows, not millions.

One table, `alliance_rollup`: for each measure, the count of public alliances (or parties) per year, type
and status (the filters it can answer) and per key (technology, stage, both, organisation kind, year ended);
the `tech.*` and `stage.*` measures hold the trends series once more per technology or stage tag, so a
trends filter on one of those is read here too (migration 0010_rollup2 fills them).
Private alliances are never in it: readers add those the viewer may see, live (few rows, partial index).

Kept current on every write by session events, so no writer has to remember it:
- ORM flushes: the alliances a flush touches (directly, or through their tags, parties, events, or a
  party organisation's kind) have their contributions computed before and after; the difference is
  added (`after_flush`).
- Core UPDATE/DELETE on those tables (merging organisations) the same way around the statement; one
  without WHERE (restore empties every table) rebuilds the whole rollup at commit.
- Core INSERTs are bulk loads (synthetic networks): their callers call `rebuild` at the end, as does
  migration 0009_aggregates for the data already there.
The same hooks count writes in one row (`WRITES`): the cheap data-version stamp of `store.version`.
Two more counters let the web's response cache tell writes apart (issue 13, load): `TEXT` moves on any
write of evidence or sources, `OTHER` on any audited commit that is not only candidates, sources or
tokens (projects, accounts...; `store.audit` moves it). A new evidence quote of an alliance that
already had one changes no list, profile or count (only its page, searches and the headline counts,
which read `TEXT`), so it moves `TEXT` alone: restating a known alliance, the commonest accept, no
longer empties every cache.
"""

from __future__ import annotations

import weakref
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Index,
    Integer,
    Select,
    String,
    Table,
    bindparam,
    delete,
    event,
    func,
    insert,
    inspect,
    literal,
    literal_column,
    select,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.orm import (
    InstanceState,
    Mapped,
    ORMExecuteState,
    Session,
    SessionTransaction,
    aliased,
    mapped_column,
)
from sqlalchemy.sql import Delete, Update

from alliances.store.models import Alliance, AllianceTag, Base, Event, Evidence, Organisation, Party, Source

Key = tuple[str, int, str, str, str, str]  # measure, year (0: undated), type, status, key, stage
TRACKED = {"alliance", "party", "alliance_tag", "event", "organisation"}
# A literal, not a bound parameter, so both engines can use the partial index of private rows.
PUBLIC: ColumnElement[str] = literal_column("'public'")
_CHUNK = 500
# Not a count of alliances: how many tracked writes there have been, a cheap data-version stamp.
WRITES: Key = ("writes", 0, "", "", "", "")
TEXT: Key = ("writes.text", 0, "", "", "", "")  # writes of evidence and sources
OTHER: Key = ("writes.other", 0, "", "", "", "")  # other audited writes (projects, accounts...)
COUNTERS = (WRITES[0], TEXT[0], OTHER[0])
# Tag facets a trends filter may name and still be read from the rollup (measure prefixes): the
# technology and value-chain filters of the trends page, at 100,000 alliances half a second live.
TAG_FILTERS = {"technology": "tech", "stage": "stage"}


class Rollup(Base):
    """Count `n` of public alliances (parties for `kind`) per measure and dimensions."""

    __tablename__ = "alliance_rollup"

    measure: Mapped[str] = mapped_column(String(12), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    type: Mapped[str] = mapped_column(String(40), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    stage: Mapped[str] = mapped_column(String(100), primary_key=True)
    n: Mapped[int] = mapped_column(Integer)


# The few private alliances, found without scanning the public million (readers add them live).
Index(
    "ix_alliance_private",
    Alliance.owner_id,
    sqlite_where=text("visibility != 'public'"),
    postgresql_where=text("visibility != 'public'"),
)
# The list's default order (latest first, undated last) walked from an index on PostgreSQL, so a page
# stops after its rows. SQLite has no NULLS LAST in an index (its DESC puts NULLs last already): the
# migration creates it there without, and `create_all` leaves it out.
Index("ix_alliance_recent", Alliance.announced.desc().nulls_last(), Alliance.id.desc()).ddl_if(
    dialect="postgresql"
)
# Alliances naming an organisation as their vehicle (may a reader see that organisation?). Only those
# that name one (0011_scale2): over every row the column has one value, NULL, and SQLite scans instead.
Index(
    "ix_alliance_vehicle",
    Alliance.vehicle_id,
    sqlite_where=text("vehicle_id IS NOT NULL"),
    postgresql_where=text("vehicle_id IS NOT NULL"),
)


def _dims() -> list[Any]:
    return [func.coalesce(Alliance.year, 0), Alliance.type, func.coalesce(Alliance.status, "")]


def _end_year() -> Any:
    """The year an alliance ended: `ended`, else its first dated `terminated` event ('' when neither)."""
    event_date = (
        select(Event.date)
        .where(
            Event.alliance_id == Alliance.id, Event.kind == "terminated", func.coalesce(Event.date, "") != ""
        )
        .order_by(Event.id)
        .limit(1)
        .scalar_subquery()
    )
    return func.coalesce(func.substr(func.coalesce(func.nullif(Alliance.ended, ""), event_date), 1, 4), "")


def contributions(ids: list[int] | BindParameter[Any] | None) -> list[Select[Any]]:
    """One grouped select per measure of (measure, year, type, status, key, stage, n) over the public
    alliances (all of them, or those of `ids`)."""
    where = [Alliance.visibility == PUBLIC] + ([Alliance.id.in_(ids)] if ids is not None else [])
    dims = _dims()
    tech, stage = aliased(AllianceTag), aliased(AllianceTag)
    ended = (
        select(*dims, _end_year().label("ended")).where(*where, Alliance.status == "terminated").subquery()
    )
    return [
        select(literal("alliances"), *dims, literal(""), literal(""), func.count())
        .where(*where)
        .group_by(*dims),
        select(literal("cell"), *dims, tech.value, stage.value, func.count())
        .join(tech, (tech.alliance_id == Alliance.id) & (tech.facet == "technology"))
        .join(stage, (stage.alliance_id == Alliance.id) & (stage.facet == "stage"))
        .where(*where)
        .group_by(*dims, tech.value, stage.value),
        select(literal("technology"), *dims, tech.value, literal(""), func.count())
        .join(tech, (tech.alliance_id == Alliance.id) & (tech.facet == "technology"))
        .where(*where)
        .group_by(*dims, tech.value),
        select(literal("stage"), *dims, stage.value, literal(""), func.count())
        .join(stage, (stage.alliance_id == Alliance.id) & (stage.facet == "stage"))
        .where(*where)
        .group_by(*dims, stage.value),
        select(literal("kind"), *dims, Organisation.kind, literal(""), func.count(Party.id))
        .join(Party, Party.alliance_id == Alliance.id)
        .join(Organisation, Organisation.id == Party.organisation_id)
        .where(*where)
        .group_by(*dims, Organisation.kind),
        select(literal("ended"), *ended.c, literal(""), func.count()).group_by(*ended.c),
        *(stmt for facet in TAG_FILTERS for stmt in _tag_filtered(facet, where)),
    ]


def _tag_filtered(facet: str, where: list[ColumnElement[bool]]) -> list[Select[Any]]:
    """The trends series under one tag filter ("<prefix>.<series>", key: the filter's tag value, stage:
    the series' key): technologies, party kinds and year ended of the alliances carrying that tag."""
    prefix = TAG_FILTERS[facet]
    dims = _dims()
    tag, tech = aliased(AllianceTag), aliased(AllianceTag)
    tagged = (tag.alliance_id == Alliance.id) & (tag.facet == facet)
    ended = (
        select(*dims, tag.value.label("tag"), _end_year().label("ended"))
        .join(tag, tagged)
        .where(*where, Alliance.status == "terminated")
        .subquery()
    )
    return [
        select(literal(f"{prefix}.tech"), *dims, tag.value, tech.value, func.count())
        .join(tag, tagged)
        .join(tech, (tech.alliance_id == Alliance.id) & (tech.facet == "technology"))
        .where(*where)
        .group_by(*dims, tag.value, tech.value),
        select(literal(f"{prefix}.kind"), *dims, tag.value, Organisation.kind, func.count(Party.id))
        .join(tag, tagged)
        .join(Party, Party.alliance_id == Alliance.id)
        .join(Organisation, Organisation.id == Party.organisation_id)
        .where(*where)
        .group_by(*dims, tag.value, Organisation.kind),
        select(literal(f"{prefix}.ended"), *ended.c, func.count()).group_by(*ended.c),
    ]


@lru_cache(maxsize=1)
def _contributions_of_ids() -> list[Select[Any]]:
    """`contributions` of the alliances given at execution as `ids`, built once: building these selects
    cost more than running them, twice on every write (issue 13, load)."""
    return contributions(bindparam("ids", expanding=True))


def counted(session: Session, ids: Iterable[int]) -> Counter[Key]:
    """The rollup rows these alliances account for (public ones only), by key."""
    out: Counter[Key] = Counter()
    todo = sorted(set(ids))
    for start in range(0, len(todo), _CHUNK):
        for stmt in _contributions_of_ids():
            for m, y, t, s, k, st, n in session.execute(stmt, {"ids": todo[start : start + _CHUNK]}):
                out[(m, int(y), t, s, str(k), st)] += int(n)
    return out


def apply(session: Session, delta: Counter[Key]) -> None:
    """Add `delta` to the rollup at commit (`_before_commit`), not now.

    Every write moves the `WRITES` row, so from its first upsert to its commit a transaction holds a lock
    every other writer waits for. On PostgreSQL an accept upserted in its first flush and held it for
    the rest of its work, half its time; queued at commit, the upserts lock for the last statements only.
    """
    pending: Counter[Key] = session.info.setdefault("rollup_delta", Counter())
    pending.update(delta)


def _apply_now(session: Session, delta: Counter[Key]) -> None:
    """The upserts, in key order, so concurrent writers lock rows alike."""
    changes = sorted((k, n) for k, n in delta.items() if n)
    if not changes:
        return
    conn = session.connection()  # derived data: not through the session, so not in the audit log
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    lock_writers(session)
    cols = ("measure", "year", "type", "status", "key", "stage")
    for key, n in changes:
        stmt = dialect.insert(Rollup).values({**dict(zip(cols, key, strict=True)), "n": n})
        conn.execute(stmt.on_conflict_do_update(index_elements=cols, set_={"n": Rollup.n + n}))
    if any(n < 0 for _, n in changes):  # only a decrement can leave an empty cell
        conn.execute(delete(Rollup).where(Rollup.n == 0))


def lock_writers(session: Session) -> None:
    """One rollup writer at a time on PostgreSQL, as on SQLite: two transactions each updating rows the
    other holds would otherwise deadlock. Released at commit or rollback. The audit log takes it before
    its own lock, so that every transaction takes the two in the same order."""
    if session.get_bind().dialect.name == "postgresql" and not session.info.get("rollup_locked"):
        session.connection().execute(text("SELECT pg_advisory_xact_lock(16016)"))
        session.info["rollup_locked"] = True


def _counters_only(session: Session) -> None:
    """Drop the queued contributions (a rebuild recounts them) and keep the write counters."""
    pending: Counter[Key] | None = session.info.get("rollup_delta")
    if pending:
        for key in [k for k in pending if k[0] not in COUNTERS]:
            del pending[key]


def rebuild(session: Session) -> int:
    """Recompute the whole rollup from the alliances (after bulk loads); returns its number of rows."""
    conn = session.connection()  # derived data: not through the session, so not in the audit log
    _counters_only(session)
    conn.execute(delete(Rollup).where(Rollup.measure.not_in(COUNTERS)))
    cols = [Rollup.measure, Rollup.year, Rollup.type, Rollup.status, Rollup.key, Rollup.stage, Rollup.n]
    for stmt in contributions(None):
        conn.execute(insert(Rollup).from_select([c.key for c in cols], stmt))
    apply(session, Counter({WRITES: 1}))
    _apply_now(session, session.info.pop("rollup_delta"))
    return int(session.scalar(select(func.count()).select_from(Rollup)) or 0)


# --- keeping it current -------------------------------------------------------------------------------


def _touched(session: Session) -> tuple[set[int], list[Any]]:
    """Alliance ids a pending flush changes, and the new objects whose ids are known only after it."""
    ids: set[int] = set()
    later: list[Any] = []
    kinds_changed: list[int] = []
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Alliance) and not _changed(session, obj):
            continue  # only its evidence collection moved
        if isinstance(obj, Alliance):
            if obj.id is None:
                later.append(obj)
            else:
                ids.add(obj.id)
        elif isinstance(obj, Party | AllianceTag | Event):
            state: InstanceState[Any] = inspect(obj)
            history = state.attrs.alliance_id.history  # a row moved: its old alliance too
            ids.update(i for i in (*history.deleted, obj.alliance_id) if i is not None)
            if obj.alliance_id is None or obj in session.new:
                later.append(obj)  # a tag of a new alliance: its id is known after the flush
        elif isinstance(obj, Organisation) and obj.id is not None and _kind_may_change(session, obj):
            kinds_changed.append(obj.id)
    if kinds_changed:
        ids.update(session.scalars(select(Party.alliance_id).where(Party.organisation_id.in_(kinds_changed))))
    return ids, later


def _kind_may_change(session: Session, org: Organisation) -> bool:
    return org in session.deleted or bool(inspect(org).attrs.kind.history.has_changes())


def _changed(session: Session, obj: Any) -> bool:
    """Whether a flushed object counts as changed: new, deleted, or (an alliance) anything changed but
    its evidence collection, (evidence, a source) a column changed; any other tracked object always."""
    if obj not in session.dirty:
        return True
    if isinstance(obj, Alliance):
        state: InstanceState[Any] = inspect(obj)
        return any(a.key != "evidence" and a.history.has_changes() for a in state.attrs)
    if isinstance(obj, Evidence | Source):
        return session.is_modified(obj, include_collections=False)
    return True


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    if not _has_rollup(session):
        return
    tracked = (Alliance, Party, AllianceTag, Event, Organisation)
    changed = [o for o in (*session.new, *session.dirty, *session.deleted) if _changed(session, o)]
    texts = [o for o in changed if isinstance(o, Evidence | Source)]
    # Evidence or a source edited or removed can change the first source a list shows: a full write.
    structural = any(isinstance(o, tracked) for o in changed) or any(o not in session.new for o in texts)
    if not structural and not texts:
        return  # accounts, audit, health plans...: neither counts nor the write stamp change
    with session.no_autoflush:
        ids, later = _touched(session) if structural else (set(), [])
        before = counted(session, ids)
    quotes = [o for o in texts if isinstance(o, Evidence) and o in session.new]
    session.info["rollup_pending"] = (ids, later, before, structural, bool(texts), quotes)


def _after_flush(session: Session, _context: Any) -> None:
    pending = session.info.pop("rollup_pending", None)
    if pending is None:
        return
    ids, later, before, structural, text, quotes = pending
    ids = set(ids)
    for obj in later:
        i = obj.id if isinstance(obj, Alliance) else obj.alliance_id
        if i is not None:
            ids.add(i)
    after = counted(session, ids) if ids else Counter()
    after.subtract(before)
    if structural or _first_quotes(session, quotes):
        after[WRITES] += 1  # any organisation or alliance write, counted or not
    if text:
        after[TEXT] += 1
    apply(session, after)


def _first_quotes(session: Session, quotes: list[Evidence]) -> bool:
    """Whether one of these new evidence rows is the first of its alliance: lists show an alliance's
    first source, which a later quote never changes but a first one does."""
    for quote in quotes:
        if quote.alliance_id is None:
            continue
        older = select(Evidence.id).where(Evidence.alliance_id == quote.alliance_id, Evidence.id < quote.id)
        if session.scalar(older.limit(1)) is None:
            return True
    return False


def counter(session: Session, key: Key) -> int | None:
    """One of the write counters (`WRITES`, `TEXT`, `OTHER`); None before migration 0009."""
    if not _has_rollup(session):
        return None
    return int(session.scalar(select(Rollup.n).where(Rollup.measure == key[0])) or 0)


def count_other(session: Session) -> None:
    """Move `OTHER` in this transaction (called by the audit log for writes the counters miss)."""
    if _has_rollup(session):
        apply(session, Counter({OTHER: 1}))


def _statement_ids(table: Table, where: Any) -> Select[Any]:
    """The alliances an UPDATE/DELETE with this WHERE clause touches."""
    if table.name == "organisation":
        return select(Party.alliance_id).where(Party.organisation_id.in_(select(table.c.id).where(where)))
    return select(table.c.id if table.name == "alliance" else table.c.alliance_id).where(where)


def _around_statement(state: ORMExecuteState) -> Any:
    """Core UPDATE/DELETE of a tracked table: count the alliances it touches before and after it."""
    stmt = state.statement
    if not isinstance(stmt, Update | Delete) or state.session.info.get("rollup_busy"):
        return None
    table = stmt.table
    if not isinstance(table, Table) or table.name not in TRACKED or not _has_rollup(state.session):
        return None
    session = state.session
    if stmt.whereclause is None:  # a whole table (restore): cheaper to recount once at commit
        session.info["rollup_rebuild"] = True
        return None
    session.info["rollup_busy"] = True
    try:
        ids = [i for i in session.scalars(_statement_ids(table, stmt.whereclause)) if i is not None]
        before = counted(session, ids)
        result = state.invoke_statement()
        after = counted(session, ids)
        after.subtract(before)
        after[WRITES] += 1
        apply(session, after)
    finally:
        session.info.pop("rollup_busy", None)
    return result


# Engines whose database has the rollup table: once there it stays (asking cost a catalogue query in
# every session, two per web request; `Database.downgrade` forgets its engine).
HAVE_ROLLUP: weakref.WeakSet[Engine] = weakref.WeakSet()


def _has_rollup(session: Session) -> bool:
    """Whether this database has the rollup table yet (not before migration 0009); asked once a session."""
    known = session.info.get("rollup_table")
    if known is None:
        engine = session.get_bind().engine
        known = engine in HAVE_ROLLUP or inspect(session.connection()).has_table(Rollup.__tablename__)
        session.info["rollup_table"] = known
        if known:
            HAVE_ROLLUP.add(engine)
    return bool(known)


def has_rollup(session: Session) -> bool:
    """Readers fall back to live counts on a database not yet migrated to 0009."""
    return _has_rollup(session)


def _before_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint's release: its delta stays queued for the real commit
    if session.info.pop("rollup_rebuild", False):
        rebuild(session)
    delta = session.info.pop("rollup_delta", None)
    if delta:
        _apply_now(session, delta)


def _savepoint(session: Session, transaction: SessionTransaction) -> None:
    if transaction.nested:  # what is queued when it begins is what a rollback of it goes back to
        saved = session.info.setdefault("rollup_saved", {})
        saved[id(transaction)] = Counter(session.info.get("rollup_delta") or ())


def _rolled_back(session: Session, transaction: SessionTransaction) -> None:
    saved = session.info.get("rollup_saved", {}).pop(id(transaction), None)
    if transaction.nested and saved is not None:
        session.info["rollup_delta"] = saved


def _ended(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # committed (applied), rolled back or closed: nothing stays queued
        session.info.pop("rollup_delta", None)
        session.info.pop("rollup_saved", None)


def _forget(session: Session) -> None:
    for key in ("rollup_pending", "rollup_rebuild", "rollup_busy", "rollup_table", "rollup_locked"):
        session.info.pop(key, None)


def _committed(session: Session) -> None:
    session.info.pop("rollup_locked", None)


event.listen(Session, "before_flush", _before_flush)
event.listen(Session, "after_flush", _after_flush)
event.listen(Session, "do_orm_execute", _around_statement)
event.listen(Session, "before_commit", _before_commit)
event.listen(Session, "after_rollback", _forget)
event.listen(Session, "after_commit", _committed)
event.listen(Session, "after_transaction_create", _savepoint)
event.listen(Session, "after_soft_rollback", _rolled_back)
event.listen(Session, "after_transaction_end", _ended)
