"""The bundled dataset: everything the seeds state, with exact evidence, and the real network."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from alliances.store.bundle import init_database
from alliances.store.db import Database
from alliances.store.filters import Filters
from alliances.store.models import Alias, Alliance, Evidence, Organisation, Party, Source
from alliances.store.names import normalise
from alliances.store.organisations import get_organisation
from alliances.store.projects import list_projects, list_surveys, stats
from alliances.store.queries import list_alliances
from alliances.taxonomy import load_data_file


def test_counts(bundled_db: Database) -> None:
    with bundled_db.session() as s:
        data = stats(s)
    assert data["alliances_by_origin"] == {"real": 286, "seed": 19}
    assert data["organisations"] >= 300 and data["projects"] >= 10 and data["surveys"] >= 1


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
        seeds = list_alliances(s, Filters(origin="seed", per_page=100))["items"]
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
        assert get_organisation(s, name)["parent"]["name"] == parent


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
        assert get_organisation(s, stated)["name"] == entity


@pytest.mark.parametrize(("a", "b"), [("Merck KGaA", "MSD"), ("Nabla", "Nabla Bio")])
def test_similar_names_stay_apart(bundled_db: Database, a: str, b: str) -> None:
    with bundled_db.session() as s:
        assert get_organisation(s, a)["id"] != get_organisation(s, b)["id"]


def test_every_real_party_resolves_to_a_curated_organisation(bundled_db: Database) -> None:
    """Only joint-venture vehicles (new entities) are created while loading the real alliances."""
    with bundled_db.session() as s:
        created = set(s.scalars(select(Organisation.id).where(Organisation.origin == "real")))
        vehicles = set(s.scalars(select(Alliance.vehicle_id).where(Alliance.type == "joint_venture")))
        parties = set(s.scalars(select(Party.organisation_id).where(Party.organisation_id.in_(created))))
    assert created <= vehicles and not parties


def test_projects_and_survey(bundled_db: Database) -> None:
    with bundled_db.session() as s:
        names = {p["name"] for p in list_projects(s, Filters(per_page=100))["items"]}
        figures = {f["value"] for survey in list_surveys(s) for f in survey["figures"]}
    assert {"DARWIN", "PatientTruth"} <= names
    assert {79, 60, 12, 95, 74, 69} <= figures


def test_ai_research_lists_the_seed_examples(bundled_db: Database) -> None:
    with bundled_db.session() as s:
        items = list_alliances(s, Filters(technology="ai", stage="research", per_page=500))["items"]
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
        twins = list_alliances(s, Filters(party=str(alliance.parties[0].organisation_id), per_page=500))
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
