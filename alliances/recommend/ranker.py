"""The learned ranker: a conditional logit on pair features, trained on history before the cut-off.

Training mimics the task: for a few earlier cut-offs c, features come from the network before c and
labels are the pairs first allied in [c, cut-off). Each true new partner competes, in a softmax, with
`NEGATIVES` candidates of its source drawn in proportion to q = popularity × kind lift (a little
uniform mixed in): the candidates that matter for the top ten are the visible ones, so that is where
the model must learn to tell them apart. Sampling by q alone would teach "popular is bad" (the
positives would look unpopular next to the negatives), so every candidate's logit is corrected by
−log q during training (sampled softmax with logQ correction): the fitted weights then estimate the
full softmax over all candidates, popularity included. A linear model on log features multiplies
evidence (kind affinity × popularity × fit) and scores every candidate with a few matrix products.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.optimize as so
import scipy.sparse as sp

from alliances.recommend.features import FEATURE_NAMES, PairBatch, learned_features
from alliances.recommend.network import MAX_PARTIES, Network, area_start, rownorm, tech_count
from alliances.recommend.splits import eligible, new_partners
from alliances.store.facts import Facts

WINDOWS = 3
BATCH = 256
# Negatives per source, drawn ∝ q (with replacement); the share of q that is uniform; L2 penalty on
# standardised weights: L2 + L2_PAIRS / positives, so a few hundred real pairs cannot learn wild weights.
NEGATIVES = 100
UNIFORM = 0.1
L2 = 1e-3
L2_PAIRS = 60.0

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
    """Weights over `FEATURE_NAMES` (in feature units) and how many pairs taught it."""

    weights: np.ndarray
    bias: float
    positives: int
    examples: int

    def score(self, batch: PairBatch) -> np.ndarray:
        if len(batch.shape) == 1:
            return self.linear(learned_features(batch), batch.shape)
        return _fast_score(self, batch)

    def linear(self, feats: dict[str, np.ndarray], shape: tuple[int, ...]) -> np.ndarray:
        """The score from features already computed (reference implementation of `score`)."""
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
        negatives: int = NEGATIVES,
    ) -> Ranker:
        """Learn from windows [c, cutoff) for c in the `WINDOWS` years before the cut-off."""
        years = [a.year for a in facts.alliances if a.year is not None]
        if not years:
            return cls.prior()
        end = cutoff if cutoff is not None else max(years) + 1
        rng = np.random.default_rng(seed)
        parts: list[_Groups] = []
        for start in range(end - WINDOWS, end):
            net = Network.build(facts, start)
            labels = new_partners(facts, net, start, end, MAX_PARTIES)
            sources = np.array(sorted(labels), dtype=np.int64)
            if len(sources) > max_sources:
                sources = np.sort(rng.choice(sources, max_sources, replace=False))
            for lo in range(0, len(sources), BATCH):
                parts.append(_groups(net, sources[lo : lo + BATCH], labels, rng, negatives))
        positives = sum(len(g.owner) for g in parts)
        if positives < MIN_POSITIVES:
            return cls.prior()
        weights = _fit_softmax(_Groups.concat(parts))
        return cls(weights, 0.0, positives, positives + sum(g.neg.shape[0] * g.neg.shape[1] for g in parts))


@dataclass
class _Groups:
    """Softmax groups: each positive (row of `pos`) against the negatives of its source (`owner`)."""

    pos: np.ndarray  # (G, d) features of true new partners
    pos_logq: np.ndarray  # (G,)
    owner: np.ndarray  # (G,) row of `neg` holding the source's negatives
    neg: np.ndarray  # (S, K, d)
    neg_logq: np.ndarray  # (S, K)

    @staticmethod
    def concat(parts: list[_Groups]) -> _Groups:
        offsets = np.cumsum([0] + [g.neg.shape[0] for g in parts[:-1]])
        return _Groups(
            np.concatenate([g.pos for g in parts]),
            np.concatenate([g.pos_logq for g in parts]),
            np.concatenate([g.owner + o for g, o in zip(parts, offsets, strict=True)]),
            np.concatenate([g.neg for g in parts]),
            np.concatenate([g.neg_logq for g in parts]),
        )


def proposal(net: Network, sources: np.ndarray) -> np.ndarray:
    """(b, n) sampling weights q: popularity × kind lift of the pair, plus a uniform share."""
    weight = (1.0 + net.alliances)[None, :] * net.kind_lift[net.kinds[sources]][:, net.kinds]
    weight /= weight.sum(axis=1, keepdims=True)
    return (1.0 - UNIFORM) * weight + UNIFORM / net.size


def _groups(
    net: Network, sources: np.ndarray, labels: dict[int, set[int]], rng: np.random.Generator, negatives: int
) -> _Groups:
    """Features of every positive of each source and of `negatives` candidates drawn ∝ q."""
    full = proposal(net, sources)
    q = full * eligible(net, sources)
    prow: list[int] = []
    pcol: list[int] = []
    negs = np.zeros((len(sources), negatives), dtype=np.int64)
    totals = np.zeros(len(sources))
    for r, u in enumerate(sources.tolist()):
        pos = sorted(labels[u])
        q[r, pos] = 0.0
        cum = np.cumsum(q[r])
        totals[r] = cum[-1]
        negs[r] = np.searchsorted(cum, rng.random(negatives) * cum[-1], side="right").clip(0, net.size - 1)
        prow += [r] * len(pos)
        pcol += pos
    rows, cols = np.array(prow, dtype=np.int64), np.array(pcol, dtype=np.int64)
    # log q over the pool the negatives were drawn from (eligible candidates minus the positives); a
    # positive gets the q it would have had in that pool.
    logq = np.log(np.maximum(full, 1e-300)) - np.log(np.maximum(totals, 1e-300))[:, None]
    neg_rows = np.repeat(np.arange(len(sources)), negatives)
    pos_x = _matrix(PairBatch(net, sources, (rows, cols)))
    neg_x = _matrix(PairBatch(net, sources, (neg_rows, negs.ravel()))).reshape(len(sources), negatives, -1)
    return _Groups(pos_x, logq[rows, cols], rows, neg_x, logq[neg_rows, negs.ravel()].reshape(negs.shape))


def _matrix(batch: PairBatch) -> np.ndarray:
    feats = learned_features(batch)
    return np.column_stack([feats[name] for name in FEATURE_NAMES])


def _fit_softmax(g: _Groups) -> np.ndarray:
    """Weights maximising Σ log softmax(positive | positive + its source's negatives), logits − log q."""
    d = g.pos.shape[1]
    every = np.concatenate([g.pos, g.neg.reshape(-1, d)])
    mean, scale = every.mean(axis=0), np.maximum(every.std(axis=0), 1e-9)
    pos, neg = (g.pos - mean) / scale, (g.neg - mean) / scale
    count = len(g.owner)
    l2 = L2 + L2_PAIRS / count

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        s_pos = pos @ w - g.pos_logq
        sn = (neg @ w - g.neg_logq)[g.owner]
        top = np.maximum(s_pos, sn.max(axis=1))
        ep, en = np.exp(s_pos - top), np.exp(sn - top[:, None])
        z = ep + en.sum(axis=1)
        value = -float(np.sum(s_pos - top - np.log(z))) / count + l2 * float(w @ w)
        share = np.zeros(neg.shape[:2])
        np.add.at(share, g.owner, en / z[:, None])
        grad = (-(pos * (1.0 - ep / z)[:, None]).sum(axis=0) + np.einsum("sk,skd->d", share, neg)) / count
        return value, grad + 2.0 * l2 * w

    result = so.minimize(loss, np.zeros(d), jac=True, method="L-BFGS-B", options={"maxiter": 500})
    return np.asarray(result.x) / scale


def _fast_score(ranker: Ranker, batch: PairBatch) -> np.ndarray:
    """`linear(learned_features(batch))` for dense batches, without materialising each feature."""
    w = dict(zip(FEATURE_NAMES, ranker.weights, strict=True))
    net, src = batch.net, batch.sources
    iso = (net.degree[src] == 0).astype(float)
    deg = net.degree
    t, a0 = tech_count(), area_start()
    # Per-candidate terms.
    log_pop = np.log1p(net.alliances)
    node = (
        w["log_popularity"] * log_pop
        + w["log_recent"] * np.log1p(net.recent)
        + w["terminated_share"] * net.terminated / np.maximum(net.alliances, 1.0)
    )
    out = node[None, :] + ranker.bias + (w["isolated_x_popularity"] * iso)[:, None] * log_pop[None, :]
    # Kind tables.
    out += w["log_kind_lift"] * np.log(net.kind_lift)[net.kinds[src]][:, net.kinds]
    peers = np.log1p(net.kind_partners.T)[net.kinds[src]]
    out += (w["log_kind_peers"] + w["isolated_x_kind_peers"] * iso)[:, None] * peers
    # Profile inner products in one matrix product.
    techs = rownorm(net.counts[:, :t])
    stages = rownorm(net.counts[:, t:a0])
    areas = net.profile[:, a0:]
    has = (net.counts[:, :t] > 0).astype(float)
    fit_w = w["fit"] + w["isolated_x_fit"] * iso
    left = np.hstack(
        [
            net.demand[src] * fit_w[:, None],
            w["area_overlap"] * areas[src],
            w["tech_match"] * techs[src],
            w["stage_match"] * stages[src],
            w["tech_new"] * (1.0 - has[src]),
        ]
    )
    right = np.hstack([net.profile, areas, techs, stages, has / np.maximum(has.sum(axis=1), 1.0)[:, None]])
    out += left @ right.T
    c = net.countries
    out += w["same_country"] * ((c[src][:, None] == c[None, :]) & (c >= 0)[None, :])
    # Graph terms: sparse where they can be.
    rows = net.adj[src]
    common = rows @ net.adj
    _add_sparse(out, common, w["log_common"])
    rare = sp.diags(1.0 / np.log(np.maximum(deg, 2.0))) @ net.adj
    _add_sparse(out, rows @ rare, w["log_adamic_adar"])
    out += w["log_preferential"] * np.log1p(deg[src][:, None] * deg[None, :])
    if w["log_paths3"]:  # walks of length 3 are dense around hubs: a dense product is faster
        out += w["log_paths3"] * np.log1p(np.asarray(net.adj @ common.toarray().T).T)
    return out


def _add_sparse(out: np.ndarray, m: sp.csr_matrix, weight: float) -> None:
    """out += weight · log1p(m) for a sparse (b, n) matrix m (log1p(0) = 0 elsewhere)."""
    if not weight:
        return
    coo = sp.coo_matrix(m)
    coo.sum_duplicates()
    out[coo.row, coo.col] += weight * np.log1p(coo.data)
