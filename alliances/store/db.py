"""Engines, sessions and schema migrations (Alembic) for SQLite files and PostgreSQL servers."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, inspect, make_url
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from alliances.errors import AllianceError, InvalidInput, StorageError
from alliances.store.version import Memo

# Set for the duration of a web request that writes (POST, PATCH…): its sessions begin IMMEDIATE.
WRITING: ContextVar[bool] = ContextVar("alliances_writing", default=False)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # pysqlite's own transaction handling breaks SAVEPOINTs (a RELEASE would commit): we emit BEGIN ourselves.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    # WAL: readers never wait for a writer, nor a writer for readers (issue 13). Not for :memory:.
    try:
        if cur.execute("PRAGMA journal_mode").fetchone()[0] not in ("memory", "wal"):
            cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
    except sqlite3.OperationalError:  # a read-only file keeps its journal; reads still work
        pass
    cur.close()


def _begin(conn: Any) -> None:
    # A write transaction takes the write lock at once (BEGIN IMMEDIATE), so it waits its turn under
    # busy_timeout instead of failing with "database is locked" when it upgrades from reading.
    write = conn.get_execution_options().get("alliances_write") or WRITING.get()
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:" and not path.startswith("file:"):  # URI filenames are SQLite's
            parent = Path(path).parent
            try:
                parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StorageError(f"cannot create the database folder {parent}: {exc.strerror}") from exc
        # A file's pool holds a connection per busy request thread (the web app runs up to 40 at once):
        # with SQLAlchemy's default of 5 (+10 overflow) most requests opened and closed a connection,
        # setting its pragmas each time, or waited for one (issue 13, load).
        database = make_url(url).database or ""
        in_memory = database in ("", ":memory:") or "mode=memory" in url
        pooled = {} if in_memory else {"pool_size": 20, "max_overflow": 30}
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **pooled)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _begin)
        return engine
    try:
        return create_engine(url, pool_pre_ping=True, **pool_options())
    except ModuleNotFoundError as exc:
        raise StorageError(
            f"the driver for {url.split(':', 1)[0]} is not installed: "
            "pip install 'alliance-observatory[postgres]'"
        ) from exc


def safe_url(url: str) -> str:
    """The URL without its password, for messages."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        return f"{scheme}://{creds.split(':', 1)[0]}:***@{host}"
    return url


@dataclass
class Database:
    """One database, by URL: the engine, a session factory and its migrations."""

    url: str
    engine: Engine
    memo: Memo = field(default_factory=lambda: Memo(size=512), compare=False, repr=False)

    @classmethod
    def open(cls, url: str) -> Database:
        return cls(url, make_engine(url))

    @contextmanager
    def session(self, write: bool = False) -> Iterator[Session]:
        """One transaction: committed if the block succeeds, rolled back whole otherwise.

        `write=True` (or a writing web request) takes SQLite's write lock at the start of the transaction.
        """
        session = self.new_session(write)
        try:
            yield session
        except BaseException as exc:
            self.finish(session, ok=False)
            storage = as_storage_error(exc)
            if storage is None:
                raise
            raise storage from exc
        self.finish(session, ok=True)

    def new_session(self, write: bool = False) -> Session:
        """A session that takes no connection before its first query (`finish` ends it)."""
        bind = self.engine.execution_options(alliances_write=True) if write else self.engine
        return sessionmaker(bind, expire_on_commit=False, info={"memo": self.memo})()

    def finish(self, session: Session, ok: bool) -> None:
        """Commit (`ok`) or roll back, then close; a database error is a `StorageError` with its reason."""
        try:
            if ok:
                session.commit()
            else:
                session.rollback()
        except OperationalError as exc:
            session.rollback()
            raise _storage_error(exc) from exc
        finally:
            session.close()

    def alembic_config(self) -> Config:
        cfg = Config()
        cfg.set_main_option("script_location", str(resources.files("alliances.store") / "migrations"))
        cfg.set_main_option("sqlalchemy.url", self.url.replace("%", "%%"))
        cfg.attributes["engine"] = self.engine
        return cfg

    def upgrade(self) -> None:
        """Bring the schema to the latest migration (creates it on an empty database)."""
        try:
            command.upgrade(self.alembic_config(), "head")
        except OperationalError as exc:
            raise StorageError(f"database {safe_url(self.url)}: {_reason(exc)}") from exc

    def downgrade(self, revision: str = "base") -> None:
        from alliances.store.rollup import HAVE_ROLLUP
        from alliances.store.search import HAVE_INDEX

        HAVE_ROLLUP.discard(self.engine)  # the rollup and search tables may go
        HAVE_INDEX.discard(self.engine)
        command.downgrade(self.alembic_config(), revision)

    def is_initialised(self) -> bool:
        try:
            return inspect(self.engine).has_table("alliance")
        except SQLAlchemyError as exc:
            raise StorageError(f"cannot open database {safe_url(self.url)}: {_reason(exc)}") from exc

    def require(self) -> Database:
        if not self.is_initialised():
            raise AllianceError(f"database {safe_url(self.url)} is empty: run `alliances init` first")
        return self

    def dispose(self) -> None:
        self.engine.dispose()


