"""Exports of any filtered list: alliances as CSV and JSON Lines, the network as GraphML, GEXF and CSV."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import networkx as nx
import pytest

from alliances.store.io import CSV_COLUMNS


def test_alliances_csv_one_row_per_alliance_with_accents(web_client: Any) -> None:
    response = web_client.get("/api/v1/alliances.csv?kind=hospital&sort=announced")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="alliances.csv"' in response.headers["content-disposition"]
    assert not response.content.startswith(b"\xef\xbb\xbf")  # no BOM
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
    assert list(rows[0]) == CSV_COLUMNS
    assert [r["parties"] for r in rows] == ["Dassault Systèmes; AP-HP", "Microsoft; AP-HP"]
    assert rows[0]["title"] == "Jumeau numérique du cœur – Hôpitaux de Paris"
    assert rows[0]["kinds"] == "tech; hospital" and rows[0]["announced"] == "2020-03"


def test_csv_amounts_and_sources(web_client: Any) -> None:
    rows = list(csv.DictReader(io.StringIO(web_client.get("/api/v1/alliances.csv?party=Sanofi").text)))
    owkin = next(r for r in rows if "Owkin" in r["parties"])
    assert (owkin["amount"], owkin["currency"], owkin["type"]) == ("180000000", "USD", "equity_investment")
    google = next(r for r in rows if "Google" in r["parties"])
    assert google["source"] == "https://example.org/sanofi-google"
    assert google["technologies"] == "ai; cloud" and google["stages"] == "research; development"


def test_exports_follow_the_same_filters_as_the_list(web_client: Any) -> None:
    query = "year_from=2019&year_to=2021&type=rd_collaboration&technology=ai"
    listed = web_client.get(f"/api/v1/alliances?{query}").json()
    rows = list(csv.DictReader(io.StringIO(web_client.get(f"/api/v1/alliances.csv?{query}").text)))
    assert len(rows) == listed["total"] == 3
    lines = web_client.get(f"/api/v1/alliances.jsonl?{query}").text.splitlines()
    records = [json.loads(line) for line in lines]
    assert {r["id"] for r in records} == {a["id"] for a in listed["items"]}


def test_network_exports_open_in_graph_tools(web_client: Any) -> None:
    graphml = web_client.get("/api/v1/network.graphml?rollup=1")
    assert graphml.status_code == 200 and "graphml" in graphml.headers["content-type"]
    graph = nx.parse_graphml(graphml.text)
    labels = {d["label"] for _, d in graph.nodes(data=True)}
    assert "Alphabet" in labels and "Google" not in labels
    assert all("betweenness" in d for _, d in graph.nodes(data=True))
    gexf = web_client.get("/api/v1/network.gexf?kind=big_tech")
    assert 'filename="alliances.gexf"' in gexf.headers["content-disposition"]
    assert nx.read_gexf(io.BytesIO(gexf.content)).number_of_edges() == 5
    nodes = list(csv.DictReader(io.StringIO(web_client.get("/api/v1/network.nodes.csv").text)))
    edges = list(csv.DictReader(io.StringIO(web_client.get("/api/v1/network.edges.csv").text)))
    assert len(nodes) == 11 and len(edges) == 10


@pytest.mark.parametrize(
    "route", ["/api/v1/alliances.csv", "/api/v1/network.nodes.csv", "/api/v1/network.edges.csv"]
)
def test_csv_is_rfc_4180_with_an_optional_bom(web_client: Any, route: str) -> None:
    plain = web_client.get(route).content
    assert plain.count(b"\r\n") >= 2 and b"\n" not in plain.replace(b"\r\n", b"")
    assert not plain.startswith(b"\xef\xbb\xbf")
    with_bom = web_client.get(route, params={"bom": "1"}).content
    assert with_bom == b"\xef\xbb\xbf" + plain
