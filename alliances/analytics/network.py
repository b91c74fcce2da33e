"""The alliance network: organisations as nodes, an edge for every pair of parties to an alliance.

Built from a Facts snapshot (plain tuples, one query per table) and the ids of the alliances the store
finds for the filters, so a filter means on the network what it means on the list. On a
20,000-organisation database centralities cost seconds, so `NetworkCache` keeps them per data version
and filter set; the web layer only ever draws a top-N subgraph.
"""

from __future__ import annotations

import threading
from collections.abc import Collection
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from itertools import combinations
from typing import Any

import networkx as nx
from cachetools import LRUCache
from sqlalchemy.orm import Session

from alliances.analytics.centrality import Metrics, centralities
from alliances.errors import InvalidInput
from alliances.schemas import (
    AllianceFilters,
    DrawnNode,
    EdgePublic,
    EgoNetwork,
    EgoNode,
    Graph,
    NetworkSummary,
    Page,
    QueryParams,
    RankedNode,
)
from alliances.store.facts import Facts, family, load_facts, load_facts_around
from alliances.store.queries import matching_ids
from alliances.store.version import data_version
from alliances.store.viewer import Viewer, scope

METRICS = ("degree", "alliances", "betweenness", "eigenvector")


class Metric(StrEnum):
    """What the ranking sorts by."""

    degree = "degree"
    alliances = "alliances"
    betweenness = "betweenness"
    eigenvector = "eigenvector"


MAX_TOP = 300


_ANY_PAGE = {"page": 1, "per_page": 1, "sort": None}


@dataclass(frozen=True)
class NetworkQuery:
    """Which alliances make the graph (the list's filters) and whether subsidiaries roll up to groups."""

    filters: AllianceFilters = field(default_factory=AllianceFilters)
    rollup: bool = False

    def __post_init__(self) -> None:
        # The page of the ranking is not part of the graph: every page shares one cached network.
        object.__setattr__(self, "filters", self.filters.model_copy(update=_ANY_PAGE))

    @classmethod
    def from_filters(cls, filters: AllianceFilters, rollup: bool = False) -> NetworkQuery:
        return cls(filters, rollup)

    def params(self) -> QueryParams:
        """The filters that made the graph, as query parameters (only those set)."""
        kept = self.filters.model_dump(exclude_defaults=True, exclude={"page", "per_page", "sort"})
        return {**kept, **({"rollup": True} if self.rollup else {})}


def parse_metric(value: str | None) -> str:
    if value in (None, ""):
        return "degree"
    if value not in METRICS:
        raise InvalidInput(f"by must be one of {', '.join(METRICS)}, not {value!r}")
    return value


def build_graph(facts: Facts, query: NetworkQuery, ids: Collection[int] | None = None) -> nx.Graph:
    """Nodes are organisations (or their groups), edges carry the alliance count and types.

    `ids` are the alliances the store found for the query's filters (None: every alliance in `facts`).
    Plain dicts rather than a Counter per pair: a filtered graph of 100,000 alliances is built on the
    first request of its filters, so its construction is on a visitor's clock.
    """
    counts: dict[int, int] = {}
    types: dict[tuple[int, int], dict[str, int]] = {}
    chosen = None if ids is None else set(ids)
    known = facts.organisations
    for alliance in facts.alliances:
        if chosen is not None and alliance.id not in chosen:
            continue
        if query.rollup:
            members = sorted({facts.top_parent(i) for i in alliance.party_ids if i in known})
        else:
            members = sorted({i for i in alliance.party_ids if i in known})
        for org in members:
            counts[org] = counts.get(org, 0) + 1
        kind = alliance.type
        for pair in combinations(members, 2):
            found = types.get(pair)
            if found is None:
                types[pair] = {kind: 1}
            else:
                found[kind] = found.get(kind, 0) + 1
    graph = nx.Graph()
    graph.add_nodes_from(
        (
            org_id,
            {"label": fact.name, "kind": fact.kind, "country": fact.country or "", "alliances": n},
        )
        for org_id, n in counts.items()
        if (fact := known[org_id])
    )
    graph.add_edges_from((a, b, _edge_data(counter)) for (a, b), counter in types.items())
    return graph


