"""Who allies with whom after a cut-off, and which candidates are eligible for a source at all."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import scipy.sparse as sp

from alliances.recommend.incidence import incidence
from alliances.recommend.network import Network
from alliances.store.facts import Facts


def new_partners(
    facts: Facts, net: Network, start: int, end: int, max_parties: int | None = None
) -> dict[int, set[int]]:
    """Pairs first allied in [start, end) that were not partners in `net`, both directions, by index."""
    inc = incidence(facts)
    keep = (inc.year >= start) & (inc.year < end)
    if max_parties is not None:
        keep &= inc.parties <= max_parties
    members = inc.select(keep)
    together = sp.triu(members.T @ members, k=1).tocoo()
    u_arr, v_arr = together.row.astype(np.int64), together.col.astype(np.int64)
    if not len(u_arr):
        return {}
    known = np.asarray(net.adj[u_arr, v_arr]).ravel() > 0
    keep_pair = ~known & (net.group[u_arr] != net.group[v_arr])
    out: dict[int, set[int]] = defaultdict(set)
    for u, v in zip(u_arr[keep_pair].tolist(), v_arr[keep_pair].tolist(), strict=True):
        out[u].add(v)
        out[v].add(u)
    return dict(out)


def eligible(net: Network, sources: np.ndarray) -> np.ndarray:
    """(b, n) mask of candidates: not the source, not in its group, not already a partner."""
    mask = net.group[sources][:, None] != net.group[None, :]
    rows = net.adj[sources].tocoo()
    mask[rows.row, rows.col] = False
    return mask
