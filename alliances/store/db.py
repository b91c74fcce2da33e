"""Engines, sessions and schema migrations (Alembic) for SQLite files and PostgreSQL servers."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from alliances.errors import AllianceError, StorageError


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # pysqlite's own transaction handling breaks SAVEPOINTs (a RELEASE would commit): we emit BEGIN ourselves.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:" and not path.startswith("file:"):  # URI filenames are SQLite's
            parent = Path(path).parent
            try:
                parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StorageError(f"cannot create the database folder {parent}: {exc.strerror}") from exc
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN"))
        return engine
    try:
        return create_engine(url, pool_pre_ping=True)
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

    @classmethod
    def open(cls, url: str) -> Database:
        return cls(url, make_engine(url))

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction: committed if the block succeeds, rolled back whole otherwise."""
        factory = sessionmaker(self.engine, expire_on_commit=False)
        session = factory()
        try:
            yield session
            session.commit()
        except OperationalError as exc:
            session.rollback()
            raise StorageError(f"database {safe_url(self.url)}: {_reason(exc)}") from exc
        except BaseException:
            session.rollback()
            raise
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
