"""Every shared fixture, defined once: fresh databases (SQLite and PostgreSQL), the bundled DB, the CLI."""

from __future__ import annotations

import io
import os
import shutil
import sys
import uuid
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from alliances.store.bundle import init_database
from alliances.store.db import Database

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
PG_URL = os.environ.get("ALLIANCES_TEST_PG_URL")


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared (seed corpus and real data) is not beside the repository")
    return SHARED


def _pg_database() -> Iterator[str]:
    if not PG_URL:
        pytest.skip("ALLIANCES_TEST_PG_URL is not set (CI starts a PostgreSQL server and sets it)")
    name = f"alliances_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database URL, once on a SQLite file and once on a real PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
    else:
        yield from _pg_database()


@pytest.fixture
def any_db(any_db_url: str) -> Iterator[Database]:
    """A migrated, empty database on either engine."""
    db = Database.open(any_db_url)
    db.upgrade()
    yield db
    db.dispose()


@pytest.fixture
def empty_db(tmp_path: Path) -> Iterator[Database]:
    """A migrated, empty SQLite database."""
    db = Database.open(f"sqlite:///{tmp_path / 'empty.db'}")
    db.upgrade()
    yield db
    db.dispose()


@pytest.fixture(scope="session")
def bundled_db_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled dataset loaded once per test session (copied before any test that writes)."""
    path = tmp_path_factory.mktemp("bundle") / "observatory.db"
    db = Database.open(f"sqlite:///{path}")
    init_database(db)
    db.dispose()
    return path


@pytest.fixture
def bundled_db(bundled_db_file: Path, tmp_path: Path) -> Iterator[Database]:
    """A private copy of the bundled database: tests may write to it."""
    path = tmp_path / "observatory.db"
    shutil.copy(bundled_db_file, path)
    db = Database.open(f"sqlite:///{path}")
    yield db
    db.dispose()


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> object:
    """Run the real `alliances` entry point in-process: exit code, stdout and stderr."""
    from alliances.cli import main

    def run(*args: str) -> CliResult:
        out, err = io.StringIO(), io.StringIO()
        monkeypatch.setattr(sys, "argv", ["alliances", *args])
        monkeypatch.setenv("COLUMNS", "200")
        code = 0
        with redirect_stdout(out), redirect_stderr(err):
            try:
                main()
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        return CliResult(code, out.getvalue(), err.getvalue())

    return run


# --- recommendation (issue 5) -------------------------------------------------------------------------


@dataclass
class Deal:
    """One alliance of a hand-made network: parties by name, year, tags and status."""

    parties: tuple[str, ...]
    year: int
    technologies: tuple[str, ...] = ("ai",)
    stages: tuple[str, ...] = ("research",)
    areas: tuple[str, ...] = ()
    status: str = "announced"


@pytest.fixture
def network_db(tmp_path: Path) -> object:
    """Build a small SQLite network from {name: kind} and a list of `Deal`s, through the real models."""
    from alliances.store.models import Alliance, AllianceTag, Organisation, Party
    from alliances.store.names import normalise

    def build(kinds: dict[str, str], deals: list[Deal], countries: dict[str, str] | None = None) -> Database:
        db = Database.open(f"sqlite:///{tmp_path / f'net-{uuid.uuid4().hex[:6]}.db'}")
        db.upgrade()
        with db.session() as s:
            orgs = {n: Organisation(name=n, norm=normalise(n), kind=k, country=(countries or {}).get(n),
                                    origin="user") for n, k in kinds.items()}
            s.add_all(orgs.values())
            s.flush()
            for d in deals:
                a = Alliance(type="rd_collaboration", year=d.year, announced=str(d.year), status=d.status,
                             origin="user", title=" – ".join(d.parties))
                s.add(a)
                s.flush()
                s.add_all(Party(alliance_id=a.id, organisation_id=orgs[n].id, position=i)
                          for i, n in enumerate(d.parties))
                s.add_all(AllianceTag(alliance_id=a.id, facet=f, value=v)
                          for f, vals in (("technology", d.technologies), ("stage", d.stages), ("area", d.areas))
                          for v in vals)
        return db

    return build
