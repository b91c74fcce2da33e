"""`alliances review` as the README documents it: named options, validation at edit time, pages, ids."""

from __future__ import annotations

import json
from typing import Any

import pytest

from alliances.store.candidates import store_extraction
from alliances.store.db import Database
from alliances.store.models import Candidate

RECORDS: list[dict[str, Any]] = [
    {
        "parties": [{"name": "Servier"}, {"name": "Quarvex Bio"}],
        "type": "rd_collaboration",
        "technologies": ["ai"],
        "stages": ["research"],
        "date": "2024-03-01",
        "status": "announced",
        "confidence": 0.9,
        "evidence": "Servier et Quarvex Bio signent un accord de recherche.",
    },
    {
        "parties": [{"name": "Sanofi"}, {"name": "Owkin"}],
        "type": "other",
        "technologies": ["ai"],
        "stages": ["research"],
        "date": None,
        "status": None,
        "confidence": 0.3,
        "evidence": "Sanofi serait en discussions avec Owkin.",
    },
]


@pytest.fixture
def queue(bundled_db: Database) -> tuple[str, list[int]]:
    with bundled_db.session() as s:
        stored = store_extraction(s, content_hash="cli-h1", records=RECORDS, title="Communiqué")
        assert stored is not None
        ids = [c.id for c in stored[1]]
    return bundled_db.url, ids


def record_of(db_url: str, cid: int) -> dict[str, Any]:
    db = Database.open(db_url)
    with db.session() as s:
        cand = s.get(Candidate, cid)
        assert cand is not None
        rec = dict(cand.record)
    db.dispose()
    return rec


def test_readme_example_and_every_named_option(cli: Any, queue: tuple[str, list[int]]) -> None:
    url, (cid, _) = queue
    out = cli("review", "edit", str(cid), "--db", url, "--type", "licensing_commercialisation")
    assert out.code == 0, out.err
    assert json.loads(out.out)["type"] == "licensing_commercialisation"
    out = cli(
        "review", "edit", str(cid), "--db", url,
        "--technology", "ai,cloud", "--stage", "development", "--stage", "research",
        "--area", "Oncology", "--date", "2024-02", "--amount", "230M", "--currency", "eur",
        "--status", "active", "--party", "Servier", "--party", "Quarvex Biotherapeutics",
        "--vehicle", "QS Lab",
    )  # fmt: skip
    assert out.code == 0, out.err
    rec = record_of(url, cid)
    assert rec["technologies"] == ["ai", "cloud"] and rec["stages"] == ["development", "research"]
    assert rec["therapeutic_areas"] == ["oncology"] and rec["date"] == "2024-02"
    assert rec["amount"] == {"value": 230_000_000.0, "currency": "EUR", "kind": "total"}
    assert rec["status"] == "active" and rec["vehicle"] == "QS Lab"
    assert [p["name"] for p in rec["parties"]] == ["Servier", "Quarvex Biotherapeutics"]
    out = cli("review", "edit", str(cid), "--db", url, "--set", 'amount={"value": 1.2e9, "currency": "USD"}')
    assert out.code == 0 and record_of(url, cid)["amount"]["value"] == 1.2e9


@pytest.mark.parametrize(
    "args",
    [
        ("--date", "2025-02-30"),
        ("--date", "next week"),
        ("--type", "friendship"),
        ("--technology", "telepathy"),
        ("--status", "maybe"),
        ("--amount", "lots"),
        ("--currency", "EURO"),
        ("--party", "Servier"),
        ("--set", "colour=blue"),
        ("--set", "amount=1.2 bananas"),
        ("--type", "licensing_commercialisation", "--date", "2025-13"),
        ("--bogus", "x"),
    ],
)
def test_bad_edits_exit_2_and_write_nothing(
    cli: Any, queue: tuple[str, list[int]], args: tuple[str, ...]
) -> None:
    url, (cid, _) = queue
    before = record_of(url, cid)
    out = cli("review", "edit", str(cid), "--db", url, *args)
    assert out.code == 2, (out.out, out.err)
    assert out.err.strip().splitlines()[-1].startswith("Error: ") and "Traceback" not in out.err
    assert record_of(url, cid) == before