def _edge_data(types: dict[str, int]) -> dict[str, Any]:
    """Weight (alliances between the pair), main type (most frequent, first seen on a tie) and types."""
    if len(types) == 1:
        ((kind, n),) = types.items()
        return {"weight": n, "type": kind, "types": kind}
    main = max(types, key=types.__getitem__)
    return {"weight": sum(types.values()), "type": main, "types": ", ".join(sorted(types))}


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
    # Derived once per network (a few hundred ms on 20,000 organisations), then shared by every request.
    _orders: dict[str, list[int]] = field(default_factory=dict, repr=False)
    _drawn: dict[tuple[int, str], Graph] = field(default_factory=dict, repr=False)
    _edges: int | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def ranked(self, by: str = "degree") -> list[int]:
        key = parse_metric(by)
        if key not in self._orders:
            labels = self.graph.nodes
            order = sorted(self.metrics, key=lambda n: (-getattr(self.metrics[n], key), labels[n]["label"]))
            with self._lock:
                self._orders.setdefault(key, order)
        return self._orders[key]

    def node_record(self, node: int, rank: int | None = None) -> RankedNode:
        return RankedNode(**self._node_values(node, rank))

    def _node_values(self, node: int, rank: int | None) -> dict[str, Any]:
        data = self.graph.nodes[node]
        return {
            "id": node,
            "name": data["label"],
            "kind": data["kind"],
            "country": data["country"] or None,
            "rank": rank,
            **asdict(self.metrics[node]),
        }

    def ranking(self, by: str = "degree", page: int = 1, per_page: int = 50) -> Page[RankedNode]:
        """The ranking table: with a kind filter, only organisations of that kind are ranked (their
        partners stay in the graph, so centralities are the same)."""
        order = self.ranked(by)
        kind = self.query.filters.kind
        if kind:
            order = [n for n in order if self.graph.nodes[n]["kind"] == kind]
        page = min(page, max(1, -(-len(order) // per_page)))  # past the end: the last page
        start = (page - 1) * per_page
        items = [self.node_record(n, start + i + 1) for i, n in enumerate(order[start : start + per_page])]
        return Page[RankedNode](items=items, total=len(order), page=page, per_page=per_page)

    def top_subgraph(self, top: int = 80, by: str = "degree") -> Graph:
        """The `top` most central organisations and the edges between them, with a stable layout.

        The layout (a seeded force-directed placement) is cached with the network: it is the costly part.
        The result is shared by every request: callers decorate copies (`model_copy(update=...)`).
        """
        key = (top, parse_metric(by))
        if key not in self._drawn:
            drawn = self._draw(*key)
            with self._lock:
                self._drawn.setdefault(key, drawn)
        return self._drawn[key]

    def _draw(self, top: int, by: str) -> Graph:
        nodes = self.ranked(by)[:top]
        key = (top, by)
        if key not in self.layouts:
            self.layouts[key] = place(self.graph.subgraph(nodes))
        layout = self.layouts[key]
        return Graph(
            nodes=[
                DrawnNode(
                    **self._node_values(n, i + 1),
                    x=layout.get(n, (0.0, 0.0))[0],
                    y=layout.get(n, (0.0, 0.0))[1],
                )
                for i, n in enumerate(nodes)
            ],
            edges=edge_records(self.graph.subgraph(nodes)),
        )

    def summary(self) -> NetworkSummary:
        if self._edges is None:
            self._edges = self.graph.number_of_edges()
        return NetworkSummary(
            nodes=self.graph.number_of_nodes(),
            edges=self._edges,
            approximate=self.approximate,
            samples=self.samples,
        )


def place(graph: nx.Graph) -> dict[int, tuple[float, float]]:
    """A seeded force-directed layout, spread enough that labels of a hundred nodes stay readable."""
    if len(graph) < 2:
        return dict.fromkeys(graph, (0.0, 0.0))
    spread = 2.2 / len(graph) ** 0.5
    placed = nx.spring_layout(graph, seed=7, k=spread, iterations=80)
    return {n: (round(float(x) * 300, 1), round(float(y) * 300, 1)) for n, (x, y) in placed.items()}


def edge_records(graph: nx.Graph) -> list[EdgePublic]:
    return [
        EdgePublic(source=a, target=b, weight=d["weight"], type=d["type"], types=d["types"])
        for a, b, d in graph.edges(data=True)
    ]


class NetworkCache:
    """Facts, graphs and centralities in memory, owned by the web app, keyed by data version and query.

    Any write that adds or removes alliances, parties, tags or organisations changes the version, so an
    accepted candidate shows up on the next request; entries of older versions age out of the LRU.
    Centralities are computed outside the lock: a slow filtered network never blocks other readers.
    """

    def __init__(self, size: int = 16) -> None:
        self._lock = threading.Lock()
        self._facts: LRUCache[tuple[Any, ...], Facts] = LRUCache(maxsize=4)  # per visibility
        self._graphs: LRUCache[tuple[Any, ...], nx.Graph] = LRUCache(maxsize=size)
        self._networks: LRUCache[tuple[Any, ...], Network] = LRUCache(maxsize=size)
        self._layouts: LRUCache[tuple[Any, ...], dict[int, tuple[float, float]]] = LRUCache(maxsize=1024)

    def facts(
        self, session: Session, version: tuple[int, ...] | None = None, *, viewer: Viewer | None = None
    ) -> Facts:
        key = (version or data_version(session), scope(viewer))
        with self._lock:
            found = self._facts.get(key)
        if found is not None:
            return found
        facts = load_facts(session, viewer=viewer)
        with self._lock:
            self._facts[key] = facts
        return facts

    def graph(
        self,
        session: Session,
        query: NetworkQuery,
        version: tuple[int, ...] | None = None,
        *,
        viewer: Viewer | None = None,
    ) -> nx.Graph:
        """The filtered graph alone (cheap): what the ego networks of profiles need."""
        version = version or data_version(session)
        key = (version, query, scope(viewer))
        with self._lock:
            found = self._graphs.get(key)
        if found is not None:
            return found
        facts = self.facts(session, version, viewer=viewer)
        unfiltered = query.filters == NetworkQuery().filters
        ids = None if unfiltered else matching_ids(session, query.filters, viewer)
        graph = build_graph(facts, query, ids)
        with self._lock:
            self._graphs[key] = graph
        return graph

    def network(self, session: Session, query: NetworkQuery, *, viewer: Viewer | None = None) -> Network:
        """The graph with its centralities, computed once per data version, query and visibility."""
        version = data_version(session)
        key = (version, query, scope(viewer))
        with self._lock:
            found = self._networks.get(key)
        if found is not None:
            return found
        graph = self.graph(session, query, version, viewer=viewer)
        result = centralities(graph)
        network = Network(query, graph, result.metrics, result.approximate, result.samples, version)
        with self._lock:
            return self._networks.setdefault(key, network)

    def local_graph(self, session: Session, org_id: int, limit: int, query: NetworkQuery) -> nx.Graph:
        """The whole graph if this data version has it already, else the part around an organisation and
        its `limit` strongest partners: the same nodes, counts and ties there, from their alliances only.

        After each write the whole graph costs every alliance's facts again (issue 13, load: it was
        most of the server's CPU under 50 clients); a profile needs a few hundred of them.
        """
        key = (data_version(session), query, scope(None))
        with self._lock:
            found = self._graphs.get(key)
        if found is not None:
            return found
        centre = family(session, [org_id]) if query.rollup else {org_id}
        first = build_graph(load_facts_around(session, centre), query)
        if org_id not in first:
            return first
        strongest = sorted(
            first[org_id], key=lambda n: (-first[org_id][n]["weight"], first.nodes[n]["label"])
        )
        shown = [org_id, *strongest[:limit]]
        members = family(session, shown) if query.rollup else set(shown)
        return build_graph(load_facts_around(session, members), query)

    def layout(self, sub: nx.Graph) -> dict[int, tuple[float, float]]:
        """`place`, kept by the drawn graph itself (nodes in order, ties and weights): most writes leave
        an organisation's neighbourhood as it was, and its layout costs more than finding it."""
        shape = (tuple(sub), tuple((a, b, d["weight"]) for a, b, d in sub.edges(data=True)))
        with self._lock:
            found = self._layouts.get(shape)
        if found is None:
            found = place(sub)
            with self._lock:
                self._layouts[shape] = found
        return found

    def ego(self, session: Session, org_id: int, limit: int = 40, rollup: bool = False) -> EgoNetwork:
        """An organisation, its strongest partners and the ties among them (for its profile page);
        `rollup` draws a group with its subsidiaries' alliances."""
        graph = self.local_graph(session, org_id, limit, NetworkQuery(rollup=rollup))
        if org_id not in graph:
            return EgoNetwork(nodes=[], edges=[])
        partners = sorted(graph[org_id], key=lambda n: (-graph[org_id][n]["weight"], graph.nodes[n]["label"]))
        order = [org_id, *partners[:limit]]  # centre first, then partners by strength of tie
        # Nodes and ties in that order, not a subgraph view's: its order follows a set's once the graph
        # is large, so the layout would depend on how much of the graph was built.
        sub = nx.Graph()
        sub.add_nodes_from((n, graph.nodes[n]) for n in order)
        sub.add_edges_from(
            (a, b, graph[a][b]) for i, a in enumerate(order) for b in order[i + 1 :] if b in graph[a]
        )
        layout = self.layout(sub)
        return EgoNetwork(
            nodes=[
                EgoNode(
                    id=n,
                    name=sub.nodes[n]["label"],
                    kind=sub.nodes[n]["kind"],
                    alliances=sub.nodes[n]["alliances"],
                    centre=n == org_id,
                    x=layout[n][0],
                    y=layout[n][1],
                )
                for n in order
            ],
            edges=edge_records(sub),
        )
