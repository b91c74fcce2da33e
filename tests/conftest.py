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
from typing import Any

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
    yield from private_copy(bundled_db_file, tmp_path)


def private_copy(source: Path, folder: Path) -> Iterator[Database]:
    """A writable copy of a session-wide database file, disposed after the test."""
    path = folder / source.name
    shutil.copy(source, path)
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
            orgs = {
                n: Organisation(
                    name=n, norm=normalise(n), kind=k, country=(countries or {}).get(n), origin="user"
                )
                for n, k in kinds.items()
            }
            s.add_all(orgs.values())
            s.flush()
            for d in deals:
                a = Alliance(
                    type="rd_collaboration",
                    year=d.year,
                    announced=str(d.year),
                    status=d.status,
                    origin="user",
                    title=" – ".join(d.parties),
                )
                s.add(a)
                s.flush()
                s.add_all(
                    Party(alliance_id=a.id, organisation_id=orgs[n].id, position=i)
                    for i, n in enumerate(d.parties)
                )
                s.add_all(
                    AllianceTag(alliance_id=a.id, facet=f, value=v)
                    for f, vals in (("technology", d.technologies), ("stage", d.stages), ("area", d.areas))
                    for v in vals
                )
        return db

    return build


# --- Web and analytics (issue 4): a small hand-made observatory whose numbers tests can state -----------

WEB_ORGANISATIONS: list[tuple[str, str, str, str | None]] = [
    # name, kind, country, parent
    ("Alphabet", "big_tech", "US", None),
    ("Google", "big_tech", "US", "Alphabet"),
    ("Verily", "tech", "US", "Alphabet"),
    ("Microsoft", "big_tech", "US", None),
    ("Sanofi", "pharma", "FR", None),
    ("Servier", "pharma", "FR", None),
    ("Owkin", "startup", "FR", None),
    ("Numerate", "startup", "US", None),
    ("Institut Curie", "academic", "FR", None),
    ("AP-HP", "hospital", "FR", None),
    ("Dassault Systèmes", "tech", "FR", None),
    ("Novartis", "pharma", "CH", None),
    ("Air Liquide", "other", "FR", None),
]

# key, parties, type, technologies, stages, date, status, extra fields
WEB_DEALS: list[tuple[str, str, str, str, str, str, str, dict[str, object]]] = [
    (
        "W01",
        "Sanofi|Google",
        "rd_collaboration",
        "ai,cloud",
        "research,development",
        "2019-06-18",
        "active",
        {"evidence_records": [{"source": "s1", "quote": "Sanofi et Google s'associent pour la recherche."}]},
    ),
    (
        "W02",
        "Servier|Numerate",
        "rd_collaboration",
        "ai",
        "research",
        "2018-09",
        "announced",
        {"therapeutic_areas": ["cardiovascular"]},
    ),
    (
        "W03",
        "Sanofi|Owkin",
        "equity_investment",
        "ai",
        "research,development",
        "2021-11-18",
        "active",
        {"amount": {"value": 180_000_000, "currency": "USD", "kind": "equity"}},
    ),
    ("W04", "Novartis|Microsoft", "rd_collaboration", "ai", "research", "2019-10-01", "active", {}),
    (
        "W05",
        "Sanofi|Verily",
        "joint_venture",
        "iot",
        "usage",
        "2016-09-12",
        "terminated",
        {"ended": "2020-12", "therapeutic_areas": ["diabetes"]},
    ),
    (
        "W06",
        "Owkin|Institut Curie",
        "rd_collaboration",
        "ai,big_data",
        "research",
        "2020",
        "active",
        {"therapeutic_areas": ["oncology"]},
    ),
    ("W07", "Microsoft|AP-HP", "supply_or_service", "cloud", "usage", "2022", "active", {}),
    (
        "W08",
        "Dassault Systèmes|AP-HP",
        "rd_collaboration",
        "simulation",
        "development",
        "2020-03",
        "announced",
        {"title": "Jumeau numérique du cœur – Hôpitaux de Paris"},
    ),
    (
        "W09",
        "Novartis|Google",
        "supply_or_service",
        "cloud,ai",
        "production,distribution",
        "2023",
        "terminated",
        {},
    ),
    ("W10", "Servier|Google", "licensing_commercialisation", "iot", "production,usage", "2021", "active", {}),
]


