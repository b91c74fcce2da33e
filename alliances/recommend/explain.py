"""Reasons in plain words: what a candidate brings, who links it to the organisation, how active it is.

Each reason is a `Reason`: a string (its English text, what the CLI and the JSON API print) that also
keeps its template key and values, so pages render it in the reader's language from
`alliances/data/reasons.yaml`.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np

from alliances.recommend.network import RECENT_YEARS, Network, profile_dims
from alliances.recommend.roles import Evidence
from alliances.taxonomy import ORG_KINDS, load_data_file, vocab

_FACET_VOCAB = {"technology": "technologies", "stage": "stages"}


@cache
def templates() -> dict[str, dict[str, str]]:
    return {k: {lang: str(t) for lang, t in v.items()} for k, v in load_data_file("reasons.yaml").items()}


def _t(key: str, lang: str, **values: Any) -> str:
    entry = templates()[key]
    return (entry.get(lang) or entry["en"]).format(**values)


class Reason(str):
    """A reason's English text, with what it takes to say it in another language."""

    key: str
    values: dict[str, Any]

    def __new__(cls, key: str, **values: Any) -> Reason:
        self = super().__new__(cls, _render(key, values, "en"))
        self.key, self.values = key, values
        return self

    def render(self, lang: str) -> str:
        return _render(self.key, self.values, lang)


def _render(key: str, values: dict[str, Any], lang: str) -> str:
    shown = {name: _value(name, value, lang) for name, value in values.items()}
    if key == "caution" and values.get("terminated") == 1:
        key = "caution_one"
    elif values.get("n") == 1 and f"{key}_one" in templates():
        key = f"{key}_one"
    return _t(key, lang, **shown)


def _value(name: str, value: Any, lang: str) -> Any:
    """Values in the reader's language: kinds, vocabulary terms, lists of names, the need's label."""
    if name == "kind":
        return vocab(ORG_KINDS).label(value, lang).lower() if value in vocab(ORG_KINDS) else value
    if name in ("names", "to"):
        if value is None:
            return ""
        shown, more = value
        text = _t("more_one" if more == 1 else "more", lang, shown=shown, n=more) if more else shown
        return _t("need_to", lang, names=text) if name == "to" else text
    if name == "parts":
        return ("; " if lang == "en" else " ; ").join(
            f"{_t('facet_' + facet, lang)} {', '.join(_term(facet, v, lang) for v in vals)}"
            for facet, vals in value
        )
    if name == "who":
        return _t("who_it", lang) if value is None else value
    if name == "side":
        return _t(f"side_{value}", lang) if f"side_{value}" in templates() else value
    if name == "label":
        return need_label(value, lang)
    if value is None and name in ("last", "latest"):
        return _t("unknown_year" if name == "last" else "unknown", lang)
    return value


def _term(facet: str, value: str, lang: str) -> str:
    if lang == "en":
        return value.replace("_", " ")
    if facet in _FACET_VOCAB:
        return vocab(_FACET_VOCAB[facet]).label(value, lang).lower()
    from alliances.taxonomy.areas import area_label, canonical_area

    return area_label(canonical_area(value), lang)  # recommendation families map into areas.yaml


def need_label(label: str, lang: str) -> str:
    """A need's label ("ai × development since 2020", from Need.label) in the reader's language."""
    if lang == "en":
        return label
    text, _, year = label.partition(" since ")
    if text == "any field":
        parts = [_t("any_field", lang)]
    else:
        parts = [_need_term(p, lang) for p in text.split(" × ")]
    out = " × ".join(parts)
    return _t("since", lang, text=out, year=year) if year else out


def _need_term(part: str, lang: str) -> str:
    for name in _FACET_VOCAB.values():
        if part in vocab(name):
            return vocab(name).label(part, lang).lower()
    return _term("area", part, lang)


def _names(net: Network, idx: np.ndarray, limit: int = 3) -> tuple[str, int]:
    order = sorted(idx.tolist(), key=lambda i: (-net.degree[i], net.names[i]))
    return ", ".join(net.names[i] for i in order[:limit]), max(len(order) - limit, 0)


def kind_label(kind: str) -> str:
    return vocab(ORG_KINDS).label(kind).lower() if kind in vocab(ORG_KINDS) else kind


