"""Whole-database backups as one JSON Lines file: a header with a checksum, then one line per row.

The same file restores on SQLite or PostgreSQL. A restore reads and checks the whole file before it
touches the database, then replaces every table in one transaction: a corrupt or truncated file
changes nothing.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import Connection, DateTime, LargeBinary, Table, delete, func, insert, select, text, update
from sqlalchemy.orm import Session

from alliances.errors import InvalidInput
from alliances.store import audit, search
from alliances.store.db import Database
from alliances.store.models import Base

FORMAT = "alliance-observatory-backup"
VERSION = 1


class BackupHeader(BaseModel):
    """The first line of a backup: what wrote it, at which schema revision, and what must follow."""

    format: str
    version: int
    schema_revision: str | None = Field(None, alias="schema")
    tables: dict[str, int] = {}
    sha256: str | None = None


@dataclass(frozen=True)
class BackupContent:
    """A checked backup file: its header and, per table, its rows as written (column -> JSON value)."""

    header: BackupHeader
    rows: dict[str, list[dict[str, Any]]]


def _tables() -> list[Table]:
    return list(Base.metadata.sorted_tables)


def _encode(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return value


def _decode(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in row.items():
        column = table.c[name]
        if value is not None and isinstance(column.type, DateTime):
            value = datetime.fromisoformat(value)
        elif value is not None and isinstance(column.type, LargeBinary):
            value = base64.b64decode(value)
        out[name] = value
    return out


def _revision(conn: Connection) -> str | None:
    try:
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception:  # noqa: BLE001 - no alembic table: not one of our databases
        return None


def backup(db: Database, path: Path) -> dict[str, int]:
    """Write every table to `path` (atomically: a temporary file renamed at the end); rows per table."""
    counts: dict[str, int] = {}
    digest = hashlib.sha256()
    folder = path.resolve().parent
    with tempfile.TemporaryFile("w+", encoding="utf-8") as body, db.engine.connect() as conn:
        with conn.begin():  # one snapshot of every table
            revision = _revision(conn)
            for table in _tables():
                stmt = select(table).order_by(*table.primary_key.columns)
                n = 0
                for row in conn.execute(stmt).mappings():
                    line = json.dumps(
                        {"t": table.name, "r": {k: _encode(v) for k, v in row.items()}},
                        ensure_ascii=False,
                        sort_keys=True,
                    )
                    body.write(line + "\n")
                    digest.update(line.encode("utf-8") + b"\n")
                    n += 1
                counts[table.name] = n
        header = {"format": FORMAT, "version": VERSION, "schema": revision, "tables": counts}
        header["sha256"] = digest.hexdigest()
        body.seek(0)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".backup-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(json.dumps(header, sort_keys=True) + "\n")
                for chunk in iter(lambda: body.read(1 << 20), ""):
                    out.write(chunk)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return counts


def read_backup(path: Path) -> BackupContent:
    """The header and the rows of a backup file, after checking its format, checksum and row counts."""
    try:
        handle: IO[str] = path.open(encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot read the backup ({exc.strerror})") from exc
    with handle:
        try:
            raw = json.loads(handle.readline() or "null")
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise InvalidInput(f"{path}: not a backup of this observatory (bad header)") from exc
        if not isinstance(raw, dict) or raw.get("format") != FORMAT:
            raise InvalidInput(f"{path}: not a backup of this observatory (bad header)")
        if raw.get("version") != VERSION:
            raise InvalidInput(f"{path}: backup format version {raw.get('version')} is not supported")
        try:
            header = BackupHeader.model_validate(raw)
        except ValidationError as exc:
            raise InvalidInput(f"{path}: not a backup of this observatory (bad header)") from exc
        known = {t.name: t for t in _tables()}
        rows: dict[str, list[dict[str, Any]]] = {name: [] for name in known}
        digest = hashlib.sha256()
        try:
            for number, line in enumerate(handle, start=2):
                digest.update(line.encode("utf-8"))
                item = json.loads(line)
                if item.get("t") not in known:
                    raise InvalidInput(f"{path}, line {number}: unknown table {item.get('t')!r}")
                rows[item["t"]].append(item["r"])
        except (json.JSONDecodeError, UnicodeDecodeError, AttributeError, TypeError) as exc:
            raise InvalidInput(f"{path}: corrupt or truncated backup (unreadable line)") from exc
    if digest.hexdigest() != header.sha256:
        raise InvalidInput(f"{path}: corrupt or truncated backup (checksum does not match)")
    for name, n in header.tables.items():
        if len(rows.get(name, [])) != n:
            raise InvalidInput(
                f"{path}: corrupt or truncated backup ({name}: {len(rows.get(name, []))} of {n} rows)"
            )
    return BackupContent(header, rows)


def restore(db: Database, path: Path) -> dict[str, int]:
    """Replace the whole database with a backup's content; the file is fully checked first."""
    content = read_backup(path)
    rows = content.rows
    db.upgrade()
    with db.session() as session:
        current = _revision(session.connection())
        if content.header.schema_revision != current:
            raise InvalidInput(
                f"{path}: backup of schema {content.header.schema_revision}, database at {current}: "
                "restore it with the version of the observatory that wrote it"
            )
        _replace(session, rows)
        search.rebuild(session)  # the full-text index is derived data: rebuilt, never backed up
        who, origin = audit.ACTOR.get()
        audit.record(session, who=who, action="restore", origin=origin, detail={"file": path.name})
    return {name: len(r) for name, r in rows.items()}


def _replace(session: Session, rows: dict[str, list[dict[str, Any]]]) -> None:
    session.info["auditing"] = True  # a restore is one event, not one audit entry per row
    tables = _tables()
    for table in reversed(tables):
        session.execute(delete(table))
    for table in tables:
        data = [_decode(table, r) for r in rows.get(table.name, [])]
        if not data:
            continue
        # Rows that point into their own table (organisation.parent_id) are linked once all exist.
        own = [c.name for c in table.columns for fk in c.foreign_keys if fk.column.table is table]
        first = [{**r, **dict.fromkeys(own)} for r in data] if own else data
        session.execute(insert(table), first)
        for r in data if own else []:
            links = {c: r[c] for c in own if r.get(c) is not None}
            if links:
                pk = {c.name: r[c.name] for c in table.primary_key.columns}
                cond = [table.c[k] == v for k, v in pk.items()]
                session.execute(update(table).where(*cond).values(**links))
    if session.get_bind().dialect.name == "postgresql":
        for table in tables:
            if "id" in table.c and len(table.primary_key.columns) == 1:
                top = session.scalar(select(func.max(table.c.id)))
                if top:
                    session.execute(
                        text("SELECT setval(pg_get_serial_sequence(:t, 'id'), :n)"),
                        {"t": table.name, "n": top},
                    )
    session.info["auditing"] = False
