"""The alliance network: graph from facts, centralities, group roll-up, caching and exports."""

from __future__ import annotations

import csv
import io

import networkx as nx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from alliances.analytics import export
from alliances.analytics.centrality import EXACT_LIMIT, centralities, sample_size
from alliances.analytics.network import NetworkCache, NetworkQuery, build_graph
from alliances.schemas import AllianceFilters, EgoNetwork, RankedNode
from alliances.store.db import Database
from alliances.store.facts import load_facts
from alliances.store.models import Organisation
from alliances.store.writes import add_alliance


def names(network_items: list[RankedNode]) -> list[str]:
    return [item.name for item in network_items]


def test_graph_links_every_pair_of_parties(web_db: Database) -> None:
    with web_db.session() as s:
        graph = build_graph(load_facts(s), NetworkQuery())
    label = {n: d["label"] for n, d in graph.nodes(data=True)}
    google = next(n for n, name in label.items() if name == "Google")
    assert sorted(label[p] for p in graph[google]) == ["Novartis", "Sanofi", "Servier"]
    assert graph.number_of_nodes() == 11  # Alphabet and Air Liquide are in no alliance
    assert graph.number_of_edges() == 10


def test_rollup_merges_subsidiaries_into_their_group(web_db: Database) -> None:
    with web_db.session() as s:
        network = NetworkCache().network(s, NetworkQuery(rollup=True))
    top = network.ranking("alliances", per_page=3).items
    assert top[0].name == "Alphabet"  # Google (3) + Verily (1)
    assert top[0].alliances == 4
    assert "Google" not in names(network.ranking(per_page=50).items)


def test_filters_select_the_alliances_drawn(web_db: Database) -> None:
    cache = NetworkCache()
    with web_db.session() as s:
        big_tech = cache.network(s, NetworkQuery(AllianceFilters(kind="big_tech")))
        recent = cache.network(s, NetworkQuery(AllianceFilters(year_from=2021, year_to=2023)))
        ai = cache.network(s, NetworkQuery(AllianceFilters(technology="ai", stage="research")))
    # Alliances with a big-tech party: W01, W04, W07, W09, W10.
    assert big_tech.summary().edges == 5
    # The graph keeps every party of those alliances; the ranking ranks only big tech (issue 12).
    assert {d["label"] for _, d in big_tech.graph.nodes(data=True)} == {
        "Google",
        "Microsoft",
        "Sanofi",
        "Novartis",
        "AP-HP",
        "Servier",
    }
    assert set(names(big_tech.ranking(per_page=50).items)) == {"Google", "Microsoft"}
    assert recent.summary().edges == 4  # W03, W07, W09, W10
    assert ai.summary().edges == 5


def test_centralities_on_a_path_are_exact() -> None:
    graph = nx.path_graph(5)
    nx.set_node_attributes(graph, 1, "alliances")
    result = centralities(graph)
    assert not result.approximate
    assert result.metrics[2].betweenness == pytest.approx(4 / 6)  # the middle of a path of five
    assert result.metrics[0].betweenness == 0
    assert result.metrics[2].degree == 2
    assert result.metrics[2].eigenvector > result.metrics[0].eigenvector


def test_large_graphs_sample_betweenness() -> None:
    graph = nx.barabasi_albert_graph(EXACT_LIMIT + 500, 2, seed=1)
    k = sample_size(graph)
    assert k is not None and 24 <= k < graph.number_of_nodes()
    assert sample_size(nx.path_graph(10)) is None


def test_cache_recomputes_when_the_data_changes(web_db: Database) -> None:
    cache = NetworkCache()
    with web_db.session() as s:
        first = cache.network(s, NetworkQuery())
        assert cache.network(s, NetworkQuery()) is first
    with web_db.session() as s:
        add_alliance(s, {"parties": ["Numerate", "Microsoft"], "type": "rd_collaboration", "date": "2024"})
    with web_db.session() as s:
        second = cache.network(s, NetworkQuery())
    assert second is not first
    assert second.summary().edges == first.summary().edges + 1


def test_ego_network_centres_on_the_organisation(web_db: Database) -> None:
    with web_db.session() as s:
        sanofi = next(o.id for o in load_facts(s).organisations.values() if o.name == "Sanofi")
        ego = NetworkCache().ego(s, sanofi)
    assert ego.nodes[0].name == "Sanofi" and ego.nodes[0].centre
    assert {n.name for n in ego.nodes[1:]} == {"Google", "Owkin", "Verily"}


def test_top_subgraph_keeps_the_most_central(web_db: Database) -> None:
    with web_db.session() as s:
        network = NetworkCache().network(s, NetworkQuery())
    drawn = network.top_subgraph(3, "degree")
    assert [n.rank for n in drawn.nodes] == [1, 2, 3]
    ids = {n.id for n in drawn.nodes}
    assert all(e.source in ids and e.target in ids for e in drawn.edges)
    assert all(isinstance(n.x, float) for n in drawn.nodes)


def test_exports_read_back(web_db: Database) -> None:
    with web_db.session() as s:
        network = NetworkCache().network(s, NetworkQuery())
    graphml = nx.parse_graphml(export.graphml(network))
    assert graphml.number_of_nodes() == 11 and graphml.number_of_edges() == 10
    labels = {d["label"] for _, d in graphml.nodes(data=True)}
    assert "Dassault Systèmes" in labels
    gexf = nx.read_gexf(io.BytesIO(export.gexf(network).encode("utf-8")))
    assert gexf.number_of_edges() == 10
    nodes = list(csv.DictReader(io.StringIO("".join(export.nodes_csv(network)))))
    assert len(nodes) == 11 and set(nodes[0]) >= {"label", "degree", "betweenness", "eigenvector"}
    edges = list(csv.DictReader(io.StringIO("".join(export.edges_csv(network)))))
    assert len(edges) == 10 and {e["type"] for e in edges} >= {"rd_collaboration", "joint_venture"}


def full_graph_ego(cache: NetworkCache, s: Session, org_id: int, rollup: bool) -> EgoNetwork:
    """The ego network taken from the whole graph (built first, so `ego` reads it from the cache)."""
    cache.graph(s, NetworkQuery(rollup=rollup))
    return cache.ego(s, org_id, rollup=rollup)


@pytest.mark.parametrize("rollup", [False, True])
def test_ego_without_the_whole_graph_is_the_same(bundled_db: Database, rollup: bool) -> None:
    """After a write the whole graph is not rebuilt for a profile: its ego network, built from the
    alliances around the organisation, is the one the whole graph gives, node for node, tie for tie, in
    the same order and with the same layout (every organisation of the bundle, a private alliance too)."""
    with bundled_db.session() as s:
        org_ids = list(s.scalars(select(Organisation.id).order_by(Organisation.id)))
        owner = s.scalar(select(Organisation.id).where(Organisation.name == "Sanofi"))
        record = {
            "parties": [{"name": "Sanofi"}, {"name": "Stealth Partner Ltd"}],
            "type": "licensing_commercialisation",
            "owner_id": owner,
            "visibility": "private",
        }
        add_alliance(s, record, create_missing=True)
    with bundled_db.session() as s:
        full, local = NetworkCache(), NetworkCache()
        compared = 0
        for org_id in org_ids:
            expected = full_graph_ego(full, s, org_id, rollup)
            assert local.ego(s, org_id, rollup=rollup) == expected, org_id
            compared += bool(expected.nodes)
        sanofi = local.ego(s, owner, rollup=rollup)
    assert compared > 100  # most organisations have partners
    assert len(sanofi.nodes) > 10 and "Stealth Partner Ltd" not in {n.name for n in sanofi.nodes}
