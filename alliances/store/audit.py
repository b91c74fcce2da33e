"""The tamper-evident audit log: each entry carries the hash of the one before it.

`record()` is the one call every write path (and every read of private data) makes, inside the
caller's transaction, so an entry exists exactly when the change it describes was committed.
Editing, removing or reordering entries breaks the chain, and `verify()` names the first bad one.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextvars import ContextVar, Token
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import event, func, select, text
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import ORMExecuteState, Session

from alliances.store.accounts import AuditEntry

GENESIS = "0" * 64
FIELDS = ("seq", "at", "who", "action", "record", "origin", "detail", "prev_hash")


class AuditRecord(BaseModel):
    """One entry of the audit log as `audit show` prints it (`detail` is the JSON text stored)."""

    seq: int
    at: str
    who: str
    action: str
    record: str | None = None
    origin: str | None = None
    detail: str | None = None
    prev_hash: str
    hash: str


def entry_hash(values: dict[str, Any]) -> str:
    """SHA-256 over the canonical JSON of an entry's fields (its own hash excluded)."""
    body = json.dumps({k: values.get(k) for k in FIELDS}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _lock(session: Session) -> None:
    """Serialise appends: two writers must not both chain onto the same last entry."""
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        from alliances.store.rollup import lock_writers  # rollup imports models, which import this

        lock_writers(session)
        session.execute(text("LOCK TABLE audit_entry IN EXCLUSIVE MODE"))


# Set by the web's response cache for one request: the actions logged while it was answered (a response
# whose making was audited, a read of private data, is never served from the cache).
LOGGED: ContextVar[list[str] | None] = ContextVar("audit_logged", default=None)


def record(
    session: Session,
    *,
    who: str,
    action: str,
    record: str | None = None,
    origin: str | None = None,
    detail: dict[str, Any] | str | None = None,
) -> AuditEntry:
    """Append one entry (who did what to which record, from where) chained to the previous one."""
    logged = LOGGED.get()
    if logged is not None:
        logged.append(action)
    _lock(session)
    last = session.execute(
        select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
    ).first()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    values: dict[str, Any] = {
        "seq": seq,
        "at": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "who": (who or "unknown")[:254],
        "action": action[:60],
        "record": record[:200] if record else None,
        "origin": origin[:200] if origin else None,
        "detail": detail
        if detail is None or isinstance(detail, str)
        else json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str),
        "prev_hash": prev,
    }
    entry = AuditEntry(**values, hash=entry_hash(values))
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class Verdict:
    ok: bool
    checked: int
    bad_seq: int | None = None
    reason: str = ""


def verify(session: Session) -> Verdict:
    """Walk the chain in order; the first entry whose hash, link or position is wrong is named."""
    prev, expected_seq, checked = GENESIS, 1, 0
    for entry in session.scalars(select(AuditEntry).order_by(AuditEntry.seq)):
        values = {k: getattr(entry, k) for k in FIELDS}
        if entry.seq != expected_seq:
            return Verdict(
                False, checked, entry.seq, f"expected entry {expected_seq} here (removed or reordered)"
            )
        if entry.prev_hash != prev:
            return Verdict(
                False, checked, entry.seq, "does not follow the previous entry (removed or reordered)"
            )
        if entry_hash(values) != entry.hash:
            return Verdict(False, checked, entry.seq, "its content was changed after it was written")
        prev, expected_seq, checked = entry.hash, expected_seq + 1, checked + 1
    return Verdict(True, checked)


def entries(
    session: Session,
    *,
    who: str | None = None,
    action: str | None = None,
    record: str | None = None,
    since: str | None = None,
    until: str | None = None,
    limit: int = 100,
) -> Iterator[AuditRecord]:
    """Entries matching every given filter, newest first (`since`/`until` compare ISO timestamps)."""
    stmt = select(AuditEntry)
    if who:
        stmt = stmt.where(AuditEntry.who == who)
    if action:
        stmt = stmt.where(AuditEntry.action.startswith(action))
    if record:
        stmt = stmt.where(AuditEntry.record == record)
    if since:
        stmt = stmt.where(AuditEntry.at >= since)
    if until:
        stmt = stmt.where(AuditEntry.at <= until + "\uffff")
    for e in session.scalars(stmt.order_by(AuditEntry.seq.desc()).limit(limit)):
        yield AuditRecord.model_validate({k: getattr(e, k) for k in (*FIELDS, "hash")})


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(AuditEntry)) or 0


