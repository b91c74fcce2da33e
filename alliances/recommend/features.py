"""Pair features for a batch of source organisations against every candidate, as dense (b, n) arrays.

One `PairBatch` computes each feature lazily and once, so graph baselines, the capability score and
the learned ranker share the sparse products (A_U·A is the costly one on big networks).
"""

from __future__ import annotations

from functools import cached_property

import numpy as np
import scipy.sparse as sp

from alliances.recommend.network import Network, area_start, rownorm, tech_count

KATZ_BETA = 0.05


class PairBatch:
    """Features of (source, candidate) pairs for `sources` (row indices into the network).

    Without `pairs`, every feature is a dense (b, n) array over all candidates (scoring). With
    `pairs=(rows, cols)` (rows index `sources`, cols index candidates), every feature is the 1-D array
    of those pairs only, which is what training needs: a few dozen candidates per source, not n.
    """

    def __init__(
        self, net: Network, sources: np.ndarray, pairs: tuple[np.ndarray, np.ndarray] | None = None
    ) -> None:
        self.net = net
        self.sources = np.asarray(sources, dtype=np.int64)
        self._pairs = pairs

    @property
    def shape(self) -> tuple[int, ...]:
        if self._pairs is not None:
            return (len(self._pairs[0]),)
        return len(self.sources), self.net.size

    def gather(self, full: np.ndarray) -> np.ndarray:
        """A dense (b, n) array reduced to the batch's pairs (unchanged without pairs)."""
        return full if self._pairs is None else full[self._pairs]

    def node(self, values: np.ndarray) -> np.ndarray:
        """A per-candidate value (length n) as a feature."""
        return np.broadcast_to(values, self.shape) if self._pairs is None else values[self._pairs[1]]

    def source(self, values: np.ndarray) -> np.ndarray:
        """A per-source value (length b) as a feature."""
        if self._pairs is None:
            return np.broadcast_to(values[:, None], self.shape)
        return values[self._pairs[0]]

    def inner(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        """left[source] · right[candidate] for (n, d) profile-like arrays."""
        if self._pairs is None:
            return left[self.sources] @ right.T
        rows, cols = self._pairs
        return np.einsum("ij,ij->i", left[self.sources[rows]], right[cols])

    def table(self, values: np.ndarray, src_keys: np.ndarray, cand_keys: np.ndarray) -> np.ndarray:
        """values[src_keys[source], cand_keys[candidate]] for a small lookup table."""
        keys = src_keys[self.sources]
        if self._pairs is None:
            return values[keys][:, cand_keys]
        rows, cols = self._pairs
        return values[keys[rows], cand_keys[cols]]

    @cached_property
    def _rows(self) -> sp.csr_matrix:
        return self.net.adj[self.sources]

    def _through(self, weights: np.ndarray) -> np.ndarray:
        """Σ_z A[u,z]·w[z]·A[z,v]: shared neighbours, each weighted."""
        weighted = sp.diags(weights) @ self.net.adj
        return self.gather(np.asarray((self._rows @ weighted).todense()))

    @cached_property
    def _common(self) -> np.ndarray:
        return np.asarray((self._rows @ self.net.adj).todense())

    @cached_property
    def common(self) -> np.ndarray:
        return self.gather(self._common)

    @cached_property
    def adamic_adar(self) -> np.ndarray:
        return self._through(1.0 / np.log(np.maximum(self.net.degree, 2.0)))

    @cached_property
    def resource_allocation(self) -> np.ndarray:
        return self._through(1.0 / np.maximum(self.net.degree, 1.0))

    @cached_property
    def preferential(self) -> np.ndarray:
        deg = self.net.degree
        return self.source(deg[self.sources]) * self.node(deg)

    @cached_property
    def paths3(self) -> np.ndarray:
        """Walks of length 3: partners of the source's peers (peers = who shares a partner with it)."""
        return self.gather(np.asarray(self.net.adj @ self._common.T).T)

    @cached_property
    def katz(self) -> np.ndarray:
        direct = self.gather(self._rows.toarray())
        return KATZ_BETA * direct + KATZ_BETA**2 * self.common + KATZ_BETA**3 * self.paths3

    @cached_property
    def popularity(self) -> np.ndarray:
        return self.node(self.net.alliances)

    @cached_property
    def recent(self) -> np.ndarray:
        return self.node(self.net.recent)

    @cached_property
    def kind_peers(self) -> np.ndarray:
        """How many partners of the candidate are of the source's kind (peers that already work with it)."""
        net = self.net
        return self.table(net.kind_partners.T, net.kinds, np.arange(net.size))

    @cached_property
    def kind_lift(self) -> np.ndarray:
        return self.table(self.net.kind_lift, self.net.kinds, self.net.kinds)

    @cached_property
    def fit(self) -> np.ndarray:
        """Cosine between what the source's partners look like and the candidate's own profile."""
        return self.inner(self.net.demand, self.net.profile)

    @cached_property
    def area_overlap(self) -> np.ndarray:
        areas = self.net.profile[:, area_start() :]
        return self.inner(areas, areas)

    @cached_property
    def tech_match(self) -> np.ndarray:
        """Cosine of technology mixes: the candidate delivered the technologies the source sought."""
        techs = rownorm(self.net.counts[:, : tech_count()])
        return self.inner(techs, techs)

    @cached_property
    def stage_match(self) -> np.ndarray:
        """Cosine of value-chain stage mixes (research partners for research needs)."""
        stages = rownorm(self.net.counts[:, tech_count() : area_start()])
        return self.inner(stages, stages)

    @cached_property
    def tech_new(self) -> np.ndarray:
        """Share of the candidate's technologies that the source has never used in an alliance."""
        has = (self.net.counts[:, : tech_count()] > 0).astype(float)
        return self.inner(1.0 - has, has) / self.node(np.maximum(has.sum(axis=1), 1.0))

    @cached_property
    def same_country(self) -> np.ndarray:
        """1 when both countries are known and equal: national ecosystems (French pharma, start-ups)."""
        c = self.net.countries
        return ((self.source(c[self.sources]) == self.node(c)) & self.node(c >= 0)).astype(float)

    @cached_property
    def terminated_share(self) -> np.ndarray:
        return self.node(self.net.terminated / np.maximum(self.net.alliances, 1.0))

    @cached_property
    def source_isolated(self) -> np.ndarray:
        return self.source((self.net.degree[self.sources] == 0).astype(float))


def learned_features(batch: PairBatch) -> dict[str, np.ndarray]:
    """The ranker's inputs: log-scaled counts so that a linear model multiplies evidence."""
    iso = batch.source_isolated
    log_pop = np.log1p(batch.popularity)
    log_peers = np.log1p(batch.kind_peers)
    return {
        "log_common": np.log1p(batch.common),
        "log_adamic_adar": np.log1p(batch.adamic_adar),
        "log_preferential": np.log1p(batch.preferential),
        "log_paths3": np.log1p(batch.paths3),
        "log_kind_peers": log_peers,
        "log_popularity": log_pop,
        "log_recent": np.log1p(batch.recent),
        "log_kind_lift": np.log(batch.kind_lift),
        "fit": batch.fit,
        "area_overlap": batch.area_overlap,
        "tech_match": batch.tech_match,
        "stage_match": batch.stage_match,
        "tech_new": batch.tech_new,
        "terminated_share": batch.terminated_share,
        "same_country": batch.same_country,
        "isolated_x_kind_peers": iso * log_peers,
        "isolated_x_popularity": iso * log_pop,
        "isolated_x_fit": iso * batch.fit,
    }


FEATURE_NAMES: tuple[str, ...] = (
    "log_common",
    "log_adamic_adar",
    "log_preferential",
    "log_paths3",
    "log_kind_peers",
    "log_popularity",
    "log_recent",
    "log_kind_lift",
    "fit",
    "area_overlap",
    "tech_match",
    "stage_match",
    "tech_new",
    "terminated_share",
    "same_country",
    "isolated_x_kind_peers",
    "isolated_x_popularity",
    "isolated_x_fit",
)
