"""The JSON API under /api/v1: list shapes, filters, pagination, sorting, detail records, analytics."""

from __future__ import annotations

from typing import Any

import pytest

LIST_KEYS = {"items", "total", "page", "per_page"}


def get(client: Any, path: str, status: int = 200) -> Any:
    response = client.get(path)
    assert response.status_code == status, response.text
    return response.json()


@pytest.mark.parametrize(
    "path",
    ["/api/v1/alliances", "/api/v1/organisations", "/api/v1/projects", "/api/v1/network", "/api/v1/surveys"],
)
def test_lists_share_one_shape(web_client: Any, path: str) -> None:
    assert set(get(web_client, path)) >= LIST_KEYS


def test_alliance_filters_and_pagination(web_client: Any) -> None:
    everything = get(web_client, "/api/v1/alliances")
    assert everything["total"] == 10
    ai = get(web_client, "/api/v1/alliances?technology=ai&stage=research&type=rd_collaboration")
    assert ai["total"] == 4
    assert all("ai" in a["technologies"] and a["type"] == "rd_collaboration" for a in ai["items"])
    window = get(web_client, "/api/v1/alliances?year_from=2019&year_to=2021")
    assert {a["year"] for a in window["items"]} == {2019, 2020, 2021}
    page2 = get(web_client, "/api/v1/alliances?per_page=3&page=2&sort=id")
    assert (page2["page"], page2["per_page"], len(page2["items"])) == (2, 3, 3)
    assert [a["key"] for a in page2["items"]] == ["W04", "W05", "W06"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=owkin", {"W03", "W06"}),
        ("party=Alphabet", {"W01", "W05", "W09", "W10"}),  # subsidiaries included
        ("kind=hospital", {"W07", "W08"}),
        ("country=ch", {"W04", "W09"}),
        ("status=terminated", {"W05", "W09"}),
    ],
)
def test_alliance_search_and_party_filters(web_client: Any, query: str, expected: set[str]) -> None:
    assert {a["key"] for a in get(web_client, f"/api/v1/alliances?{query}&per_page=50")["items"]} == expected


def test_sorting_descending(web_client: Any) -> None:
    items = get(web_client, "/api/v1/alliances?sort=-announced")["items"]
    dates = [a["announced"] for a in items]
    assert dates == sorted(dates, reverse=True)


def test_alliance_detail_has_evidence_and_source(web_client: Any) -> None:
    first = get(web_client, "/api/v1/alliances?q=sanofi&sort=announced&technology=cloud")["items"][0]
    record = get(web_client, f"/api/v1/alliances/{first['id']}")
    assert [p["name"] for p in record["parties"]] == ["Sanofi", "Google"]
    assert record["evidence"][0]["quote"].startswith("Sanofi et Google")
    assert record["evidence"][0]["source"]["url"] == "https://example.org/sanofi-google"


def test_organisations_rank_by_degree_and_profile_by_name(web_client: Any) -> None:
    ranked = get(web_client, "/api/v1/organisations?sort=-degree&per_page=3")["items"]
    assert {o["name"] for o in ranked[:2]} == {"Google", "Sanofi"}  # three alliances each
    assert [o["degree"] for o in ranked] == [3, 3, 2]
    profile = get(web_client, "/api/v1/organisations/Sanofi")
    assert profile["name"] == "Sanofi"
    assert {p["name"] for p in profile["partners"]} == {"Google", "Owkin", "Verily"}
    assert profile["technologies"]["ai"] == 2
    assert [p["name"] for p in profile["projects"]] == ["DARWIN"]
    assert profile["ego_network"]["nodes"][0]["name"] == "Sanofi"
    alphabet = get(web_client, "/api/v1/organisations/Alphabet")
    assert {c["name"] for c in alphabet["subsidiaries"]} == {"Google", "Verily"}


def test_matrix_cells_link_to_lists_with_the_same_totals(web_client: Any) -> None:
    data = get(web_client, "/api/v1/matrix?type=rd_collaboration")
    for cell in data["cells"]:
        listed = get(web_client, cell["href"].replace("/alliances?", "/api/v1/alliances?"))
        assert listed["total"] == cell["count"], cell
    both = get(web_client, "/api/v1/matrix?source=both")
    cell = next(c for c in both["cells"] if (c["technology"], c["stage"]) == ("big_data", "research"))
    assert (cell["alliances"], cell["projects"], cell["count"]) == (1, 1, 2)


def test_network_ranking_and_graph(web_client: Any) -> None:
    data = get(web_client, "/api/v1/network?kind=big_tech&rollup=1&by=betweenness&top=4")
    assert data["items"][0]["name"] == "Alphabet"
    assert data["query"] == {"kind": "big_tech", "rollup": True}
    assert len(data["graph"]["nodes"]) == 4
    assert data["summary"]["approximate"] is False


def test_trends_and_projects(web_client: Any) -> None:
    trends = get(web_client, "/api/v1/trends?year_from=2019")
    assert trends["years"][0] == 2019
    projects = get(web_client, "/api/v1/projects?technology=iot")
    assert [p["name"] for p in projects["items"]] == ["Connect"]
    project = get(web_client, f"/api/v1/projects/{projects['items'][0]['id']}")
    assert project["owners"][0]["name"] == "Air Liquide"


def test_healthz_and_openapi(web_client: Any) -> None:
    health = get(web_client, "/healthz")
    assert health["ok"] is True and health["alliances"] == 10
    schema = get(web_client, "/openapi.json")
    for path in (
        "/api/v1/alliances",
        "/api/v1/alliances/{alliance_id}",
        "/api/v1/organisations",
        "/api/v1/organisations/{ref}",
        "/api/v1/matrix",
        "/api/v1/network",
        "/api/v1/trends",
        "/api/v1/projects",
        "/api/v1/network.graphml",
        "/api/v1/network.gexf",
        "/api/v1/alliances.csv",
    ):
        assert path in schema["paths"], path
    params = {p["name"] for p in schema["paths"]["/api/v1/alliances"]["get"]["parameters"]}
    assert params >= {
        "q",
        "type",
        "technology",
        "stage",
        "status",
        "party",
        "kind",
        "country",
        "year_from",
        "year_to",
        "sort",
        "page",
        "per_page",
    }


def test_lifespan_warms_up_before_the_first_request(web_db: Any) -> None:
    """Startup computes the overview, trends and hub profiles, so the first visitor does not wait."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    from alliances.schemas import AllianceFilters
    from alliances.settings import Settings
    from alliances.web import create_app

    app = create_app(Settings(db=web_db.url), database=web_db)

    def not_warmed() -> Any:
        raise AssertionError("computed on request, not at startup")

    from alliances.store.projects import text_counts
    from alliances.store.version import full_version, lean_version

    with TestClient(app), web_db.session() as session:
        full = lean_version(session)  # the overview is kept per lean version, its two text counts per full
        texts = app.state.memo.get(session, ("overview-texts",), not_warmed, full_version(session))
        assert texts == text_counts(session)
        app.state.memo.get(session, "overview", not_warmed, full)
        app.state.memo.get(session, ("trends", AllianceFilters().cache_key()), not_warmed)
        hub = app.state.memo.get(session, "overview", not_warmed, full).connected[0].id
        warmed = []  # a group's ego network rolls its subsidiaries up; either way it is computed at startup
        for rollup in (False, True):
            try:
                app.state.memo.get(session, ("ego", hub, rollup), not_warmed)
                warmed.append(rollup)
            except AssertionError:
                pass
        assert warmed, "the largest hub's ego network was not computed at startup"
