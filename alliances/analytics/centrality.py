"""Centralities that say who has become unavoidable: degree, betweenness and eigenvector.

Computed by python-igraph (C core: exact betweenness of 1,790 nodes in about 1 s, against 29 s with
networkx). Exact betweenness is O(n·m): fine for a few thousand organisations, minutes on 20,000. Above
`EXACT_LIMIT` nodes it is estimated from `k` sampled sources (Brandes & Pich), with `k` chosen so the
work stays within a fixed budget of edge visits; the result says it is approximate.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import igraph as ig
import networkx as nx

EXACT_LIMIT = 2_000
EDGE_VISIT_BUDGET = 10_000_000  # igraph visits ~20x more edges than networkx in the same time
MIN_SAMPLES = 24


@dataclass(frozen=True)
class Metrics:
    degree: int
    alliances: int
    betweenness: float
    eigenvector: float


@dataclass(frozen=True)
class CentralityResult:
    metrics: dict[int, Metrics]
    approximate: bool
    samples: int | None


def sample_size(graph: nx.Graph) -> int | None:
    """None for exact betweenness, else the number of sampled sources that fits the budget."""
    n = graph.number_of_nodes()
    if n <= EXACT_LIMIT:
        return None
    return max(MIN_SAMPLES, min(n, EDGE_VISIT_BUDGET // max(1, n + graph.number_of_edges())))


def _igraph(graph: nx.Graph) -> tuple[ig.Graph, list[int]]:
    """The same undirected graph in igraph (C core): nodes by index, in networkx's node order."""
    nodes = list(graph.nodes)
    index = {n: i for i, n in enumerate(nodes)}
    g = ig.Graph(n=len(nodes), edges=[(index[a], index[b]) for a, b in graph.edges], directed=False)
    return g, nodes


def eigenvector(graph: nx.Graph) -> dict[int, float]:
    """Eigenvector centrality within the largest connected component (unit length), zero elsewhere.

    On a disconnected graph the leading eigenvector lives on a single component, often a small
    consortium clique rather than the main network; scoring the main component is what readers expect.
    """
    values = dict.fromkeys(graph, 0.0)
    if graph.number_of_edges() == 0:
        return values
    main = graph.subgraph(max(nx.connected_components(graph), key=len))
    if main.number_of_nodes() < 3:
        return values
    g, nodes = _igraph(main)
    found = [abs(float(v)) for v in g.eigenvector_centrality(scale=False)]
    norm = sum(v * v for v in found) ** 0.5 or 1.0  # unit Euclidean length, as networkx reports
    values.update({n: v / norm for n, v in zip(nodes, found, strict=True)})
    return values


def betweenness(graph: nx.Graph, k: int | None, seed: int = 0) -> dict[int, float]:
    """Normalised betweenness: exact, or estimated from `k` random sources scaled by n / k."""
    n = graph.number_of_nodes()
    if n < 3:
        return dict.fromkeys(graph, 0.0)
    g, nodes = _igraph(graph)
    if k is None:
        raw = g.betweenness(directed=False)
        scale = 1.0
    else:
        sources = random.Random(seed).sample(range(n), k)
        raw = g.betweenness(directed=False, sources=sources, targets=None)
        scale = n / k
    norm = 2.0 / ((n - 1) * (n - 2))
    return {node: float(b) * scale * norm for node, b in zip(nodes, raw, strict=True)}


def centralities(graph: nx.Graph, seed: int = 0) -> CentralityResult:
    """Degree (distinct partners), alliance count, betweenness and eigenvector for every node."""
    k = sample_size(graph)
    between = betweenness(graph, k, seed)
    eigen = eigenvector(graph)
    metrics = {
        n: Metrics(
            degree=graph.degree(n),
            alliances=int(graph.nodes[n].get("alliances", 0)),
            betweenness=round(float(between.get(n, 0.0)), 6),
            eigenvector=round(eigen.get(n, 0.0), 6),
        )
        for n in graph.nodes
    }
    return CentralityResult(metrics, approximate=k is not None, samples=k)
