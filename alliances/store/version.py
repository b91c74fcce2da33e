"""A cheap stamp of the data's state, and a memo of derived results keyed by it.

Analytics (matrix, trends, headline counts, network) are pure functions of the data: computed once per
data version and filter set, they cost a dictionary lookup until the next write.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any, NamedTuple, TypeVar

from cachetools import LRUCache
from sqlalchemy import event, func, select
from sqlalchemy.orm import ORMExecuteState, Session

from alliances.store.models import Alliance, AllianceTag, Organisation, Party

T = TypeVar("T")
WAIT_SECONDS = 30.0  # how often a waiter looks again (the computing thread may have failed)


def data_version(session: Session) -> tuple[int, ...]:
    """Row counts and highest ids of the tables analytics read (a few milliseconds on 100,000 alliances).

    Each aggregate is its own statement: SQLite answers a bare `count(*)` or `max(id)` from the b-tree
    without a scan, but not the two together. Any insert or delete of an alliance, party, tag or
    organisation (accepting or rejecting a candidate, merging two organisations) changes the tuple.
    """
    known = session.info.get(_VERSION)
    if known is not None:  # asked by several memos in one request: read once until this session writes
        return known  # type: ignore[no-any-return]
    if _read_stamps(session):
        return session.info[_VERSION]  # type: ignore[no-any-return]
    stamp = _data_version(session)
    session.info[_VERSION] = stamp
    return stamp


_VERSION = "data_version"


def _read_stamps(session: Session) -> bool:
    """Both versions in one statement (`store.lookup`), on a database with the write counters: read one
    by one they were six round trips, and on PostgreSQL every write asks for them (the resolver's memo)."""
    from alliances.store.lookup import versions_statement
    from alliances.store.rollup import has_rollup

    if not has_rollup(session):
        return False
    writes, text, other, *ids, _last = (int(v or 0) for v in session.execute(versions_statement()).one())
    session.info[_VERSION] = (writes, *ids)
    session.info[_FULL] = (writes, *ids, text, other)
    return True


def _data_version(session: Session) -> tuple[int, ...]:
    """Before migration 0009 (no write counters): row counts stand in."""
    ids = [session.scalar(select(func.max(c))) or 0 for c in (Alliance.id, Party.id, Organisation.id)]
    stamp: list[int] = []
    for model in (Alliance, Party, Organisation, AllianceTag):
        stamp.append(session.scalar(select(func.count()).select_from(model)) or 0)
    stamp += ids
    stamp.append(session.scalar(select(func.count(Organisation.parent_id))) or 0)
    return tuple(stamp)


def _forget_version(session: Session, *_args: Any) -> None:
    session.info.pop(_VERSION, None)
    session.info.pop(_FULL, None)


for _name in ("after_flush", "after_commit", "after_rollback", "after_soft_rollback"):
    event.listen(Session, _name, _forget_version)


@event.listens_for(Session, "do_orm_execute")
def _forget_on_write(state: ORMExecuteState) -> None:
    """A Core UPDATE/DELETE through the session (merges, restores) moves the version too."""
    if not state.is_select:
        state.session.info.pop(_VERSION, None)
        state.session.info.pop(_FULL, None)


class Memo:
    """Results keyed by (data version, key), least recently used dropped first; thread-safe.

    Owned by a `Database` (every session it opens carries it in `session.info`) or by the web app,
    never by a module: two databases in one process never share entries.

    Single flight: after a write changes the version, the first reader of a key computes it while the
    others asking for the same key wait for that result, instead of all computing it at once (issue 13:
    50 concurrent clients each recomputing every analytics after each write made p95 seconds long).
    """

    def __init__(self, size: int = 64) -> None:
        self.commits = 0  # writing transactions committed through this database's sessions, in this process
        self._lock = threading.Lock()
        self._items: LRUCache[tuple[Any, ...], Any] = LRUCache(maxsize=size)
        self._pending: dict[tuple[Any, ...], threading.Event] = {}

    def get(
        self,
        session: Session,
        key: Hashable,
        compute: Callable[[], T],
        version: tuple[int, ...] | None = None,
    ) -> T:
        full = (version or data_version(session), key)
        while True:
            with self._lock:
                if full in self._items:
                    return self._items[full]  # type: ignore[no-any-return]
                running = self._pending.get(full)
                if running is None:
                    running = self._pending[full] = threading.Event()
                    break  # this thread computes
            running.wait(WAIT_SECONDS)  # another thread computes it: its result, or our turn if it failed
        try:
            value = compute()  # outside the lock: a slow computation never blocks other keys
            with self._lock:
                self._items[full] = value
            return value
        finally:
            with self._lock:
                self._pending.pop(full, None)
            running.set()

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


@event.listens_for(Session, "after_flush")
def _wrote(session: Session, _ctx: Any) -> None:
    from alliances.store.audit import quiet_edit

    changed = (*session.new, *session.dirty, *session.deleted)
    if any(getattr(obj, "__tablename__", None) != "audit_entry" and not quiet_edit(obj) for obj in changed):
        session.info["wrote"] = True


@event.listens_for(Session, "after_commit")
def _count_commit(session: Session) -> None:
    if session.info.pop("wrote", False):
        memo = memo_of(session)
        with memo._lock:
            memo.commits += 1


class Versions(NamedTuple):
    """The two stamps a cached answer is keyed by (`web.cache`), with and without this process's commits.

    `full`: the data version, the text counter (evidence, sources) and the last audit entry (every audited
    write: candidates, projects, sources, accounts...). `lean`, for pages that read neither evidence
    quotes nor candidates (lists, profiles, matrix, trends, network): the data version and the counter
    of audited writes other than candidates, sources and tokens. Restating a known alliance moves
    `full` only (issue 13, load)."""

    full: tuple[Any, ...]
    lean: tuple[Any, ...]
    commits: int


def response_version(session: Session) -> Versions:
    """What cached responses depend on (`Versions`); a write through this process or any other changes
    it before its commit returns. A candidate corrected in review (`audit.EDIT`) changes none of the
    cached pages, so neither counts."""
    from alliances.store.accounts import AuditEntry
    from alliances.store.audit import EDIT
    from alliances.store.rollup import OTHER, TEXT, WRITES, Rollup, has_rollup

    latest = select(AuditEntry.seq).where(AuditEntry.action != EDIT).order_by(AuditEntry.seq.desc()).limit(1)
    commits = memo_of(session).commits
    if session.info.get(_VERSION) is None and has_rollup(session):
        # Asked before every cached answer: the stamps and the audit position in one statement.
        counters = (
            select(Rollup.n).where(Rollup.measure == k[0]).scalar_subquery() for k in (WRITES, TEXT, OTHER)
        )
        row = session.execute(
            select(
                *counters,
                *(select(func.max(c)).scalar_subquery() for c in (Alliance.id, Party.id, Organisation.id)),
                latest.scalar_subquery(),
            )
        ).one()
        writes, text, other, *ids, last = (int(value or 0) for value in row)
        stamp = (writes, *ids)
        session.info[_VERSION] = stamp
        session.info[_FULL] = (*stamp, text, other)
        return Versions((*stamp, text, last), (*stamp, other), commits)
    full = full_version(session)  # before migration 0009 it holds the audit position already
    return Versions(full, full, commits)


_FULL = "full_version"


def full_version(session: Session) -> tuple[int, ...]:
    """The data version and the write counters of evidence, sources and other audited writes: for
    results that read evidence quotes or sources (searches, the headline counts)."""
    from alliances.store.accounts import AuditEntry
    from alliances.store.audit import EDIT
    from alliances.store.models import Evidence

    known = session.info.get(_FULL)
    if known is not None:
        return known  # type: ignore[no-any-return]
    if _read_stamps(session):  # the write counters (migration 0009 on)
        return session.info[_FULL]  # type: ignore[no-any-return]
    # Before migration 0009: the evidence rows and the audit position stand in.
    extra = (
        session.scalar(select(func.count()).select_from(Evidence)) or 0,
        session.scalar(select(func.max(Evidence.id))) or 0,
        session.scalar(select(func.max(AuditEntry.seq)).where(AuditEntry.action != EDIT)) or 0,
    )
    stamp = (*data_version(session), *extra)
    session.info[_FULL] = stamp
    return stamp


def lean_version(session: Session) -> tuple[int, ...]:
    """`full_version` without the text counter: for results that read projects or accounts but no
    evidence quote (organisation profiles)."""
    from alliances.store.rollup import has_rollup

    full = full_version(session)
    return (*full[:-2], full[-1]) if has_rollup(session) else full


def memo_of(session: Session) -> Memo:
    """The memo of the database a session belongs to (a fresh, unshared one for a bare session)."""
    memo = session.info.get("memo")
    if isinstance(memo, Memo):
        return memo
    memo = Memo(size=8)
    session.info["memo"] = memo
    return memo


def versions_of(session_info: dict[str, Any], looked: Any, commits: int) -> Versions:
    """`response_version` from a `store.lookup.look` (migrated databases), and the stamps it read kept
    in `session_info` for a session that reads in the same state (`seed`)."""
    stamp = looked.stamp
    session_info[_VERSION] = stamp
    session_info[_FULL] = (*stamp, looked.text, looked.other)
    return Versions((*stamp, looked.text, looked.last), (*stamp, looked.other), commits)


_SEED = "version_seed"


def seed(session: Session, stamps: dict[str, Any]) -> None:
    """Start a request's session with the stamps its cached-answer lookup read just before (`versions_of`):
    its memos need not read them again. Its own snapshot is as new or newer, so a result kept under these
    stamps is never older than they say. Applied when its first transaction begins (`_begun`), so that
    the session takes no connection before its first query."""
    session.info[_SEED] = stamps


def _begun(session: Session, *_args: Any) -> None:
    _forget_version(session)
    stamps = session.info.pop(_SEED, None)
    if stamps:
        session.info.update(stamps)


def kept_while_clean(session: Session, key: Hashable, compute: Callable[[], T]) -> T:
    """A result kept per lean version, for a session that has written nothing yet (callers copy what
    they change). A session's own unflushed or uncommitted writes could stamp a version that a rollback
    then gives to other data: such a session computes afresh."""
    if session.new or session.dirty or session.deleted or session.info.get("wrote"):
        return compute()
    return memo_of(session).get(session, key, compute, version=lean_version(session))


event.listen(Session, "after_begin", _begun)
