"""Bad input never gives a 500: invalid filters are a 422 with a sentence, unknown ids a 404.

Every route of the app is walked with each bad parameter; /api answers the JSON envelope, pages one
HTML error page.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.routing import APIRoute

from alliances.settings import Settings
from alliances.web import create_app
from alliances.web.context import list_params

BAD_PARAMETERS = {
    "type": ("alliance", "unknown alliance type"),
    "technology": ("quantum", "unknown technology"),
    "stage": ("marketing", "unknown stage"),
    "status": ("rumoured", "unknown status"),
    "kind": ("unicorn", "unknown organisation kind"),
    "country": ("France", "country must be a two-letter code"),
    "year_from": ("last year", "year_from must be a whole number"),
    "year_to": ("3000", "year_to must be a year between"),
    "sort": ("popularity", "sort must be one of"),
    "page": ("0", "page must be 1 or more"),
    "per_page": ("100000", "per_page must be between"),
}


def concrete(path: str) -> str:
    return path.replace("{alliance_id}", "1").replace("{ref}", "1").replace("{project_id}", "1")


def api_routes(routes: list[Any]) -> list[APIRoute]:
    """Every APIRoute, looking inside included routers (FastAPI wraps them)."""
    found: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif hasattr(route, "original_router"):
            found += api_routes(route.original_router.routes)
    return found


def routes(filtered: bool = False) -> list[str]:
    """The GET addresses of the app; with `filtered`, only those taking the shared list parameters."""
    app = create_app(Settings(db="sqlite:///:memory:"))
    return sorted(
        {
            concrete(r.path)
            for r in api_routes(app.routes)
            if "GET" in r.methods
            and (not filtered or any(d.call is list_params for d in r.dependant.dependencies))
        }
    )


ROUTES = routes()
FILTERED = routes(filtered=True)


def test_route_table_covers_the_stable_addresses() -> None:
    for path in (
        "/",
        "/alliances",
        "/alliances/1",
        "/organisations",
        "/organisations/1",
        "/matrix",
        "/network",
        "/trends",
        "/projects",
        "/projects/1",
        "/surveys",
        "/api/v1/alliances",
        "/api/v1/alliances/1",
        "/api/v1/organisations",
        "/api/v1/organisations/1",
        "/api/v1/matrix",
        "/api/v1/network",
        "/api/v1/trends",
        "/api/v1/projects",
        "/api/v1/network.graphml",
        "/api/v1/network.gexf",
        "/api/v1/alliances.csv",
        "/api/v1/alliances.jsonl",
        "/healthz",
        "/docs",
    ):
        assert path in ROUTES, path


@pytest.mark.parametrize("route", FILTERED)
@pytest.mark.parametrize("name", sorted(BAD_PARAMETERS))
def test_bad_filters_are_422_with_a_message(web_client: Any, route: str, name: str) -> None:
    value, message = BAD_PARAMETERS[name]
    if route.startswith(("/organisations", "/api/v1/organisations")) and name == "sort":
        value = "announced"  # a valid alliance sort, but not an organisation one
    response = web_client.get(route, params={name: value})
    assert response.status_code == 422, (route, name, response.text[:300])
    if route.startswith("/api/"):
        body = response.json()
        assert body["ok"] is False and body["status"] == 422 and message.split()[0] in body["error"]
    else:
        assert response.headers["content-type"].startswith("text/html")
        assert 'data-status="422"' in response.text and name.split("_")[0] in response.text


@pytest.mark.parametrize(
    ("route", "params", "message"),
    [
        ("/api/v1/matrix", {"source": "patents"}, "source must be one of"),
        ("/matrix", {"source": "patents"}, "source must be one of"),
        ("/api/v1/network", {"by": "pagerank"}, "by must be one of"),
        ("/network", {"top": "-3"}, "top must be between"),
        ("/api/v1/network.gexf", {"rollup": "maybe"}, "rollup must be 1 or 0"),
        (
            "/api/v1/alliances",
            {"year_from": "2020", "year_to": "2010"},
            "year_from must not be after year_to",
        ),
    ],
)
def test_bad_analytics_parameters_are_422(
    web_client: Any, route: str, params: dict[str, str], message: str
) -> None:
    response = web_client.get(route, params=params)
    assert response.status_code == 422
    assert message in response.text


@pytest.mark.parametrize(
    "route",
    [
        "/alliances/999999",
        "/alliances/abc",
        "/organisations/999999",
        "/organisations/Nobody%20Inc",
        "/projects/424242",
        "/projects/x",
        "/api/v1/alliances/999999",
        "/api/v1/alliances/abc",
        "/api/v1/organisations/0",
        "/api/v1/projects/999",
        "/nowhere",
        "/api/v1/nowhere",
    ],
)
def test_unknown_ids_and_addresses_are_404(web_client: Any, route: str) -> None:
    response = web_client.get(route)
    assert response.status_code == 404
    if route.startswith("/api/"):
        assert response.json() == {"ok": False, "error": response.json()["error"], "status": 404}
        assert response.json()["error"]
    else:
        assert 'data-status="404"' in response.text and "Not found" in response.text


def test_error_page_is_translated(web_client: Any) -> None:
    response = web_client.get("/alliances/999999?lang=fr")
    assert response.status_code == 404 and "Introuvable" in response.text
    web_client.get("/?lang=en")


def test_wrong_method_uses_the_envelope(web_client: Any) -> None:
    response = web_client.post("/api/v1/alliances")
    assert response.status_code == 405
    assert response.json()["ok"] is False


def test_missing_database_tables_are_a_clear_503(tmp_path: Any, client_for: Any) -> None:
    from alliances.store.db import Database

    client = client_for(Database.open(f"sqlite:///{tmp_path / 'empty.db'}"))
    response = client.get("/api/v1/alliances")
    assert response.status_code == 503
    assert "no such table" in response.json()["error"]
