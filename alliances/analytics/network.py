"""The alliance network: organisations as nodes, an edge for every pair of parties to an alliance.

Built from a Facts snapshot (plain tuples, one query per table) so that filtering and centralities run
in memory. On a 20,000-organisation database centralities cost seconds, so `NetworkCache` keeps them per
data version and filter set; the web layer only ever draws a top-N subgraph.
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from dataclasses import asdict, dataclass, field, fields
from itertools import combinations
from typing import Any

import networkx as nx
from sqlalchemy.orm import Session

from alliances.analytics.centrality import Metrics, centralities
from alliances.errors import InvalidInput
from alliances.store.facts import AllianceFact, Facts, load_facts
from alliances.store.filters import Filters
from alliances.store.version import data_version

METRICS = ("degree", "alliances", "betweenness", "eigenvector")
MAX_TOP = 300


@dataclass(frozen=True)
class NetworkQuery:
    """Which alliances make the graph, and whether subsidiaries are rolled up to their group."""

    type: str | None = None
    technology: str | None = None
    stage: str | None = None
    status: str | None = None
    kind: str | None = None
    country: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    rollup: bool = False

    @classmethod
    def from_filters(cls, filters: Filters, rollup: bool = False) -> NetworkQuery:
        names = {f.name for f in fields(cls)} - {"rollup"}
        return cls(**{n: getattr(filters, n) for n in names}, rollup=rollup)

    def matches(self, alliance: AllianceFact, facts: Facts) -> bool:
        """Same semantics as the alliance list: kind/country mean "has a party of that kind/country"."""
        if self.type and alliance.type != self.type:
            return False
        if self.status and alliance.status != self.status:
            return False
        if self.technology and self.technology not in alliance.technologies:
            return False
        if self.stage and self.stage not in alliance.stages:
            return False
        if self.year_from and (alliance.year is None or alliance.year < self.year_from):
            return False
        if self.year_to and (alliance.year is None or alliance.year > self.year_to):
            return False
        orgs = [facts.organisations[i] for i in alliance.party_ids if i in facts.organisations]
        if self.kind and all(o.kind != self.kind for o in orgs):
            return False
        return not (self.country and all(o.country != self.country.upper() for o in orgs))

    def params(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in (None, False)}


def parse_metric(value: str | None) -> str:
    if value in (None, ""):
        return "degree"
    if value not in METRICS:
        raise InvalidInput(f"by must be one of {', '.join(METRICS)}, not {value!r}")
    return value


def parse_top(value: str | int | None, default: int = 80) -> int:
    if value in (None, ""):
        return default
    try:
        top = int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"top must be a whole number, not {value!r}") from exc
    if not 1 <= top <= MAX_TOP:
        raise InvalidInput(f"top must be between 1 and {MAX_TOP}")
    return top


def build_graph(facts: Facts, query: NetworkQuery) -> nx.Graph:
    """Nodes are organisations (or their groups), edges carry the alliance count and types."""
    graph = nx.Graph()
    counts: Counter[int] = Counter()
    types: dict[tuple[int, int], Counter[str]] = {}
    for alliance in facts.alliances:
        if not query.matches(alliance, facts):
            continue
        members = {
            facts.top_parent(i) if query.rollup else i for i in alliance.party_ids if i in facts.organisations
        }
        for org in members:
            counts[org] += 1
        for a, b in combinations(sorted(members), 2):
            types.setdefault((a, b), Counter())[alliance.type] += 1
    for org_id, n in counts.items():
        fact = facts.organisations[org_id]
        graph.add_node(org_id, label=fact.name, kind=fact.kind, country=fact.country or "", alliances=n)
    for (a, b), counter in types.items():
        graph.add_edge(
            a,
            b,
            weight=sum(counter.values()),
            type=counter.most_common(1)[0][0],
            types=", ".join(sorted(counter)),
        )
    return graph


@dataclass
class Network:
    """A filtered graph with its centralities; the ranking and the drawn subgraph come from here."""

    query: NetworkQuery
    graph: nx.Graph
    metrics: dict[int, Metrics]
    approximate: bool
    samples: int | None
    version: tuple[int, ...]
    layouts: dict[tuple[int, str], dict[int, tuple[float, float]]] = field(default_factory=dict)

    def ranked(self, by: str = "degree") -> list[int]:
        key = parse_metric(by)
        labels = self.graph.nodes
        return sorted(self.metrics, key=lambda n: (-getattr(self.metrics[n], key), labels[n]["label"]))

    def node_record(self, node: int, rank: int | None = None) -> dict[str, Any]:
        data = self.graph.nodes[node]
        return {
            "id": node,
            "name": data["label"],
            "kind": data["kind"],
            "country": data["country"] or None,
            "rank": rank,
            **asdict(self.metrics[node]),
        }

    def ranking(self, by: str = "degree", page: int = 1, per_page: int = 50) -> dict[str, Any]:
        """The ranking table: with a kind filter, only organisations of that kind are ranked (their
        partners stay in the graph, so centralities are the same)."""
        order = self.ranked(by)
        if self.query.kind:
            order = [n for n in order if self.graph.nodes[n]["kind"] == self.query.kind]
        page = min(page, max(1, -(-len(order) // per_page)))  # past the end: the last page
        start = (page - 1) * per_page
        items = [self.node_record(n, start + i + 1) for i, n in enumerate(order[start : start + per_page])]
        return {"items": items, "total": len(order), "page": page, "per_page": per_page}

    def top_subgraph(self, top: int = 80, by: str = "degree") -> dict[str, Any]:
        """The `top` most central organisations and the edges between them, with a stable layout.

        The layout (a seeded force-directed placement) is cached with the network: it is the costly part.
        """
        nodes = self.ranked(by)[:top]
        key = (top, by)
        if key not in self.layouts:
            self.layouts[key] = place(self.graph.subgraph(nodes))
        layout = self.layouts[key]
        return {
            "nodes": [
                {
                    **self.node_record(n, i + 1),
                    "x": layout.get(n, (0.0, 0.0))[0],
                    "y": layout.get(n, (0.0, 0.0))[1],
                }
                for i, n in enumerate(nodes)
            ],
            "edges": edge_records(self.graph.subgraph(nodes)),
        }

    def summary(self) -> dict[str, Any]:
        return {
            "nodes": self.graph.number_of_nodes(),
            "edges": self.graph.number_of_edges(),
            "approximate": self.approximate,
            "samples": self.samples,
        }


def place(graph: nx.Graph) -> dict[int, tuple[float, float]]:
    """A seeded force-directed layout, spread enough that labels of a hundred nodes stay readable."""
    if len(graph) < 2:
        return dict.fromkeys(graph, (0.0, 0.0))
    spread = 2.2 / len(graph) ** 0.5
    placed = nx.spring_layout(graph, seed=7, k=spread, iterations=80)
    return {n: (round(float(x) * 300, 1), round(float(y) * 300, 1)) for n, (x, y) in placed.items()}


def edge_records(graph: nx.Graph) -> list[dict[str, Any]]:
    return [
        {"source": a, "target": b, "weight": d["weight"], "type": d["type"], "types": d["types"]}
        for a, b, d in graph.edges(data=True)
    ]


class NetworkCache:
    """Facts, graphs and centralities kept in memory, keyed by a data-version stamp and the query.

    Any write that adds or removes alliances, parties, tags or organisations changes the stamp, so an
    accepted candidate shows up on the next request; entries of older versions are dropped.
    """

    def __init__(self, size: int = 16) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._facts: tuple[tuple[int, ...], Facts] | None = None
        self._networks: OrderedDict[tuple[Any, ...], Network] = OrderedDict()
        self._graphs: OrderedDict[tuple[Any, ...], nx.Graph] = OrderedDict()

    def facts(self, session: Session, version: tuple[int, ...] | None = None) -> Facts:
        version = version or data_version(session)
        with self._lock:
            if self._facts is None or self._facts[0] != version:
                self._facts = (version, load_facts(session))
                self._networks.clear()
                self._graphs.clear()
            return self._facts[1]

    def graph(
        self, session: Session, query: NetworkQuery, version: tuple[int, ...] | None = None
    ) -> nx.Graph:
        """The filtered graph alone (cheap): what the ego networks of profiles need."""
        version = version or data_version(session)
        facts = self.facts(session, version)
        key = ("graph", version, query)
        with self._lock:
            if key not in self._graphs:
                self._graphs[key] = build_graph(facts, query)
                while len(self._graphs) > self.size:
                    self._graphs.popitem(last=False)
            self._graphs.move_to_end(key)
            return self._graphs[key]

    def network(self, session: Session, query: NetworkQuery) -> Network:
        """The graph with its centralities, computed once per data version and query."""
        version = data_version(session)
        graph = self.graph(session, query, version)
        key = (version, query)
        with self._lock:
            if key in self._networks:
                self._networks.move_to_end(key)
                return self._networks[key]
            result = centralities(graph)
            network = Network(query, graph, result.metrics, result.approximate, result.samples, version)
            self._networks[key] = network
            while len(self._networks) > self.size:
                self._networks.popitem(last=False)
            return network

    def ego(self, session: Session, org_id: int, limit: int = 40, rollup: bool = False) -> dict[str, Any]:
        """An organisation, its strongest partners and the ties among them (for its profile page);
        `rollup` draws a group with its subsidiaries' alliances."""
        graph = self.graph(session, NetworkQuery(rollup=rollup))
        if org_id not in graph:
            return {"nodes": [], "edges": []}
        partners = sorted(graph[org_id], key=lambda n: (-graph[org_id][n]["weight"], graph.nodes[n]["label"]))
        sub = graph.subgraph([org_id, *partners[:limit]])
        layout = place(sub)
        order = [org_id, *partners[:limit]]  # centre first, then partners by strength of tie
        return {
            "nodes": [
                {
                    "id": n,
                    "name": sub.nodes[n]["label"],
                    "kind": sub.nodes[n]["kind"],
                    "alliances": sub.nodes[n]["alliances"],
                    "centre": n == org_id,
                    "x": layout[n][0],
                    "y": layout[n][1],
                }
                for n in order
            ],
            "edges": edge_records(sub),
        }
