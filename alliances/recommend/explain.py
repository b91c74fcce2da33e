"""Reasons in plain words: what a candidate brings, who links it to the organisation, how active it is."""

from __future__ import annotations

import numpy as np

from alliances.recommend.network import Network, profile_dims
from alliances.recommend.roles import Evidence
from alliances.taxonomy import ORG_KINDS, vocab

CAUTION_SHARE = 0.25


def _names(net: Network, idx: np.ndarray, limit: int = 3) -> str:
    order = sorted(idx.tolist(), key=lambda i: (-net.degree[i], net.names[i]))
    shown = ", ".join(net.names[i] for i in order[:limit])
    return shown + (f" and {len(order) - limit} more" if len(order) > limit else "")


def kind_label(kind: str) -> str:
    return vocab(ORG_KINDS).label(kind).lower() if kind in vocab(ORG_KINDS) else kind


def brings(net: Network, u: int, v: int, limit: int = 3) -> str | None:
    """Technologies, stages and therapeutic areas in the candidate's alliances but never in the source's."""
    dims = profile_dims()
    new = np.flatnonzero((net.counts[v] > 0) & (net.counts[u] == 0))
    if not len(new):
        return None
    by_facet: dict[str, list[str]] = {}
    for col in sorted(new.tolist(), key=lambda c: -net.counts[v, c]):
        facet, value = dims[col].split(":", 1)
        if value != "other areas":
            by_facet.setdefault(facet, []).append(value.replace("_", " "))
    words = {"technology": "technologies", "stage": "stages", "area": "therapeutic areas"}
    parts = [f"{words[f]} {', '.join(vals[:limit])}" for f, vals in by_facet.items() if vals]
    if not parts:
        return None
    who = "it" if net.degree[u] == 0 else net.names[u]
    return f"brings {'; '.join(parts)} that {who} has not used in alliances"


def need_reasons(net: Network, u: int, v: int, found: Evidence, org_id: int, label: str) -> list[str]:
    """What the candidate did in the needed capability, and on which side of those alliances."""
    role = found.role.get(org_id, [])
    if role:
        latest = role[0].date or role[0].year
        out = [f"{len(role)} alliance(s) in {label}, latest {latest}"]
        if found.wanted is not None:
            clients = [net.index[c] for c in found.counterparts.get(org_id, ()) if c in net.index]
            to = f", with {_names(net, np.array(clients, dtype=np.int64))}" if clients else ""
            out.append(f"brings {label} as the {found.wanted} partner{to}")
        return out
    peer = found.peer.get(org_id, [])
    kind = kind_label(net.kind_names[net.kinds[u]])
    latest = peer[0].date or peer[0].year if peer else "unknown"
    return [
        f"{len(peer)} bilateral {kind}–{kind} alliance(s) in {label}, latest {latest}: "
        f"a peer of {net.names[u]} rather than a provider"
    ]


def reasons(net: Network, u: int, v: int) -> list[str]:
    """The explanation of one recommendation of candidate `v` for source `u` (network indices)."""
    out: list[str] = []
    if net.degree[u] == 0:
        out.append(f"{net.names[u]} has no recorded alliance: ranked by capability fit, kind and activity")
    text = brings(net, u, v)
    if text:
        out.append(text)
    row_u = net.adj[u].toarray().ravel() > 0
    row_v = net.adj[v].toarray().ravel() > 0
    common = np.flatnonzero(row_u & row_v)
    if len(common):
        out.append(f"{len(common)} partner(s) in common: {_names(net, common)}")
    # Peers count bilateral deals and small consortia only: sitting in a 12-party consortium with
    # ten pharma companies is not "working with" them.
    close_v = net.close[v].toarray().ravel() > 0
    peers = np.flatnonzero(close_v & (net.kinds == net.kinds[u]))
    if len(peers):
        kind = kind_label(net.kind_names[net.kinds[u]])
        out.append(
            f"already works with {len(peers)} {kind} organisation(s) like {net.names[u]}: "
            f"{_names(net, peers)}"
        )
    out.append(activity(net, v))
    if net.terminated[v] and net.terminated[v] / max(net.alliances[v], 1) >= CAUTION_SHARE:
        out.append(
            f"caution: {int(net.terminated[v])} of its {int(net.alliances[v])} alliances were terminated"
        )
    return out


def activity(net: Network, v: int) -> str:
    if net.alliances[v] == 0:
        kind = kind_label(net.kind_names[net.kinds[v]])
        return f"no recorded alliance yet: suggested for its kind ({kind})"
    since = net.reference_year - 3
    last = int(net.last_year[v]) if net.last_year[v] else "unknown year"
    if net.recent[v]:
        return f"recent activity: {int(net.recent[v])} alliance(s) since {since}, latest in {last}"
    return f"no alliance since {since} (latest in {last}); {int(net.alliances[v])} in all"
