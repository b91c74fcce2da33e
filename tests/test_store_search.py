"""Full-text search: real words over titles, parties, aliases, vehicles, quotes and source titles;
ANDed, ranked, accents and case ignored, current after every write, the same on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select, text

from alliances.store import search
from alliances.store.candidates import accept_candidate, store_extraction
from alliances.store.db import Database
from alliances.store.filters import Filters
from alliances.store.merge import merge_organisations
from alliances.store.models import Alias, Organisation
from alliances.store.names import normalise
from alliances.store.queries import list_alliances
from alliances.store.resolve import Resolver
from alliances.store.search import rebuild, words
from alliances.store.writes import add_alliance, add_organisation
from tests.conftest import web_alliance_records

Q = dict[str, Any]


def keys(db: Database, q: str, **extra: Any) -> list[str]:
    with db.session() as s:
        return [
            a["key"] for a in list_alliances(s, Filters(q=q, per_page=500, **extra)).model_dump()["items"]
        ]


def load_web_records(db: Database) -> None:
    """The web test observatory's alliances, on any engine."""
    from alliances.store.models import Source

    with db.session() as s:
        resolver = Resolver(s)
        for name in ("Alphabet", "Google", "Verily", "Microsoft", "Sanofi", "Servier", "Owkin", "Numerate"):
            add_organisation(s, name, kind="other", resolver=resolver)
        for name in ("Institut Curie", "AP-HP", "Dassault Systèmes", "Novartis", "Air Liquide"):
            add_organisation(s, name, kind="other", resolver=resolver)
        s.add(
            Alias(organisation_id=resolver.exact("AP-HP"), name="Hôpitaux de Paris", norm="hopitaux de paris")
        )
        source = Source(title="Sanofi et Google : une alliance", key="s1")
        s.add(source)
        s.flush()
        for record in web_alliance_records():
            add_alliance(s, record, resolver=resolver, sources={"s1": source}, where=str(record["key"]))


# (query, expected keys in any order) on the web test records; the same on both engines
CASES = [
    ("sanofi", {"W01", "W03", "W05"}),
    ("Sanofi Google", {"W01"}),  # words ANDed
    ("SANOFI google", {"W01"}),  # case ignored
    ("dassault systemes", {"W08"}),  # accents ignored
    ("DASSAULT SYSTÈMES", {"W08"}),
    ("hopitaux", {"W07", "W08"}),  # an alias of AP-HP, and a title
    ("cœur", {"W08"}),
    ("COEUR", {"W08"}),
    ("associent", {"W01"}),  # a word of an evidence quote
    ("recherche", {"W01", "W02", "W03", "W04", "W06"}),  # the French label of a stage
    ("alliance", {"W01"}),  # a word of a source title
    ("oncology", {"W06"}),  # a therapeutic area
    ("cardiovasc", {"W02"}),  # a prefix
    ("intelligence artificielle", {"W01", "W02", "W03", "W04", "W06", "W09"}),  # technology labels
    ("zzz", set()),
    ("'", set()),
    ('"unbalanced AND (', set()),
]


@pytest.mark.parametrize(("query", "expected"), CASES)
def test_search_finds_words_on_both_engines(any_db: Database, query: str, expected: set[str]) -> None:
    load_web_records(any_db)
    assert set(keys(any_db, query)) == expected


def test_bundled_data_answers_the_issue_queries(bundled_db: Database) -> None:
    found = {q: keys(bundled_db, q) for q in ("Sanofi Google", "AI drug discovery", "insulin")}
    assert all(found.values()), found
    with bundled_db.session() as s:
        top = list_alliances(s, Filters(q="Sanofi Google")).model_dump()["items"][0]
    assert {"Sanofi", "Google"} <= {p["name"] for p in top["parties"]}  # most relevant first
    assert set(keys(bundled_db, "Insulin")) == set(keys(bundled_db, "insulin"))
    assert set(keys(bundled_db, "Sanofi Google")) <= set(keys(bundled_db, "Sanofi"))


