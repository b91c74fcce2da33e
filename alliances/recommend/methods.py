"""The registry of scoring methods compared by `recommend-eval`: name -> how to build a scorer.

A builder receives the facts, the cut-off and a seed, and returns `score(batch) -> (b, n) array`.
Only the learned ranker looks at `facts` (to train on earlier windows); the others read the batch's
frozen network. Higher is better; ties are ranked fairly by the evaluation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from alliances.recommend.features import PairBatch
from alliances.recommend.ranker import Ranker
from alliances.recommend.roles import complementary
from alliances.store.facts import Facts

Scorer = Callable[[PairBatch], np.ndarray]


@dataclass(frozen=True)
class Method:
    name: str
    description: str
    baseline: bool
    build: Callable[[Facts, int | None, int], Scorer]


def _fixed(fn: Scorer) -> Callable[[Facts, int | None, int], Scorer]:
    return lambda _facts, _cutoff, _seed: fn


def _random(_facts: Facts, _cutoff: int | None, seed: int) -> Scorer:
    rng = np.random.default_rng(seed)
    return lambda batch: rng.random(batch.shape)


def _ranker(facts: Facts, cutoff: int | None, seed: int) -> Scorer:
    return Ranker.fit(facts, cutoff, seed=seed).score


# Below any score difference the ranker produces: candidates of a non-complementary kind come after.
TIER_GAP = 1e3


def _recommender(facts: Facts, cutoff: int | None, seed: int) -> Scorer:
    """What `alliances recommend` does without a need: the ranker within complementary kinds first."""
    ranker = Ranker.fit(facts, cutoff, seed=seed)
    return lambda batch: ranker.score(batch) - TIER_GAP * ~complementary(batch.net, batch.sources)


def complementarity(batch: PairBatch) -> np.ndarray:
    """Capabilities only: how much the candidate's kind suits the source's, times capability fit."""
    return batch.kind_lift * (0.05 + batch.fit) * (1.0 + 0.5 * batch.tech_new)


METHODS: dict[str, Method] = {
    m.name: m
    for m in (
        Method("random", "uniformly random order", True, _random),
        Method(
            "popularity", "candidates with the most alliances first", True, _fixed(lambda b: b.popularity)
        ),
        Method("common_neighbours", "number of partners in common", True, _fixed(lambda b: b.common)),
        Method(
            "adamic_adar", "partners in common, rare ones weigh more", True, _fixed(lambda b: b.adamic_adar)
        ),
        Method(
            "resource_allocation",
            "partners in common, weighted 1/degree",
            True,
            _fixed(lambda b: b.resource_allocation),
        ),
        Method(
            "preferential_attachment",
            "degree of source × degree of candidate",
            True,
            _fixed(lambda b: b.preferential),
        ),
        Method(
            "katz", "Katz index truncated at paths of length 3 (beta 0.05)", True, _fixed(lambda b: b.katz)
        ),
        Method(
            "complementarity",
            "kind affinity × capability fit (technologies, stages, areas)",
            False,
            _fixed(complementarity),
        ),
        Method("ranker", "logistic regression over graph, capability and activity features", False, _ranker),
        Method(
            "recommender",
            "the ranker, complementary kinds first (what `recommend` shows)",
            False,
            _recommender,
        ),
    )
}
