"""The review queue on the web: accept, reject and correct candidates; accepted ones show up at once."""

from __future__ import annotations

from typing import Any

import pytest

from alliances.store.candidates import store_extraction
from alliances.store.db import Database

CANDIDATES = [
    {
        "parties": [{"name": "Servier"}, {"name": "Iktos Robotics"}],
        "type": "rd_collaboration",
        "technologies": ["ai"],
        "stages": ["research"],
        "date": "2024-03-01",
        "confidence": 0.9,
        "evidence": "Servier et Iktos Robotics signent un accord de recherche.",
    },
    {
        "parties": [{"name": "Sanofi"}, {"name": "Numerate"}],
        "type": "other",
        "technologies": ["ai"],
        "stages": ["research"],
        "date": "2024",
        "confidence": 0.4,
        "evidence": "Une rumeur évoque un accord.",
    },
]


@pytest.fixture
def review(web_db: Database, client_for: Any) -> tuple[Any, list[int]]:
    with web_db.session() as s:
        stored = store_extraction(s, content_hash="h1", records=CANDIDATES, title="Communiqué de presse")
        assert stored is not None
        ids = [c.id for c in stored[1]]
    from alliances.auth.accounts import add_user, issue  # writes need an analyst (issue 13)

    with web_db.session() as s:
        analyst = add_user(s, "analyst@example.org", "a long password", organisation="Sanofi", role="analyst")
        token = issue(s, analyst).secret
    client = client_for(web_db)
    client.headers["Authorization"] = f"Bearer {token}"
    return client, ids


def ai_research(client: Any) -> int:
    cells = client.get("/api/v1/matrix").json()["cells"]
    return int(next(c["count"] for c in cells if (c["technology"], c["stage"]) == ("ai", "research")))


def test_queue_shows_candidates_with_their_sentence_and_new_parties(review: tuple[Any, list[int]]) -> None:
    client, ids = review
    html = client.get("/review").text
    assert 'data-total="2"' in html
    assert "Servier et Iktos Robotics signent un accord de recherche." in html
    assert "new organisation" in html and "known organisation" in html
    api = client.get("/api/v1/candidates").json()
    assert api["total"] == 2 and api["items"][0]["id"] == ids[0]


def test_accept_creates_the_alliance_and_updates_analytics(review: tuple[Any, list[int]]) -> None:
    client, ids = review
    before = ai_research(client)
    response = client.post(
        f"/review/{ids[0]}/accept", data={"kind::Iktos Robotics": "startup"}, follow_redirects=False
    )
    assert response.status_code == 303 and response.headers["location"].startswith("/review?done=accepted")
    assert client.get("/api/v1/alliances").json()["total"] == 11
    assert ai_research(client) == before + 1
    org = client.get("/api/v1/organisations/Iktos Robotics").json()
    assert org["kind"] == "startup"
    page = client.get(response.headers["location"]).text
    assert "Accepted: alliance" in page and 'data-total="1"' in page


def test_reject_and_edit(review: tuple[Any, list[int]]) -> None:
    client, ids = review
    edited = client.post(
        f"/review/{ids[1]}/edit",
        data={
            "type": "rd_collaboration",
            "party_0": "Sanofi",
            "party_1": "Owkin",
            "technologies": "ai, big_data",
            "stages": "research",
            "date": "2024-02",
        },
    )
    assert edited.status_code == 200  # followed the redirect back to the queue
    record = client.get("/api/v1/candidates").json()["items"][1]["record"]
    assert record["type"] == "rd_collaboration" and record["technologies"] == ["ai", "big_data"]
    assert [p["name"] for p in record["parties"]] == ["Sanofi", "Owkin"]
    assert client.post(f"/review/{ids[1]}/reject").status_code == 200
    assert client.get("/api/v1/candidates?state=rejected").json()["total"] == 1


def test_bad_edits_and_repeated_decisions_are_clear(review: tuple[Any, list[int]]) -> None:
    client, ids = review
    bad = client.patch(f"/api/v1/candidates/{ids[0]}", json={"type": "merger"})
    assert bad.status_code == 422 and "unknown alliance type" in bad.json()["error"]
    assert client.post(f"/api/v1/candidates/{ids[0]}/accept", json={}).status_code == 200
    again = client.post(f"/api/v1/candidates/{ids[0]}/accept", json={})
    assert again.status_code == 409 and again.json()["status"] == 409
    assert client.post("/review/999/accept").status_code == 404
    assert client.get("/api/v1/candidates?state=maybe").status_code == 422


def test_form_edits_amount_date_and_status_and_refuses_bad_dates(review: tuple[Any, list[int]]) -> None:
    client, ids = review
    form = {"party_0": "Sanofi", "party_1": "Numerate", "amount": "230M EUR", "date": "2024-02-11"}
    assert client.post(f"/review/{ids[1]}/edit", data={**form, "status": "active"}).status_code == 200
    record = client.get("/api/v1/candidates?state=all").json()["items"][1]["record"]
    assert record["amount"] == {"value": 230_000_000.0, "currency": "EUR", "kind": "total"}
    assert record["date"] == "2024-02-11" and record["status"] == "active"
    html = client.get("/review?lang=fr").text
    assert "230\xa0M€" in html and 'value="230000000 EUR"' in html
    bad = client.post(f"/review/{ids[1]}/edit", data={**form, "date": "2025-02-30"})
    assert bad.status_code == 422 and "est une date impossible" in bad.text  # the French cookie is set
    again = client.get("/api/v1/candidates?state=all").json()["items"][1]["record"]
    assert again["date"] == "2024-02-11"


def test_queue_pages_report_the_real_total(web_db: Database, client_for: Any) -> None:
    records = [{**CANDIDATES[0], "confidence": 0.5 + i / 1000} for i in range(7)]
    records.append({**CANDIDATES[1], "status": None, "confidence": 0.2})
    with web_db.session() as s:
        assert store_extraction(s, content_hash="many", records=records, title="Many") is not None
    client = client_for(web_db)
    first = client.get("/api/v1/candidates?per_page=3").json()
    assert (first["total"], first["page"], len(first["items"])) == (8, 1, 3)
    third = client.get("/api/v1/candidates?per_page=3&page=3").json()
    assert len(third["items"]) == 2 and third["items"][-1]["summary"]["rumour"] is True
    assert client.get("/api/v1/candidates?per_page=3&page=999").json()["page"] == 3
    html = client.get("/review?per_page=3&page=2").text
    assert 'data-total="8"' in html and html.count('class="review-card"') == 3 and 'rel="next"' in html
    fr = client.get("/review?per_page=3&page=3&lang=fr").text
    assert "8 candidats" in fr and "rumeur" in fr and "confiance 0,20" in fr
    assert client.get("/api/v1/candidates?page=abc").status_code == 422


def test_one_candidate_is_singular_in_french(review: tuple[Any, list[int]]) -> None:
    client, ids = review
    client.post(f"/review/{ids[1]}/reject")
    html = client.get("/review?lang=fr").text
    assert 'data-total="1"' in html and "1 candidat<" in html and "1 candidats" not in html


def test_a_candidates_state_agrees_in_french(review: tuple[Any, list[int]]) -> None:
    """The tabs are plural ("Rejetées"); one candidate is "Rejeté", "Accepté"."""
    client, ids = review
    client.post(f"/review/{ids[1]}/reject")
    html = client.get("/review?state=rejected&lang=fr").text
    assert ">Rejetées</a>" in html and "· Rejeté</span>" in html
    assert "· En attente</span>" in client.get("/review?lang=fr").text
    assert "· Rejected</span>" in client.get("/review?state=rejected&lang=en").text