def test_index_is_current_after_every_write(bundled_db: Database) -> None:
    with bundled_db.session() as s:
        resolver = Resolver(s)
        add_organisation(s, "Quarvex Bio", kind="startup", resolver=resolver)
        add_alliance(
            s, {"parties": ["Servier", "Quarvex Bio"], "type": "rd_collaboration"}, resolver=resolver
        )
    assert len(keys(bundled_db, "quarvex")) == 1
    with bundled_db.session() as s:  # an alias added later is searchable at once
        org = s.scalar(select(Organisation).where(Organisation.name == "Quarvex Bio"))
        assert org is not None
        org.aliases.append(Alias(name="QVX Therapeutics", norm=normalise("QVX Therapeutics")))
    assert len(keys(bundled_db, "qvx therapeutics")) == 1
    with bundled_db.session() as s:  # an accepted candidate is found by its quote
        stored = store_extraction(
            s,
            content_hash="h-search",
            records=[{"parties": [{"name": "Sanofi"}, {"name": "Zembrix"}], "type": "rd_collaboration",
                      "evidence": "Sanofi and Zembrix will co-develop photonic biosensors."}],
            title="Zembrix press release",
        )  # fmt: skip
        assert stored is not None
        accept_candidate(s, stored[1][0].id)
    assert len(keys(bundled_db, "photonic biosensors")) == 1
    assert len(keys(bundled_db, "zembrix press")) == 1  # the source's title
    with bundled_db.session() as s:  # a merge re-indexes and renames the titles it touches
        keep = Resolver(s).exact("Servier")
        drop = Resolver(s).exact("Quarvex Bio")
        assert keep is not None and drop is not None
        merge_organisations(s, keep, drop)
    assert keys(bundled_db, "quarvex") == keys(bundled_db, "qvx")  # names of the dropped one are aliases
    with bundled_db.session() as s:
        items = list_alliances(s, Filters(q="quarvex")).model_dump()["items"]
        assert items and all("Quarvex" not in a["title"] for a in items)


def test_a_new_quote_adds_its_words_as_a_rebuild_would(
    any_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second source of a known alliance adds its quote's and title's words to the alliance's row
    (not rebuilt from every quote): the same rows as a rebuild, found at once, on both engines."""
    load_web_records(any_db)
    restated = {"parties": [{"name": "Servier"}, {"name": "Owkin"}], "type": "rd_collaboration"}
    for n, quote in enumerate(
        ("Servier and Owkin sign a pact.", "Servier and Owkin widen the qorvane pact.")
    ):
        with any_db.session() as s:
            stored = store_extraction(
                s,
                content_hash=f"q-{n}",
                records=[{**restated, "evidence": quote}],
                title=f"Tribune {n} xylograph",
            )
            assert stored is not None
            if n == 1:  # the row is added to, not rebuilt
                monkeypatch.setattr(search, "documents", lambda *_: pytest.fail("rebuilt from every quote"))
            accept_candidate(s, stored[1][0].id)
    monkeypatch.undo()
    found = keys(any_db, "qorvane")
    assert len(found) == 1 and keys(any_db, "xylograph") == found and keys(any_db, "pact") == found
    with any_db.session() as s:
        pg = s.get_bind().dialect.name == "postgresql"
        sql = (
            "SELECT alliance_id, doc::text FROM alliance_fts"
            if pg
            else "SELECT rowid, title, names, body FROM alliance_fts"
        )
        incremental = sorted(tuple(r) for r in s.execute(text(sql)))
        rebuild(s)
    with any_db.session() as s:
        assert sorted(tuple(r) for r in s.execute(text(sql))) == incremental


def test_rebuild_gives_the_same_answers(bundled_db: Database) -> None:
    before = {q: keys(bundled_db, q) for q in ("sanofi", "cloud", "oncology")}
    with bundled_db.session() as s:
        assert rebuild(s) == list_alliances(s, Filters()).total
    assert {q: keys(bundled_db, q) for q in before} == before


def test_words_fold_and_split_like_the_index() -> None:
    assert words("L'Oréal & AP-HP, 3D") == ["oreal", "ap", "hp", "3d"]
    assert words("  ") == []


@pytest.mark.parametrize("term", ["oncology", "cancer", "Breast cancer", "oncologie", "tumours"])
def test_areas_are_one_vocabulary(bundled_db: Database, term: str) -> None:
    """Import folds "cancer", "breast cancer"… into areas.yaml's oncology; the area filter and the search
    accept any label or synonym; unknown terms stay as free tags."""
    from alliances.taxonomy.areas import areas, canonical_area

    assert canonical_area(term) == "oncology"
    with bundled_db.session() as s:
        oncology = list_alliances(s, Filters(area=term, per_page=500)).total
        values = set(s.scalars(text("SELECT DISTINCT value FROM alliance_tag WHERE facet='area'")))
    assert oncology >= 50
    assert values <= set(areas())  # every bundled area is in the vocabulary
    assert canonical_area("Glanzmann thrombasthenia") == "glanzmann thrombasthenia"
    assert len(keys(bundled_db, "cancer")) >= oncology


def test_area_option_on_the_matrix_and_cli(bundled_client: Any, cli: Any, bundled_db: Database) -> None:
    page = bundled_client.get("/matrix?area=cancer&lang=fr").text
    assert '<option value="oncology" selected>oncologie</option>' in page or "oncologie" in page
    total = bundled_client.get("/api/v1/alliances?area=oncology").json()["total"]
    cells = bundled_client.get("/api/v1/matrix?area=oncology").json()
    assert total > 0 and cells["records"] == total
    listed = cli("list", "--db", bundled_db.url, "--area", "diabète", "--json")
    assert listed.code == 0 and json.loads(listed.out)["total"] > 0
