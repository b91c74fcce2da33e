"""The bundled dataset: everything the seeds state, with exact evidence, and the real network."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest
from sqlalchemy import select

from alliances.analytics.network import NetworkCache, NetworkQuery
from alliances.schemas import AllianceFilters
from alliances.store.bundle import (
    init_database,
    load_organisations,
    load_real_alliances,
    located_real_records,
)
from alliances.store.check import check_record
from alliances.store.db import Database
from alliances.store.filters import Filters
from alliances.store.models import Alias, Alliance, Evidence, Organisation, Party, Source
from alliances.store.names import normalise
from alliances.store.organisations import get_organisation
from alliances.store.projects import list_projects, list_surveys, stats
from alliances.store.queries import list_alliances
from alliances.store.resolve import Resolver
from alliances.taxonomy import load_data_file

REPO = Path(__file__).resolve().parents[1]


REAL_RECORDS = 805
RESTATED = 7  # real records that restate a seed alliance: a second source of it, not a second alliance


def test_counts(bundled_db: Database) -> None:
    with bundled_db.session() as s:
        data = stats(s).model_dump()
    assert data["alliances_by_origin"] == {"real": REAL_RECORDS - RESTATED, "seed": 19}
    assert data["organisations"] >= 790 and data["projects"] >= 10 and data["surveys"] >= 1


def test_every_bundled_record_is_valid_and_loaded() -> None:
    """A bad record would be rejected and counted: the bundle must have none."""
    rows = located_real_records()
    assert len(rows) == REAL_RECORDS
    assert [f.line() for where, row in rows for f in check_record(where, row) if f.level == "error"] == []


def test_init_counts_every_organisation_it_creates(tmp_path: Path) -> None:
    db = Database.open(f"sqlite:///{tmp_path / 'fresh.db'}")
    counts = init_database(db)
    with db.session() as s:
        data = stats(s).model_dump()
    db.dispose()
    assert "rejected" not in counts
    assert counts["organisations"] == data["organisations"]
    assert counts["alliances"] == data["alliances"] == REAL_RECORDS - RESTATED + 19


def test_a_bad_real_record_is_counted_not_dropped(empty_db: Database) -> None:
    good = {"ref": "T1", "parties": [{"name": "Sanofi"}, {"name": "Owkin"}], "type": "rd_collaboration"}
    bad = {"ref": "T2", "parties": [{"name": "Sanofi"}], "type": "rd_collaboration", "date": "2020-13"}
    with empty_db.session() as s:
        resolver = Resolver(s)
        load_organisations(s, resolver)
        report = load_real_alliances(s, resolver, [("x.jsonl:1", good), ("x.jsonl:2", bad)])
    assert report.added == 1
    assert report.rejected == ["x.jsonl:2: date: '2020-13' is an impossible date (month must be in 1..12)"]


def test_bundled_copy_is_the_shared_data() -> None:
    """scripts/refresh-data copies ../shared/data/real_alliances.jsonl; the two must not drift apart."""
    shared = (
        Path(os.environ.get("ALLIANCES_SHARED", REPO.parent / "shared")) / "data" / "real_alliances.jsonl"
    )
    if not shared.is_file():
        pytest.skip(f"{shared} is not beside the repository")
    bundled = REPO / "alliances" / "data" / "real_alliances.jsonl"
    assert bundled.read_bytes() == shared.read_bytes(), "run scripts/refresh-data"


def test_at_least_95_percent_of_organisations_are_curated_with_a_country(bundled_db: Database) -> None:
    with bundled_db.session() as s:
        rows = s.execute(select(Organisation.origin, Organisation.country)).all()
    placed = sum(1 for origin, country in rows if origin == "curated" and country)
    assert placed / len(rows) >= 0.95, f"{placed} of {len(rows)}"


def test_init_twice_changes_nothing(bundled_db: Database) -> None:
    with bundled_db.session() as s:
        before = stats(s)
    assert init_database(bundled_db) == {"organisations": 0, "alliances": 0, "projects": 0, "surveys": 0}
    with bundled_db.session() as s:
        assert stats(s) == before


def test_every_gold_alliance_is_bundled(bundled_db: Database, shared_dir: Path) -> None:
    gold = [
        json.loads(line) for line in (shared_dir / "corpus" / "seeds.gold.jsonl").read_text().splitlines()
    ]
    with bundled_db.session() as s:
        seeds = list_alliances(s, Filters(origin="seed", per_page=100)).model_dump()["items"]
        resolve = {normalise(n): o for o, n in s.execute(select(Organisation.id, Organisation.name))}
        resolve |= {a.norm: a.organisation_id for a in s.scalars(select(Alias))}
    stored = [({p["id"] for p in a["parties"]}, a["type"]) for a in seeds]
    for doc in gold:
        for alliance in doc["alliances"]:
            ids = {resolve[normalise(p["canonical"])] for p in alliance["parties"]}
            assert (ids, alliance["type"]) in stored, alliance["evidence"]


def test_evidence_quotes_are_short_and_exact(bundled_db: Database, shared_dir: Path) -> None:
    with bundled_db.session() as s:
        rows = s.execute(select(Evidence, Source).join(Source).where(Source.key.is_not(None))).all()
    assert len(rows) > 40
    texts: dict[str, str] = {}
    for ev, src in rows:
        path = shared_dir / "corpus" / "seeds" / Path(src.path).name
        texts.setdefault(src.path, path.read_text(encoding="utf-8"))
        assert texts[src.path][ev.start : ev.end] == ev.quote
        assert len(ev.quote.split()) <= 12
        assert hashlib.sha256(path.read_bytes()).hexdigest() == src.content_hash


@pytest.mark.parametrize(
    ("name", "parent"),
    [
        ("Verily", "Alphabet"),
        ("Google", "Alphabet"),
        ("Janssen", "Johnson & Johnson"),
        ("Genentech", "Roche"),
    ],
)
def test_subsidiaries_under_their_parent(bundled_db: Database, name: str, parent: str) -> None:
    with bundled_db.session() as s:
        assert get_organisation(s, name).model_dump()["parent"]["name"] == parent


@pytest.mark.parametrize(
    ("stated", "entity"),
    [
        ("Google Cloud", "Google"),
        ("Google Quantum AI", "Google"),
        ("Sanofi France", "Sanofi"),
        ("IBM Watson Health", "IBM"),
    ],
)
def test_affiliates_resolve_to_their_company(bundled_db: Database, stated: str, entity: str) -> None:
    with bundled_db.session() as s:
        assert get_organisation(s, stated).name == entity


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Merck KGaA", "MSD"),
        ("Merck", "Merck & Co."),
        ("Nabla", "Nabla Bio"),
        ("Nuance Communications", "Nuance Hearing"),
    ],
)
def test_similar_names_stay_apart(bundled_db: Database, a: str, b: str) -> None:
    with bundled_db.session() as s:
        assert get_organisation(s, a).id != get_organisation(s, b).id


def test_every_real_party_resolves_to_a_curated_organisation(bundled_db: Database) -> None:
    """Only joint-venture vehicles (new entities) are created while loading the real alliances."""
    with bundled_db.session() as s:
        created = set(s.scalars(select(Organisation.id).where(Organisation.origin == "real")))
        vehicles = set(s.scalars(select(Alliance.vehicle_id).where(Alliance.type == "joint_venture")))
        parties = set(s.scalars(select(Party.organisation_id).where(Party.organisation_id.in_(created))))
    assert created <= vehicles and not parties


def test_projects_and_survey(bundled_db: Database) -> None:
    with bundled_db.session() as s:
        names = {p.name for p in list_projects(s, Filters(per_page=100)).items}
        figures = {f.value for survey in list_surveys(s) for f in survey.figures}
    assert {"DARWIN", "PatientTruth"} <= names
    assert {79, 60, 12, 95, 74, 69} <= figures


def test_ai_research_lists_the_seed_examples(bundled_db: Database) -> None:
    with bundled_db.session() as s:
        items = list_alliances(s, Filters(technology="ai", stage="research", per_page=500)).model_dump()[
            "items"
        ]
    pairs = {frozenset(p["name"] for p in a["parties"]) for a in items}
    for pair in (("AstraZeneca", "BenevolentAI"), ("Servier", "Numerate"), ("Amgen", "Owkin")):
        assert frozenset(pair) in pairs


def test_data_files_name_only_known_organisations() -> None:
    orgs = {o["name"] for o in load_data_file("organisations.yaml")}
    seeds = load_data_file("seed_records.yaml")
    for alliance in seeds["alliances"]:
        assert {p["name"] for p in alliance["parties"]} <= orgs
    for project in seeds["projects"]:
        assert set(project.get("owners") or []) <= orgs


@pytest.mark.parametrize(
    ("seed_key", "real_url_part"),
    [
        ("astrazeneca-benevolentai-2019", "benevolentai"),
        ("sanofi-verily-onduo-2016", None),
        ("sanofi-google-innovation-lab", "sanofi-google"),
    ],
)
def test_a_real_record_restating_a_seed_alliance_is_one_alliance(
    bundled_db: Database, seed_key: str, real_url_part: str | None
) -> None:
    with bundled_db.session() as s:
        alliance = s.scalar(select(Alliance).where(Alliance.key == seed_key))
        assert alliance is not None
        urls = [ev.source.url for ev in alliance.evidence if ev.source.url]
        quotes = [ev.quote for ev in alliance.evidence if ev.quote]
        twins = list_alliances(
            s, Filters(party=str(alliance.parties[0].organisation_id), per_page=500)
        ).model_dump()
    assert urls and quotes  # the seed's quote and the public source, on one record
    if real_url_part:
        assert any(real_url_part in u for u in urls)
    same = [
        a
        for a in twins["items"]
        if {p["id"] for p in a["parties"]} == {p.organisation_id for p in alliance.parties}
        and a["type"] == alliance.type
        and a["year"] == alliance.year
    ]
    assert len(same) == 1


def test_sanofi_google_lab_gets_its_date_from_the_public_source(bundled_db: Database) -> None:
    with bundled_db.session() as s:
        lab = s.scalar(select(Alliance).where(Alliance.key == "sanofi-google-innovation-lab"))
    assert lab is not None and lab.announced == "2019-06-18"


@pytest.mark.parametrize(
    ("stated", "entity"),
    [
        # qualifiers in parentheses: an alias, a former name or a parent
        ("Oracle Health (Cerner)", "Cerner"),
        ("DeepHealth (RadNet)", "DeepHealth"),
        ("GV (Google Ventures)", "GV"),
        ("Medopad (Huma)", "Huma"),
        ("TrialSpark (Formation Bio)", "Formation Bio"),
        ("CITIC 21CN (Alibaba Health)", "Alibaba Health"),
        ("M Ventures (Merck KGaA)", "Merck KGaA"),
        # country affiliates and units
        ("AstraZeneca Japan", "AstraZeneca"),
        ("Pfizer China", "Pfizer"),
        ("IBM Deutschland", "IBM"),
        ("Boehringer Ingelheim (Canada)", "Boehringer Ingelheim"),
        ("Roche Diabetes Care", "Roche"),
        ("Google Public Sector", "Google"),
        ("Amazon Pharmacy", "Amazon"),
        # renames and spellings of one organisation
        ("Palantir", "Palantir Technologies"),
        ("Guahao (WeDoctor)", "WeDoctor"),
        ("Partners HealthCare", "Mass General Brigham"),
        ("Google Life Sciences", "Verily"),
        ("Biogen Idec", "Biogen"),
        ("GE Healthcare", "GE HealthCare"),
        ("Chugai", "Chugai Pharmaceutical"),
        ("Merck", "Merck KGaA"),
        ("Merck & Co.", "Merck & Co."),
    ],
)
def test_the_issue_name_forms_resolve_as_stated(bundled_db: Database, stated: str, entity: str) -> None:
    with bundled_db.session() as s:
        assert get_organisation(s, stated).name == entity


@pytest.mark.parametrize(
    ("name", "parent", "kind"),
    [
        ("Genentech", "Roche", "pharma"),
        ("DeepHealth", "RadNet", "tech"),
        ("GV", "Alphabet", "big_tech"),
        ("Cerner", "Oracle", "big_tech"),
        ("Wing", "Alphabet", "big_tech"),
        ("Kakao Healthcare", "Kakao", "big_tech"),
        ("Brigham and Women's Hospital", "Mass General Brigham", "hospital"),
    ],
)
def test_subsidiaries_have_their_parent_and_kind(
    bundled_db: Database, name: str, parent: str, kind: str
) -> None:
    with bundled_db.session() as s:
        org = get_organisation(s, name).model_dump()
    assert (org["parent"]["name"], org["kind"]) == (parent, kind)


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Atos", "tech"),
        ("Orange", "tech"),
        ("Eviden", "tech"),
        ("Capgemini", "tech"),
        ("McKesson", "distributor"),
        ("AmerisourceBergen", "distributor"),
        ("Walgreens", "distributor"),
        ("Zuellig Pharma", "distributor"),
        ("UPS", "distributor"),
    ],
)
def test_kinds_of_the_issue(bundled_db: Database, name: str, kind: str) -> None:
    with bundled_db.session() as s:
        assert get_organisation(s, name).kind == kind


def test_journey_2_big_tech_since_2021_with_subsidiaries_rolled_up(bundled_db: Database) -> None:
    """Microsoft, Alphabet (Google, Verily, DeepMind, GV...), NVIDIA and Amazon lead the big-tech ranking."""
    with bundled_db.session() as s:
        query = NetworkQuery(AllianceFilters(kind="big_tech", year_from=2021), rollup=True)
        network = NetworkCache().network(s, query)
    items = network.ranking("degree", per_page=300).items
    big_tech = [n.name for n in items if n.kind == "big_tech"]
    assert set(big_tech[:4]) == {"Microsoft", "Alphabet", "NVIDIA", "Amazon"}
    assert not {"Google", "Verily", "Google DeepMind", "GV"} & set(big_tech)
