"""Candidates restating a known alliance: flagged in the queue, accepted as a second source (issue 11).

Driven on the bundled real dataset: Bristol Myers Squibb – Owkin (R0200, R&D collaboration of 2022-06-08)
and Dexcom – Verily (R0015, 2015-08-11; Verily is Alphabet's, as is Google).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import func, select

from alliances.store.candidates import list_candidates, store_extraction
from alliances.store.db import Database
from alliances.store.models import Alliance, Candidate, Evidence
from alliances.store.restated import Restated, dates_close, types_compatible


def _rec(
    a: str, b: str, type_: str | None = "rd_collaboration", date: str | None = "2022-09"
) -> dict[str, Any]:
    return {
        "parties": [{"name": a}, {"name": b}],
        "type": type_,
        "date": date,
        "technologies": ["ai"],
        "stages": ["research"],
        "confidence": 0.9,
        "evidence": f"{a} and {b} extend their research collaboration.",
    }


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        (_rec("BMS", "Owkin"), "R0200"),  # an alias resolves to Bristol Myers Squibb
        (_rec("Owkin", "Bristol Myers Squibb", None, None), "R0200"),  # missing type and date: compatible
        (_rec("Owkin", "Bristol Myers Squibb", "other", "2023-05-30"), "R0200"),
        (_rec("Google", "Dexcom", date="2015-09-01"), "R0015"),  # Google and Verily both roll up to Alphabet
        (_rec("BMS", "Owkin", date="2024-01"), None),  # more than a year later: a new alliance
        (_rec("BMS", "Owkin", "acquisition"), None),  # incompatible type
        (_rec("BMS", "Zorblax Health"), None),  # a party unknown to the knowledge base
        (_rec("BMS", "Bristol Myers Squibb"), None),  # one organisation twice is no alliance
    ],
)
def test_find_restated_alliance(bundled_db: Database, record: dict[str, Any], expected: str | None) -> None:
    with bundled_db.session() as s:
        found = Restated(s).find(record)
        assert (found.key if found else None) == expected


def test_private_alliances_are_never_matched(bundled_db: Database) -> None:
    with bundled_db.session() as s:
        s.scalar(select(Alliance).where(Alliance.key == "R0200")).visibility = "private"
        s.flush()
        assert Restated(s).find(_rec("BMS", "Owkin")) is None


def test_dates_and_types() -> None:
    assert dates_close("2022-06-08", "2023-06-08") and not dates_close("2022-06-08", "2023-06-10")
    assert dates_close("2022", "2023-12-31") and not dates_close("2021", "2023-01")
    assert dates_close(None, "2020") and dates_close("garbage", "2020")
    assert types_compatible("other", "acquisition") and not types_compatible(
        "licensing_commercialisation", "acquisition"
    )


def test_review_list_flags_and_accept_adds_a_source(bundled_db: Database, cli: Any) -> None:
    url = bundled_db.url
    with bundled_db.session() as s:
        stored = store_extraction(
            s,
            content_hash="restated-1",
            records=[_rec("BMS", "Owkin"), _rec("Owkin", "Zorblax Health")],
            spans=[(0, 40), (41, 80)],
            title="Owkin press release",
        )
        assert stored is not None
        restating, fresh = (c.id for c in stored[1])
        n_alliances = s.scalar(select(func.count(Alliance.id)))
        target = s.scalar(select(Alliance).where(Alliance.key == "R0200"))
        assert target is not None
        target_id, n_evidence = target.id, len(target.evidence)

    rows = {r["id"]: r for r in json.loads(cli("review", "list", "--db", url, "--json").out)}
    assert rows[restating]["restates"] == "R0200" and rows[fresh]["restates"] is None
    table = cli("review", "list", "--db", url)
    assert table.code == 0 and "restates" in table.out and "R0200" in table.out
    shown = json.loads(cli("review", "show", str(restating), "--db", url).out)
    assert shown["restates"] == "R0200"

    accepted = cli("review", "accept", str(restating), "--db", url)
    assert accepted.code == 0, accepted.err
    assert f"candidate {restating} added as a source of alliance R0200" in accepted.out
    with bundled_db.session() as s:
        assert s.scalar(select(func.count(Alliance.id))) == n_alliances  # no second record
        cand = s.get(Candidate, restating)
        assert cand.state == "accepted" and cand.alliance_id == target_id
        evidence = list(s.scalars(select(Evidence).where(Evidence.alliance_id == target_id)))
        assert len(evidence) == n_evidence + 1
        added = next(e for e in evidence if e.source_id == cand.source_id)
        assert added.quote == "BMS and Owkin extend their research collaboration." and added.start == 0
        decided = list_candidates(s, state="accepted")
        assert [r.restates for r in decided if r.id == restating] == ["R0200"]

    other = cli("review", "accept", str(fresh), "--db", url, "--kind", "Zorblax Health=startup")
    assert other.code == 0 and "accepted as alliance" in other.out
    with bundled_db.session() as s:
        assert s.scalar(select(func.count(Alliance.id))) == n_alliances + 1


def test_review_page_notes_the_restatement(bundled_db: Database, client_for: Any) -> None:
    with bundled_db.session() as s:
        stored = store_extraction(s, content_hash="restated-2", records=[_rec("BMS", "Owkin")], title="Note")
        assert stored is not None
        cid = stored[1][0].id
    client = client_for(bundled_db)
    en = client.get("/review")
    assert en.status_code == 200
    assert f'id="candidate-{cid}"' in en.text and 'data-restates="R0200"' in en.text
    assert "Restates alliance R0200, already in the knowledge base" in en.text
    fr = client.get("/review?lang=fr")
    assert "Reprend l'alliance R0200, déjà dans la base" in fr.text.replace("&#39;", "'")
    api = client.get("/api/v1/candidates").json()["items"]
    assert [c["restates"] for c in api if c["id"] == cid] == ["R0200"]