def as_storage_error(exc: BaseException) -> StorageError | None:
    """The `StorageError` a failed operation of the database stands for (None for any other error)."""
    return _storage_error(exc) if isinstance(exc, OperationalError) else None


def _storage_error(exc: OperationalError) -> StorageError:
    # The reason only: a reader of a web page must not learn where the database lives.
    return StorageError(f"database error: {_reason(exc)}")


def _reason(exc: SQLAlchemyError) -> str:
    text = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
    if "readonly" in text or "read-only" in text:
        return "the database file is read-only"
    return text


def writable_check(url: str) -> None:
    """Fail early, in one sentence, when a SQLite file cannot be written."""
    if url.startswith("sqlite:///"):
        raw = url.removeprefix("sqlite:///")
        if raw.startswith("file:"):  # a URI filename: file:PATH?mode=ro&uri=true
            if "mode=ro" in raw:
                raise StorageError(f"the database {raw} is opened read-only (mode=ro)")
            raw = raw.removeprefix("file:").split("?", 1)[0]
        path = Path(raw)
        # root may write anywhere, so access() says yes: the file's own mode says what was meant.
        if path.exists() and (not os.access(path, os.W_OK) or not path.stat().st_mode & 0o222):
            raise StorageError(f"the database file {path} is read-only")


# A web worker runs up to 3 request threads and 4 lookup threads (`web.security.THREADS`,
# `web.cache.LOOKUP_THREADS`), each with a connection: with a pool of 5 the overflow connections were
# closed on return and opened again, 10-16 new PostgreSQL backends every 3 s under `bench/load.py`.
POOL_DEFAULTS = {"pool_size": 10, "max_overflow": 10, "pool_timeout": 30, "pool_recycle": 1800}


def pool_options() -> dict[str, int]:
    """Connection-pool sizes for server databases, from ALLIANCES_POOL_SIZE, ALLIANCES_POOL_MAX_OVERFLOW,
    ALLIANCES_POOL_TIMEOUT (s) and ALLIANCES_POOL_RECYCLE (s): each uvicorn worker holds its own pool, so
    workers x (size + overflow) must stay under the server's max_connections."""
    options = dict(POOL_DEFAULTS)
    for name in options:
        env = "ALLIANCES_POOL_" + name.removeprefix("pool_").upper()
        raw = os.environ.get(env)
        if raw:
            try:
                options[name] = int(raw)
            except ValueError as exc:
                raise InvalidInput(f"{env} must be a whole number, not {raw!r}") from exc
    return options


def schema_revisions(db: Database) -> tuple[str | None, str | None]:
    """The migration the database is at (None when empty) and the newest one this package ships."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(db.alembic_config()).get_current_head()
    try:
        with db.engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
    except SQLAlchemyError as exc:
        raise StorageError(f"cannot open database {safe_url(db.url)}: {_reason(exc)}") from exc
    return current, head
