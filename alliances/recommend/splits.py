"""Who allies with whom after a cut-off, and which candidates are eligible for a source at all."""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from alliances.recommend.network import Network
from alliances.store.facts import Facts


def new_partners(facts: Facts, net: Network, start: int, end: int,
                 max_parties: int | None = None) -> dict[int, set[int]]:
    """Pairs first allied in [start, end) that were not partners in `net`, both directions, by index."""
    us: list[int] = []
    vs: list[int] = []
    for a in facts.alliances:
        if a.year is None or not start <= a.year < end:
            continue
        if max_parties is not None and len(a.party_ids) > max_parties:
            continue
        members = sorted({net.index[p] for p in a.party_ids if p in net.index})
        for i, u in enumerate(members):
            for v in members[i + 1:]:
                us.append(u)
                vs.append(v)
    out: dict[int, set[int]] = defaultdict(set)
    if not us:
        return {}
    u_arr, v_arr = np.array(us), np.array(vs)
    known = np.asarray(net.adj[u_arr, v_arr]).ravel() > 0
    keep = ~known & (net.group[u_arr] != net.group[v_arr])
    for u, v in zip(u_arr[keep].tolist(), v_arr[keep].tolist(), strict=True):
        out[u].add(v)
        out[v].add(u)
    return dict(out)


def eligible(net: Network, sources: np.ndarray) -> np.ndarray:
    """(b, n) mask of candidates: not the source, not in its group, not already a partner."""
    mask = net.group[sources][:, None] != net.group[None, :]
    rows = net.adj[sources].tocoo()
    mask[rows.row, rows.col] = False
    return mask