def web_alliance_records() -> list[dict[str, object]]:
    return [
        {
            "key": key,
            "parties": parties.split("|"),
            "type": kind,
            "technologies": techs.split(","),
            "stages": stages.split(","),
            "date": date,
            "status": status,
            **extra,
        }
        for key, parties, kind, techs, stages, date, status, extra in WEB_DEALS
    ]


def build_web_db(path: Path) -> Database:
    """The web/analytics test observatory: 13 organisations, 10 alliances, 2 projects, 1 survey."""
    from alliances.store import models as m
    from alliances.store.resolve import Resolver
    from alliances.store.writes import add_alliance, add_organisation

    db = Database.open(f"sqlite:///{path}")
    db.upgrade()
    with db.session() as s:
        resolver = Resolver(s)
        ids: dict[str, int] = {}
        for name, kind, country, _parent in WEB_ORGANISATIONS:
            ids[name] = add_organisation(s, name, kind=kind, country=country, resolver=resolver).id
        for name, _kind, _country, parent in WEB_ORGANISATIONS:
            if parent:
                org = s.get(m.Organisation, ids[name])
                assert org is not None
                org.parent_id = ids[parent]
        source = m.Source(
            title="Sanofi et Google : une alliance",
            publisher="Le Monde",
            date="2019-06-18",
            url="https://example.org/sanofi-google",
            language="fr",
            key="s1",
        )
        survey_source = m.Source(
            title="Enquête sur la stratégie numérique", url="https://example.org/enquete", key="s2"
        )
        s.add_all([source, survey_source])
        s.flush()
        for record in web_alliance_records():
            add_alliance(s, record, resolver=resolver, sources={"s1": source}, where=str(record["key"]))
        projects = (
            ("DARWIN", "Sanofi", ["big_data", "cloud"], ["research", "development"], 2018),
            ("Connect", "Air Liquide", ["iot"], ["production"], 2016),
        )
        for name, owner, techs, stages, year in projects:
            project = m.Project(
                name=name, year=year, announced=str(year), origin="seed", description=f"{name} project"
            )
            s.add(project)
            s.flush()
            s.add(m.ProjectOwner(project_id=project.id, organisation_id=ids[owner]))
            s.add_all(
                m.ProjectTag(project_id=project.id, facet=f, value=v)
                for f, values in (("technology", techs), ("stage", stages))
                for v in values
            )
        survey = m.Survey(
            key="digital-2019",
            name="Stratégies numériques des laboratoires",
            publisher="Cabinet X",
            date="2019-05",
            source_id=survey_source.id,
        )
        survey.figures.append(
            m.SurveyFigure(
                key="ai_share",
                label_en="Labs with an AI strategy",
                label_fr="Laboratoires dotés d'une stratégie IA",
                value=64.0,
                unit="percent",
            )
        )
        s.add(survey)
    return db


@pytest.fixture(scope="session")
def web_db_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("web") / "web.db"
    build_web_db(path).dispose()
    return path


@pytest.fixture
def web_db(web_db_file: Path, tmp_path: Path) -> Iterator[Database]:
    """A private, writable copy of the web test observatory."""
    yield from private_copy(web_db_file, tmp_path)


def make_web_client(db: Database) -> object:
    """A TestClient on a fresh app (starlette warns that httpx is deprecated in favour of httpx2)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    from alliances.settings import Settings
    from alliances.web import create_app

    return TestClient(create_app(Settings(db=db.url), database=db))


@pytest.fixture(scope="session")
def web_client(web_db_file: Path) -> Iterator[object]:
    """A client on the shared web test observatory; tests through it must not write."""
    db = Database.open(f"sqlite:///{web_db_file}")
    yield make_web_client(db)
    db.dispose()


@pytest.fixture(scope="session")
def bundled_client(bundled_db_file: Path) -> Iterator[object]:
    """A client on the bundled real dataset; tests through it must not write."""
    db = Database.open(f"sqlite:///{bundled_db_file}")
    yield make_web_client(db)
    db.dispose()


@pytest.fixture
def client_for() -> object:
    """Build a TestClient on any database: `client_for(db)`."""
    return make_web_client


# Debian's Chromium, started so that it never reaches for the network (../shared/NOTES.md).
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium per test module, driven by Playwright."""
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (apt-get install chromium); browser tests need it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield chromium
        chromium.close()
