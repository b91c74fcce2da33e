"""Centralities that say who has become unavoidable: degree, betweenness and eigenvector.

Exact betweenness is O(n·m): fine for the bundled few hundred organisations, minutes on 20,000. Above
`EXACT_LIMIT` nodes it is estimated from `k` sampled sources (Brandes & Pich), with `k` chosen so the
work stays within a fixed budget of edge visits; the result says it is approximate.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

EXACT_LIMIT = 2_000
EDGE_VISIT_BUDGET = 3_000_000
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


def eigenvector(graph: nx.Graph) -> dict[int, float]:
    """Eigenvector centrality within the largest connected component, zero elsewhere.

    On a disconnected graph the leading eigenvector lives on a single component, often a small
    consortium clique rather than the main network; scoring the main component is what readers expect.
    """
    values = dict.fromkeys(graph, 0.0)
    if graph.number_of_edges() == 0:
        return values
    main = graph.subgraph(max(nx.connected_components(graph), key=len))
    if main.number_of_nodes() < 3:
        return values
    try:
        found = nx.eigenvector_centrality_numpy(main, max_iter=500, tol=1e-6)
    except (nx.NetworkXException, ArithmeticError, ValueError):
        try:
            found = nx.eigenvector_centrality(main, max_iter=300, tol=1e-5)
        except nx.NetworkXException:
            return values
    # The sign of an eigenvector is arbitrary: report magnitudes.
    values.update({n: abs(float(v)) for n, v in found.items()})
    return values


def centralities(graph: nx.Graph, seed: int = 0) -> CentralityResult:
    """Degree (distinct partners), alliance count, betweenness and eigenvector for every node."""
    k = sample_size(graph)
    if graph.number_of_nodes() < 3:
        between = dict.fromkeys(graph, 0.0)
    else:
        between = nx.betweenness_centrality(graph, k=k, normalized=True, seed=seed if k else None)
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