def test_accept_prints_the_key_that_show_and_the_page_accept(
    cli: Any, queue: tuple[str, list[int]], client_for: Any
) -> None:
    url, (cid, _) = queue
    out = cli("review", "accept", str(cid), "--db", url)
    assert out.code == 0, out.err
    key = out.out.split("accepted as alliance ")[1].split(":")[0]
    assert key.startswith("A")
    shown = cli("show", key, "--db", url, "--json")
    assert shown.code == 0 and json.loads(shown.out)["key"] == key
    assert cli("show", "A999999", "--db", url).code == 3
    db = Database.open(url)
    client = client_for(db)
    assert client.get(f"/alliances/{key}").status_code == 200
    assert client.get(f"/api/v1/alliances/{key}").json()["key"] == key
    assert client.get("/alliances/A999999").status_code == 404
    db.dispose()


def test_rumours_are_labelled_and_pages_turn(cli: Any, queue: tuple[str, list[int]]) -> None:
    url, (cid, rumour_id) = queue
    rows = json.loads(cli("review", "list", "--db", url, "--json").out)
    assert {r["id"]: r["rumour"] for r in rows} == {cid: False, rumour_id: True}
    table = cli("review", "list", "--db", url, "--limit", "1", "--page", "2")
    assert table.code == 0 and "2 candidate alliances (page 2 of 2)" in table.out and "rumour" in table.out
    last = json.loads(cli("review", "list", "--db", url, "--limit", "1", "--page", "99", "--json").out)
    assert [r["id"] for r in last] == [rumour_id]


def test_sources_show_their_title_and_file_name() -> None:
    from alliances.store.candidates import source_label
    from alliances.store.models import Source

    assert source_label(Source(title="sanofi-owkin", path="/in/sanofi-owkin.html")) == "sanofi-owkin.html"
    assert source_label(Source(title="Sanofi et Owkin", path="/in/a.html")) == "Sanofi et Owkin · a.html"
    assert source_label(Source(id=7)) == "source #7"  # never blank


@pytest.mark.slow
def test_readme_tour_on_the_bundled_press_examples(cli: Any, bundled_db: Database) -> None:
    """The README's ingest and review lines, on the documents it ships (`examples/press/`): a newcomer
    has no press folder of their own, and the ids the README names must be the ones a fresh base gets."""
    from pathlib import Path

    press = Path(__file__).resolve().parents[1] / "examples" / "press"
    url = bundled_db.url
    out = cli("ingest", str(press), "--db", url)
    assert out.code == 0, out.err
    assert "5 documents: 5 stored, 0 already ingested, 0 failed; 8 candidate alliances" in out.out
    again = cli("ingest", str(press), "--db", url)
    assert "0 stored, 5 already ingested" in again.out
    listed = {c["id"]: c for c in json.loads(cli("review", "list", "--db", url, "--json").out)}
    assert sorted(listed) == list(range(1, 9))
    assert all(listed[i]["restates"] for i in (1, 4, 5, 7)), listed
    assert listed[3]["rumour"] and not listed[6]["restates"]
    accepted = cli("review", "accept", "1", "4", "5", "7", "--db", url)
    assert accepted.code == 0 and accepted.out.count("added as a source of alliance") == 4, accepted.out
    edit = cli("review", "edit", "6", "--type", "supply_or_service", "--status", "active", "--db", url)
    assert edit.code == 0, edit.err
    assert record_of(url, 6)["type"] == "supply_or_service"
    rejected = cli("review", "reject", "2", "3", "8", "--db", url)
    assert rejected.code == 0 and rejected.out.count("rejected") == 3
