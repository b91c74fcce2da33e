"""Pair features for a batch of source organisations against every candidate, as dense (b, n) arrays.

One `PairBatch` computes each feature lazily and once, so graph baselines, the capability score and
the learned ranker share the sparse products (A_U·A is the costly one on big networks).
"""

from __future__ import annotations

from functools import cached_property

import numpy as np
import scipy.sparse as sp

from alliances.recommend.network import Network, area_start, tech_count

KATZ_BETA = 0.05


class PairBatch:
    """Features of (source, candidate) pairs for `sources` (row indices into the network)."""

    def __init__(self, net: Network, sources: np.ndarray) -> None:
        self.net = net
        self.sources = np.asarray(sources, dtype=np.int64)

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.sources), self.net.size

    @cached_property
    def _rows(self) -> sp.csr_matrix:
        return self.net.adj[self.sources]

    def _through(self, weights: np.ndarray) -> np.ndarray:
        """Σ_z A[u,z]·w[z]·A[z,v]: shared neighbours, each weighted."""
        weighted = sp.diags(weights) @ self.net.adj
        return np.asarray((self._rows @ weighted).todense())

    @cached_property
    def common(self) -> np.ndarray:
        return np.asarray((self._rows @ self.net.adj).todense())

    @cached_property
    def adamic_adar(self) -> np.ndarray:
        return self._through(1.0 / np.log(np.maximum(self.net.degree, 2.0)))

    @cached_property
    def resource_allocation(self) -> np.ndarray:
        return self._through(1.0 / np.maximum(self.net.degree, 1.0))

    @cached_property
    def preferential(self) -> np.ndarray:
        deg = self.net.degree
        return np.outer(deg[self.sources], deg)

    @cached_property
    def paths3(self) -> np.ndarray:
        """Walks of length 3: partners of the source's peers (peers = who shares a partner with it)."""
        return np.asarray((self.net.adj @ self.common.T).T)

    @cached_property
    def katz(self) -> np.ndarray:
        direct = self._rows.toarray()
        return KATZ_BETA * direct + KATZ_BETA**2 * self.common + KATZ_BETA**3 * self.paths3

    @cached_property
    def popularity(self) -> np.ndarray:
        return np.broadcast_to(self.net.alliances, self.shape)

    @cached_property
    def recent(self) -> np.ndarray:
        return np.broadcast_to(self.net.recent, self.shape)

    @cached_property
    def kind_peers(self) -> np.ndarray:
        """How many partners of the candidate are of the source's kind (peers that already work with it)."""
        return self.net.kind_partners[:, self.net.kinds[self.sources]].T

    @cached_property
    def kind_lift(self) -> np.ndarray:
        return self.net.kind_lift[self.net.kinds[self.sources]][:, self.net.kinds]

    @cached_property
    def fit(self) -> np.ndarray:
        """Cosine between what the source's partners look like and the candidate's own profile."""
        return self.net.demand[self.sources] @ self.net.profile.T

    @cached_property
    def area_overlap(self) -> np.ndarray:
        areas = self.net.profile[:, area_start():]
        return areas[self.sources] @ areas.T

    @cached_property
    def tech_new(self) -> np.ndarray:
        """Share of the candidate's technologies that the source has never used in an alliance."""
        has = (self.net.counts[:, :tech_count()] > 0).astype(float)
        lacks = 1.0 - has[self.sources]
        return (lacks @ has.T) / np.maximum(has.sum(axis=1), 1.0)

    @cached_property
    def same_country(self) -> np.ndarray:
        """1 when both countries are known and equal: national ecosystems (French pharma, French start-ups)."""
        c = self.net.countries
        src = c[self.sources][:, None]
        return ((src == c[None, :]) & (src >= 0)).astype(float)

    @cached_property
    def terminated_share(self) -> np.ndarray:
        share = self.net.terminated / np.maximum(self.net.alliances, 1.0)
        return np.broadcast_to(share, self.shape)

    @cached_property
    def source_isolated(self) -> np.ndarray:
        return np.broadcast_to((self.net.degree[self.sources] == 0).astype(float)[:, None], self.shape)


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
        "tech_new": batch.tech_new,
        "terminated_share": batch.terminated_share,
        "same_country": batch.same_country,
        "isolated_x_kind_peers": iso * log_peers,
        "isolated_x_popularity": iso * log_pop,
        "isolated_x_fit": iso * batch.fit,
    }


FEATURE_NAMES: tuple[str, ...] = (
    "log_common", "log_adamic_adar", "log_preferential", "log_paths3", "log_kind_peers", "log_popularity",
    "log_recent", "log_kind_lift", "fit", "area_overlap", "tech_new", "terminated_share", "same_country",
    "isolated_x_kind_peers", "isolated_x_popularity", "isolated_x_fit",
)