# --- Writes audited where they happen: every ORM change committed through any session -------------------

ACTOR: ContextVar[tuple[str, str | None]] = ContextVar("audit_actor", default=("local", "cli"))
AUDITED = {
    "alliance",
    "organisation",
    "project",
    "candidate",
    "survey",
    "source",
    "user_account",
    "membership",
    "api_token",
    # Private plans and assessments (issues 14 and 15): CLI imports are logged as the web's writes are.
    "health_plan",
    "health_entry",
    "maturity_assessment",
    "maturity_answer",
}
BULK_AT = 50  # more changes than this in one commit become one summary entry, not one entry each


# A candidate's fields corrected while it stays in review: logged under its own name, because it changes
# no page but the review page, and the web's response cache (`store.version.response_version`) keeps
# every other page across it (issue 13, load: each correction emptied every worker's cache).
EDIT = "candidate.edit"
# Writes whose effect on cached pages the rollup's own counters already carry (`rollup.TEXT`, `WRITES`)
# or that no cached page reads (candidates: the pending count is read fresh; tokens: checked on every
# request). Any other audited write moves `rollup.OTHER`, which the response cache keys on.
COUNTED = ("candidate.", "source.", "api_token.")


def quiet_edit(obj: Any) -> bool:
    """Whether a flushed object is a candidate whose fields changed but not its review state."""
    if getattr(obj, "__tablename__", None) != "candidate":
        return False
    state = sa_inspect(obj)
    return state.persistent and not state.attrs.state.history.has_changes()


def acting_as(who: str, origin: str | None) -> Token[tuple[str, str | None]]:
    """Name who the following writes are made by (a request, a CLI command) and from where."""
    return ACTOR.set((who, origin))


@event.listens_for(Session, "after_flush")
def _collect(session: Session, _ctx: Any) -> None:
    if session.info.get("auditing"):
        return
    pending = session.info.setdefault("audit_pending", [])
    for verb, objects in (("create", session.new), ("update", session.dirty), ("delete", session.deleted)):
        for obj in objects:
            table = getattr(obj, "__tablename__", None)
            if table in AUDITED and (verb != "update" or session.is_modified(obj, include_collections=False)):
                pending.append((EDIT if quiet_edit(obj) else f"{table}.{verb}", obj))


@event.listens_for(Session, "do_orm_execute")
def _collect_bulk(state: ORMExecuteState) -> None:
    if (state.is_update or state.is_delete) and not state.session.info.get("auditing"):
        table = getattr(state.statement, "table", None)
        name = getattr(table, "name", "rows")
        verb = "bulk_update" if state.is_update else "bulk_delete"
        state.session.info.setdefault("audit_pending", []).append((f"{name}.{verb}", None))


def _kept(action: str, obj: Any) -> bool:
    """Whether a collected change survived (a rolled-back savepoint leaves its objects transient)."""
    if obj is None:
        return True
    state = sa_inspect(obj)
    return bool(state.deleted or state.was_deleted) if action.endswith(".delete") else bool(state.persistent)


@event.listens_for(Session, "before_commit")
def _write(session: Session) -> None:
    if session.info.get("auditing"):
        return
    session.flush()  # commit flushes after this hook: collect what is still pending first
    pending = session.info.pop("audit_pending", [])
    if not pending or session.info.get("auditing"):
        return
    seen: dict[tuple[str, str], str] = {}
    for action, obj in pending:
        if not _kept(action, obj):
            continue
        table, _, verb = action.partition(".")
        ref = f"{table}:{sa_inspect(obj).identity[0] if obj is not None else '*'}"
        seen.setdefault((table, ref), action)
    if not seen:
        return
    who, origin = ACTOR.get()
    session.info["auditing"] = True
    try:
        if len(seen) > BULK_AT:
            counts: dict[str, int] = {}
            for action in seen.values():
                counts[action] = counts.get(action, 0) + 1
            record(session, who=who, action="write.bulk", origin=origin, detail=counts)
        else:
            for (_table, ref), action in seen.items():
                record(session, who=who, action=action, record=ref, origin=origin)
        if any(not action.startswith(COUNTED) for action in seen.values()):
            from alliances.store.rollup import count_other  # rollup imports models, which import this

            count_other(session)
        session.flush()
    finally:
        session.info["auditing"] = False


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    if not session.in_nested_transaction():
        session.info.pop("audit_pending", None)