def brings(net: Network, u: int, v: int, limit: int = 3) -> Reason | None:
    """Technologies, stages and therapeutic areas in the candidate's alliances but never in the source's."""
    dims = profile_dims()
    new = np.flatnonzero((net.counts[v] > 0) & (net.counts[u] == 0))
    if not len(new):
        return None
    by_facet: dict[str, list[str]] = {}
    for col in sorted(new.tolist(), key=lambda c: -net.counts[v, c]):
        facet, value = dims[col].split(":", 1)
        if value != "other areas":
            by_facet.setdefault(facet, []).append(value)
    parts = [(f, vals[:limit]) for f, vals in by_facet.items() if vals]
    if not parts:
        return None
    return Reason("brings", parts=parts, who=None if net.degree[u] == 0 else net.names[u])


def need_reasons(net: Network, u: int, v: int, found: Evidence, org_id: int, label: str) -> list[str]:
    """What the candidate did in the needed capability, and on which side of those alliances."""
    role = found.role.get(org_id, [])
    if role:
        latest = role[0].date or role[0].year
        out: list[str] = [Reason("need_role", n=len(role), label=label, latest=latest)]
        if found.wanted is not None:
            clients = [net.index[c] for c in found.counterparts.get(org_id, ()) if c in net.index]
            to = _names(net, np.array(clients, dtype=np.int64)) if clients else None
            out.append(Reason("need_brings", label=label, side=found.wanted, to=to))
        return out
    peer = found.peer.get(org_id, [])
    kind = net.kind_names[net.kinds[u]]
    latest = peer[0].date or peer[0].year if peer else None
    return [Reason("need_peer", n=len(peer), kind=kind, label=label, latest=latest, org=net.names[u])]


def need_activity(count: int, label: str, latest: object) -> Reason:
    """For a need without an organisation: how many alliances meet it, and the latest."""
    return Reason("need_role", n=count, label=label, latest=latest)


def sister(net: Network, u: int, v: int, partners: np.ndarray) -> Reason | None:
    """The candidate belongs to the group of one of the organisation's partners (Verily and Google)."""
    group = net.group[v]
    same = [int(p) for p in partners if p != v and net.group[p] == group]
    if not same or net.group[u] == group:
        return None
    partner = sorted(same, key=lambda p: (-net.degree[p], net.names[p]))[0]
    return Reason("sister", partner=net.names[partner], org=net.names[u], group=net.names[group])


def reasons(net: Network, u: int, v: int) -> list[str]:
    """The explanation of one recommendation of candidate `v` for source `u` (network indices)."""
    out: list[str] = []
    if net.degree[u] == 0:
        out.append(Reason("no_alliance", org=net.names[u]))
    text = brings(net, u, v)
    if text:
        out.append(text)
    row_u = net.adj[u].toarray().ravel() > 0
    row_v = net.adj[v].toarray().ravel() > 0
    related = sister(net, u, v, np.flatnonzero(row_u))
    if related:
        out.append(related)
    common = np.flatnonzero(row_u & row_v)
    if len(common):
        out.append(Reason("common", n=len(common), names=_names(net, common)))
    # Peers count bilateral deals and small consortia only: sitting in a 12-party consortium with
    # ten pharma companies is not "working with" them.
    close_v = net.close[v].toarray().ravel() > 0
    peers = np.flatnonzero(close_v & (net.kinds == net.kinds[u]))
    if len(peers):
        kind = net.kind_names[net.kinds[u]]
        out.append(Reason("peers", n=len(peers), kind=kind, org=net.names[u], names=_names(net, peers)))
    out.append(activity(net, v))
    if net.terminated[v]:  # any terminated deal is worth knowing before a first call
        out.append(Reason("caution", terminated=int(net.terminated[v]), total=int(net.alliances[v])))
    return out


def is_dormant(net: Network, v: int) -> bool:
    return bool(net.alliances[v]) and not net.recent[v]


def activity(net: Network, v: int) -> Reason:
    if net.alliances[v] == 0:
        return Reason("no_alliance_kind", kind=net.kind_names[net.kinds[v]])
    since = net.reference_year - RECENT_YEARS  # nothing since then: dormant
    last = int(net.last_year[v]) if net.last_year[v] else None
    if net.recent[v]:
        return Reason("recent", n=int(net.recent[v]), since=since, last=last)
    return Reason("dormant", since=since, last=last, n=int(net.alliances[v]))
