"""The partner-finding page and its JSON twin, over the recommender of alliances.recommend."""

from __future__ import annotations

from typing import Any


def test_recommendations_for_an_organisation(web_client: Any) -> None:
    data = web_client.get("/api/v1/recommendations?org=Servier&technology=ai&top=5").json()
    assert set(data) >= {"items", "total", "page", "per_page"}
    assert data["query"]["org"] == "Servier"
    assert all(item["organisation"] != "Servier" and item["reasons"] for item in data["items"])
    html = web_client.get("/recommend?org=Servier&technology=ai").text
    assert "Candidates for Servier" in html and 'id="recommendations"' in html


def test_need_without_organisation_and_bad_input(web_client: Any) -> None:
    data = web_client.get("/api/v1/recommendations?technology=ai&stage=research").json()
    assert data["items"] and data["items"][0]["organisation"] in {"Owkin", "Sanofi"}
    assert web_client.get("/api/v1/recommendations?org=Nobody Corp").status_code == 404
    assert web_client.get("/api/v1/recommendations?technology=quantum").status_code == 422
    assert web_client.get("/recommend?top=500&technology=ai").status_code == 422
    assert "Find partners" in web_client.get("/recommend").text
