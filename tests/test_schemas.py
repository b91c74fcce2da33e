"""The contracts: one filter model, one meaning on every route family (list, matrix, trends, network,
exports, CLI), bounds that reject absurd numbers, and an OpenAPI that tells the truth."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from alliances.errors import InvalidInput
from alliances.schemas import AllianceFilters, build

# Every filter of AllianceFilters, with a value that selects some (not all) bundled alliances.
FILTERS: list[dict[str, str]] = [
    {"q": "Sanofi"},
    {"q": "zzz-nothing"},
    {"type": "rd_collaboration"},
    {"technology": "ai"},
    {"stage": "production"},
    {"status": "terminated"},
    {"party": "Google"},
    {"party": "Servier"},
    {"kind": "big_tech"},
    {"country": "fr"},
    {"year_from": "2020"},
    {"year_to": "2015"},
    {"origin": "seed"},
    {"area": "oncology"},
    {"kind": "big_tech", "year_from": "2019", "technology": "cloud"},
]
CLI_FLAGS = {"year_from": "--from", "year_to": "--to"}


def _get(client: Any, path: str, params: dict[str, str]) -> Any:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text[:300]
    return response


def listed(client: Any, params: dict[str, str]) -> list[dict[str, Any]]:
    """Every matching alliance, through the paginated API list."""
    items: list[dict[str, Any]] = []
    page = 1
    while True:
        body = _get(client, "/api/v1/alliances", {**params, "per_page": "500", "page": str(page)}).json()
        items += body["items"]
        if len(items) >= body["total"]:
            assert len(items) == body["total"]
            return items
        page += 1


def network_alliance_count(client: Any, params: dict[str, str]) -> int:
    """The sum of the nodes' alliance counts: each alliance counted once per distinct party."""
    total, page, seen = 0, 1, 0
    while True:
        body = _get(client, "/api/v1/network", {**params, "per_page": "500", "page": str(page)}).json()
        total += sum(node["alliances"] for node in body["items"])
        seen += len(body["items"])
        if seen >= body["total"]:
            return total
        page += 1


@pytest.mark.parametrize("params", FILTERS, ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()))
def test_a_filter_counts_the_same_alliances_everywhere(
    bundled_client: Any, bundled_db_file: Path, cli: Any, params: dict[str, str]
) -> None:
    items = listed(bundled_client, params)
    keys = {a["key"] for a in items}
    party_slots = sum(len({p["id"] for p in a["parties"]}) for a in items)
    dated = sum(1 for a in items if a["year"] is not None)

    matrix = _get(bundled_client, "/api/v1/matrix", params).json()
    assert matrix["records"] == len(items)

    trends = _get(bundled_client, "/api/v1/trends", params).json()
    assert sum(trends["total"]) == dated

    # With a kind filter the ranking lists organisations of that kind only (journey 2): their slots.
    kind = params.get("kind")
    ranked = (
        sum(len({p["id"] for p in a["parties"] if p["kind"] == kind}) for a in items) if kind else party_slots
    )
    assert network_alliance_count(bundled_client, params) == ranked
    nodes = list(csv.DictReader(io.StringIO(_get(bundled_client, "/api/v1/network.nodes.csv", params).text)))
    assert sum(int(n["alliances"]) for n in nodes) == party_slots

    rows = list(csv.DictReader(io.StringIO(_get(bundled_client, "/api/v1/alliances.csv", params).text)))
    assert {r["key"] for r in rows} == keys and len(rows) == len(items)
    lines = _get(bundled_client, "/api/v1/alliances.jsonl", params).text.splitlines()
    assert {json.loads(line)["key"] for line in lines} == keys

    flags = [x for k, v in params.items() for x in (CLI_FLAGS.get(k, "--" + k.replace("_", "-")), v)]
    result = cli("list", *flags, "--per-page", "500", "--json", "--db", str(bundled_db_file))
    assert result.code == 0, result.err
    assert {a["key"] for a in json.loads(result.out)["items"]} == keys


def test_filters_select_something_but_not_everything(bundled_client: Any) -> None:
    """The table above would prove little if its filters matched all or nothing."""
    everything = _get(bundled_client, "/api/v1/alliances", {"per_page": "1"}).json()["total"]
    for params in FILTERS:
        total = _get(bundled_client, "/api/v1/alliances", {**params, "per_page": "1"}).json()["total"]
        assert total < everything, params
        assert total > 0 or params == {"q": "zzz-nothing"}, params


def test_network_of_nothing_is_empty(bundled_client: Any) -> None:
    body = _get(bundled_client, "/api/v1/network", {"q": "zzz-nothing"}).json()
    assert body["total"] == 0 and body["summary"]["nodes"] == 0 and body["graph"]["nodes"] == []
    servier = _get(bundled_client, "/api/v1/network", {"party": "Servier", "per_page": "500"}).json()
    assert "Servier" in {n["name"] for n in servier["items"]}
    assert servier["total"] < _get(bundled_client, "/api/v1/network", {}).json()["total"]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"page": 10**30}, "page: Input should be less than or equal to"),
        ({"page": "²"}, "page: Input should be a valid integer"),
        ({"per_page": "٣"}, "per_page: Input should be a valid integer"),
        ({"per_page": 0}, "per_page: Input should be greater than or equal to 1"),
        ({"type": "alliance"}, "type: unknown alliance type 'alliance' (expected one of: rd_collaboration"),
        ({"sort": "popularity"}, "sort: 'popularity' is not one of: announced, year"),
        ({"year_from": 2020, "year_to": 2010}, "year_from must not be after year_to"),
        ({"country": "France"}, "country: String should match pattern"),
    ],
)
def test_bad_values_are_one_line_naming_the_field(values: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        build(AllianceFilters, **values)
    assert message in caught.value.message and "\n" not in caught.value.message


def test_blank_form_fields_mean_not_given() -> None:
    filters = AllianceFilters.model_validate({"type": "", "q": "", "page": "", "country": "fr"})
    assert filters == AllianceFilters(country="FR")
    assert filters.as_params() == {"country": "FR"}


def test_openapi_lists_typed_parameters_and_the_real_error_body(bundled_client: Any) -> None:
    schema = bundled_client.get("/openapi.json").json()
    operation = schema["paths"]["/api/v1/alliances"]["get"]
    params = {p["name"]: p["schema"] for p in operation["parameters"]}
    assert set(params) >= {"q", "type", "technology", "stage", "party", "area", "year_from", "page"}
    type_schema = params["type"]["anyOf"][0]
    if "$ref" in type_schema:
        type_schema = schema["components"]["schemas"][type_schema["$ref"].rsplit("/", 1)[1]]
    assert "rd_collaboration" in type_schema["enum"]
    page = params["page"]
    assert page["type"] == "integer" and page["minimum"] == 1
    error = operation["responses"]["422"]["content"]["application/json"]["schema"]["$ref"]
    assert error.endswith("/ErrorEnvelope")
    assert set(schema["components"]["schemas"]["ErrorEnvelope"]["properties"]) == {"ok", "error", "status"}
    for path, methods in schema["paths"].items():
        for method, op in methods.items():
            ok = op["responses"].get("200") or op["responses"].get("201")
            assert ok and ok.get("content"), (method, path)
            body = next(iter(ok["content"].values())).get("schema")
            if path.startswith("/api/v1/") and "." not in path.rsplit("/", 1)[-1]:
                assert body and body != {}, (method, path)  # JSON routes declare a response model
