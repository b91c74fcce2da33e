"""Bad input never gives a 500: invalid filters are a 422 with a sentence, unknown ids a 404.

Every route of the app is walked with each bad parameter; /api answers the JSON envelope, pages one
HTML error page.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.routing import APIRoute

from alliances.schemas import AllianceFilters, OrganisationFilters, ProjectFilters
from alliances.settings import Settings
from alliances.web import create_app

# Each bad value is a 422 whose one-line message names the parameter ("page: Input should be ...").
BAD_PARAMETERS = {
    "type": "alliance",
    "technology": "quantum",
    "stage": "marketing",
    "status": "rumoured",
    "kind": "unicorn",
    "country": "France",
    "year_from": "last year",
    "year_to": "3000",
    "sort": "popularity",
    "page": "0",
    "page ": "1" + "0" * 30,
    "page  ": "²",
    "per_page": "100000",
    "per_page ": "٣",
}
FILTER_MODELS = (AllianceFilters, OrganisationFilters, ProjectFilters)


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


def get_routes() -> list[APIRoute]:
    app = create_app(Settings(db="sqlite:///:memory:"))
    return [r for r in api_routes(app.routes) if "GET" in r.methods]


def filter_model(route: APIRoute) -> Any:
    """The filter model a route takes as its query model, if any."""
    return next(
        (
            p.field_info.annotation
            for p in route.dependant.query_params
            if p.field_info.annotation in FILTER_MODELS
        ),
        None,
    )


ROUTES = sorted({concrete(r.path) for r in get_routes()})
# Every (route, parameter) pair where the route's filter model declares the parameter.
FILTERED = sorted(
    {
        (concrete(r.path), name)
        for r in get_routes()
        if (model := filter_model(r)) is not None
        for name in BAD_PARAMETERS
        if name.strip() in model.model_fields
    }
)


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


@pytest.mark.parametrize(("route", "name"), FILTERED)
def test_bad_filters_are_422_with_a_message(web_client: Any, route: str, name: str) -> None:
    value = BAD_PARAMETERS[name]
    name = name.strip()
    if route.startswith(("/organisations", "/api/v1/organisations")) and name == "sort":
        value = "announced"  # a valid alliance sort, but not an organisation one
    response = web_client.get(route, params={name: value})
    assert response.status_code == 422, (route, name, response.text[:300])
    if route.startswith("/api/"):
        body = response.json()
        assert body == {"ok": False, "status": 422, "error": body["error"]}
        assert body["error"].startswith(f"{name}: ")
    else:
        assert response.headers["content-type"].startswith("text/html")
        assert 'data-status="422"' in response.text and name.split("_")[0] in response.text


@pytest.mark.parametrize(
    ("route", "params", "message"),
    [
        (
            "/api/v1/matrix",
            {"source": "patents"},
            "source: 'patents' is not one of: alliances, projects, both",
        ),
        ("/matrix", {"source": "patents"}, "source: &#39;patents&#39; is not one of"),
        ("/api/v1/network", {"by": "pagerank"}, "by: 'pagerank' is not one of: degree, alliances"),
        ("/network", {"top": "-3"}, "top: Input should be greater"),
        ("/api/v1/network.gexf", {"rollup": "maybe"}, "rollup: Input should be a valid boolean"),
        ("/api/v1/recommendations", {"top": "51"}, "top: Input should be less"),
        ("/projects/٣", {}, "project_id: Input should be a valid integer"),
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
    assert message in response.text, response.text[:300]


@pytest.mark.parametrize(
    "route",
    [
        "/alliances/999999",
        "/organisations/999999",
        "/organisations/Nobody%20Inc",
        "/projects/424242",
        "/api/v1/alliances/999999",
        "/api/v1/organisations/0",
        "/api/v1/projects/999",
        "/nowhere",
        "/api/v1/nowhere",
        # An alliance is named by its id or its key (A000306): anything else names no alliance.
        "/api/v1/alliances/" + "9" * 30,
        "/api/v1/alliances/²",
        "/api/v1/alliances/abc",
    ],
)
def test_unknown_ids_and_addresses_are_404(web_client: Any, route: str) -> None:
    response = web_client.get(route, params=None if route.startswith("/api/") else {"lang": "en"})
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
