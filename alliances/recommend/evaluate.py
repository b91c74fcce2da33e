"""Temporal evaluation: freeze the network before year Y, rank candidates, check who allied in [Y, Y+3).

Every method sees only `Network.build(facts, Y)` (and the ranker trains on windows before Y), so no
test-period fact leaks. Ranks are "filtered" (other true partners of the same source do not count
against a positive) and ties are split fairly, so a method that cannot tell candidates apart scores
like random. The chosen method is the best by MRR on the last year before Y (train before Y-1, check
[Y-1, Y)): the regime closest to the test period, with nearly all the history the test will have.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TypedDict

import numpy as np

from alliances.errors import InvalidInput
from alliances.recommend.features import PairBatch
from alliances.recommend.methods import METHODS, Scorer
from alliances.recommend.network import Network
from alliances.recommend.splits import eligible, new_partners
from alliances.store.facts import Facts

HORIZON = 3
BATCH = 128

# The evaluation report, written as JSON by `recommend-eval --json` and bench/recommend.py.
Metrics = TypedDict("Metrics", {"hits@10": float, "mrr": float, "auc": float, "queries": int})


class MethodFigures(Metrics):
    new_entrants: Metrics  # the same figures on queries where one side had no alliance before Y
    baseline: bool
    seconds: float


class SplitReport(TypedDict):
    split_year: int
    horizon: int
    test_pairs: int
    new_entrant_pairs: int
    sources: int
    methods: dict[str, MethodFigures]


class Validation(TypedDict):
    split_year: int
    test_pairs: int
    mrr: dict[str, float]


class EvaluationReport(SplitReport):
    chosen: str
    validation: Validation


@dataclass
class Ranks:
    """One entry per (source, true new partner) query."""

    rank: list[float] = field(default_factory=list)
    negatives: list[int] = field(default_factory=list)
    new_entrant: list[bool] = field(default_factory=list)

    def metrics(self, only_new: bool = False) -> Metrics:
        keep = np.array(self.new_entrant, dtype=bool) if only_new else np.ones(len(self.rank), dtype=bool)
        rank = np.array(self.rank)[keep]
        neg = np.maximum(np.array(self.negatives)[keep], 1)
        if not len(rank):
            return {"hits@10": 0.0, "mrr": 0.0, "auc": 0.0, "queries": 0}
        return {
            "hits@10": round(float(np.mean(rank <= 10)), 4),
            "mrr": round(float(np.mean(1.0 / rank)), 4),
            "auc": round(float(np.mean(1.0 - (rank - 1) / neg)), 4),
            "queries": int(len(rank)),
        }


def rank_queries(
    net: Network, labels: dict[int, set[int]], scorer: Scorer, sources: np.ndarray | None = None
) -> Ranks:
    """Rank every true new partner of each source among its eligible candidates."""
    out = Ranks()
    srcs = np.array(sorted(labels), dtype=np.int64) if sources is None else sources
    for lo in range(0, len(srcs), BATCH):
        chunk = srcs[lo : lo + BATCH]
        scores = np.asarray(scorer(PairBatch(net, chunk)), dtype=float)
        mask = eligible(net, chunk)
        scores = np.where(mask, scores, -np.inf)
        for r, u in enumerate(chunk.tolist()):
            pos = np.array(sorted(labels[u]))
            pos_scores = scores[r, pos]
            row = scores[r].copy()
            row[pos] = -np.inf
            greater = (row[None, :] > pos_scores[:, None]).sum(axis=1)
            equal = (row[None, :] == pos_scores[:, None]).sum(axis=1)
            out.rank += (1.0 + greater + equal / 2.0).tolist()
            out.negatives += [int(mask[r].sum()) - len(pos)] * len(pos)
            isolated = net.degree[u] == 0
            out.new_entrant += [bool(isolated or net.degree[v] == 0) for v in pos.tolist()]
    return out


def evaluate_split(
    facts: Facts,
    split_year: int,
    *,
    methods: list[str] | None = None,
    seed: int = 0,
    max_sources: int | None = None,
    horizon: int = HORIZON,
) -> SplitReport:
    """Figures of each method on one split: train before `split_year`, test on [Y, Y+horizon)."""
    net = Network.build(facts, split_year)
    labels = new_partners(facts, net, split_year, split_year + horizon)
    sources = np.array(sorted(labels), dtype=np.int64)
    if max_sources is not None and len(sources) > max_sources:
        sources = np.sort(np.random.default_rng(seed).choice(sources, max_sources, replace=False))
    pairs = {(min(u, v), max(u, v)) for u in sources.tolist() for v in labels[u]}
    figures: dict[str, MethodFigures] = {}
    for name in methods or list(METHODS):
        method = METHODS[name]
        started = time.perf_counter()
        scorer = method.build(facts, split_year, seed)
        ranks = rank_queries(net, labels, scorer, sources)
        figures[name] = {
            **ranks.metrics(),
            "new_entrants": ranks.metrics(only_new=True),
            "baseline": method.baseline,
            "seconds": round(time.perf_counter() - started, 2),
        }
    new_pairs = sum(1 for u, v in pairs if net.degree[u] == 0 or net.degree[v] == 0)
    return {
        "split_year": split_year,
        "horizon": horizon,
        "test_pairs": len(pairs),
        "new_entrant_pairs": new_pairs,
        "sources": int(len(sources)),
        "methods": figures,
    }


def evaluate(
    facts: Facts,
    split_year: int | None = None,
    *,
    seed: int = 0,
    max_sources: int | None = None,
    methods: list[str] | None = None,
) -> EvaluationReport:
    """The `recommend-eval` report: test split at Y, and the method chosen on the split ending at Y."""
    years = sorted({a.year for a in facts.alliances if a.year is not None})
    if not years:
        raise InvalidInput("no dated alliance in the database: nothing to evaluate")
    year = split_year if split_year is not None else max(years[0] + 1, years[-1] - HORIZON + 1)
    if not years[0] < year <= years[-1]:
        raise InvalidInput(
            f"split year {year} leaves no training or no test alliance "
            f"(alliances run from {years[0]} to {years[-1]})"
        )
    names = methods or list(METHODS)
    unknown = [m for m in names if m not in METHODS]
    if unknown:
        raise InvalidInput(f"unknown method {unknown[0]!r} (expected one of: {', '.join(METHODS)})")
    report = evaluate_split(facts, year, methods=names, seed=seed, max_sources=max_sources)
    if report["test_pairs"] == 0:
        raise InvalidInput(f"no new alliance between known organisations in [{year}, {year + HORIZON})")
    validation = evaluate_split(facts, year - 1, methods=names, seed=seed, max_sources=max_sources, horizon=1)
    return {
        **report,
        "chosen": _choose(validation, report),
        "validation": {
            "split_year": validation["split_year"],
            "test_pairs": validation["test_pairs"],
            "mrr": {n: m["mrr"] for n, m in validation["methods"].items()},
        },
    }


def _choose(validation: SplitReport, report: SplitReport) -> str:
    """Best validation MRR among non-random methods; without validation pairs, the learned ranker."""
    figures = validation["methods"]
    candidates = {n: f for n, f in figures.items() if n != "random"}
    if not validation["test_pairs"] or not candidates:
        return "ranker" if "ranker" in report["methods"] else next(iter(report["methods"]))
    return max(candidates, key=lambda n: (float(candidates[n]["mrr"]), n == "ranker"))
