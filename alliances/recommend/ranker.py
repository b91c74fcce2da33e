"""The learned ranker: logistic regression on pair features, trained on history before the cut-off.

Training mimics the task: for a few earlier cut-offs c, features come from the network before c and
labels are the pairs first allied in [c, cut-off). A linear model on log features multiplies evidence
(kind affinity × popularity × fit), and scores every candidate of a big network with one matrix product.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LogisticRegression

from alliances.recommend.features import FEATURE_NAMES, PairBatch, learned_features
from alliances.recommend.network import MAX_PARTIES, Network
from alliances.recommend.splits import eligible, new_partners
from alliances.store.facts import Facts

WINDOWS = 3
CENTER = True
BATCH = 128

# Used when the history is too short to learn from: kind affinity, activity and fit, as in the docs.
PRIOR = {
    "log_kind_lift": 1.0,
    "log_popularity": 0.5,
    "log_recent": 0.5,
    "fit": 1.0,
    "log_kind_peers": 0.5,
    "log_common": 0.5,
    "log_paths3": 0.3,
    "area_overlap": 0.5,
    "terminated_share": -1.0,
}
# Below this many positive pairs a learnt model is noise: use the prior weights instead.
MIN_POSITIVES = 30


@dataclass(frozen=True)
class Ranker:
    """Weights over `FEATURE_NAMES` (already divided by the training scale) and how many pairs taught it."""

    weights: np.ndarray
    bias: float
    positives: int
    examples: int

    def score(self, batch: PairBatch) -> np.ndarray:
        return self.linear(learned_features(batch), batch.shape)

    def linear(self, feats: dict[str, np.ndarray], shape: tuple[int, ...]) -> np.ndarray:
        """The score from features already computed (the re-ranker shares them)."""
        out = np.full(shape, self.bias)
        for w, name in zip(self.weights, FEATURE_NAMES, strict=True):
            if w:
                out += w * feats[name]
        return out

    def contributions(self, batch: PairBatch, row: int, col: int) -> dict[str, float]:
        """Each feature's share of one pair's score, for explanations."""
        feats = learned_features(batch)
        return {n: float(w * feats[n][row, col]) for w, n in zip(self.weights, FEATURE_NAMES, strict=True)}

    @classmethod
    def prior(cls) -> Ranker:
        return cls(np.array([PRIOR.get(n, 0.0) for n in FEATURE_NAMES]), 0.0, 0, 0)

    @classmethod
    def fit(
        cls,
        facts: Facts,
        cutoff: int | None = None,
        *,
        seed: int = 0,
        max_sources: int = 1500,
        negatives: int = 30,
    ) -> Ranker:
        """Learn from windows [c, cutoff) for c in the `WINDOWS` years before the cut-off."""
        years = [a.year for a in facts.alliances if a.year is not None]
        if not years:
            return cls.prior()
        end = cutoff if cutoff is not None else max(years) + 1
        rng = np.random.default_rng(seed)
        xs: list[np.ndarray] = []
        ys: list[np.ndarray] = []
        for start in range(end - WINDOWS, end):
            net = Network.build(facts, start)
            labels = new_partners(facts, net, start, end, MAX_PARTIES)
            sources = np.array(sorted(labels), dtype=np.int64)
            if len(sources) > max_sources:
                sources = np.sort(rng.choice(sources, max_sources, replace=False))
            for lo in range(0, len(sources), BATCH):
                x, y = _examples(net, sources[lo : lo + BATCH], labels, rng, negatives)
                xs.append(x)
                ys.append(y)
        if not ys or sum(int(y.sum()) for y in ys) < MIN_POSITIVES:
            return cls.prior()
        x_all, y_all = np.vstack(xs), np.concatenate(ys)
        scale = np.maximum(x_all.std(axis=0), 1e-9)
        model = LogisticRegression(C=0.1, class_weight="balanced", max_iter=2000)
        model.fit(x_all / scale, y_all)
        return cls(model.coef_[0] / scale, float(model.intercept_[0]), int(y_all.sum()), len(y_all))


def _examples(
    net: Network, sources: np.ndarray, labels: dict[int, set[int]], rng: np.random.Generator, negatives: int
) -> tuple[np.ndarray, np.ndarray]:
    """Rows of features for every positive of each source and `negatives` sampled non-partners."""
    mask = eligible(net, sources)
    rows: list[int] = []
    cols: list[int] = []
    ys: list[int] = []
    for r, u in enumerate(sources.tolist()):
        pos = sorted(labels[u])
        pool = np.flatnonzero(mask[r])
        pool = pool[~np.isin(pool, pos)]
        neg = rng.choice(pool, min(negatives, len(pool)), replace=False) if len(pool) else pool
        rows += [r] * (len(pos) + len(neg))
        cols += pos + neg.tolist()
        ys += [1] * len(pos) + [0] * len(neg)
    r_idx, c_idx = np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64)
    feats = learned_features(PairBatch(net, sources, (r_idx, c_idx)))
    x = np.column_stack([feats[name] for name in FEATURE_NAMES])
    if CENTER:
        # Within-source centring: only differences between one source's candidates are learnt,
        # which approximates a conditional (per-source) logit and ignores source-level effects.
        sums = np.zeros((len(sources), x.shape[1]))
        np.add.at(sums, r_idx, x)
        x = x - (sums / np.bincount(r_idx, minlength=len(sources))[:, None])[r_idx]
    return x, np.array(ys)
