"""Network exports for Gephi and spreadsheets: GraphML, GEXF, and CSV of nodes and edges.

The exported graph is the whole filtered network (not the drawn top-N), with the centralities as node
attributes so Gephi can size and rank nodes without recomputing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict

import networkx as nx

from alliances.analytics.network import Network
from alliances.store.csvout import csv_chunks

NODE_COLUMNS = ("id", "label", "kind", "country", "alliances", "degree", "betweenness", "eigenvector")
EDGE_COLUMNS = ("source", "target", "source_label", "target_label", "weight", "type", "types")


def annotated(network: Network) -> nx.Graph:
    """A copy of the graph whose nodes carry their centralities (GraphML/GEXF want scalar attributes)."""
    graph = nx.Graph()
    for node, data in network.graph.nodes(data=True):
        metrics = asdict(network.metrics[node])
        graph.add_node(node, **{**data, **metrics})
    graph.add_edges_from(network.graph.edges(data=True))
    return graph


def graphml(network: Network) -> str:
    return "\n".join(nx.generate_graphml(annotated(network))) + "\n"


def gexf(network: Network) -> str:
    return "\n".join(nx.generate_gexf(annotated(network), version="1.2draft")) + "\n"


def nodes_csv(network: Network, *, bom: bool = False) -> Iterator[str]:
    def rows() -> Iterator[list[object]]:
        for node in network.ranked("degree"):
            data, m = network.graph.nodes[node], network.metrics[node]
            yield [
                node,
                data["label"],
                data["kind"],
                data["country"],
                m.alliances,
                m.degree,
                m.betweenness,
                m.eigenvector,
            ]

    return csv_chunks(NODE_COLUMNS, rows(), bom=bom)


def edges_csv(network: Network, *, bom: bool = False) -> Iterator[str]:
    labels = network.graph.nodes

    def rows() -> Iterator[list[object]]:
        for a, b, d in sorted(network.graph.edges(data=True), key=lambda e: (-e[2]["weight"], e[0], e[1])):
            yield [a, b, labels[a]["label"], labels[b]["label"], d["weight"], d["type"], d["types"]]

    return csv_chunks(EDGE_COLUMNS, rows(), bom=bom)
