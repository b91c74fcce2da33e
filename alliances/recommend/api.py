"""The library entry points the CLI and the web layer call: `recommend` and `find_partners`.

`Recommender` holds a network snapshot and a ranker trained on it, so a caller that answers many
questions (the web app, the benchmark) builds it once; the functions build one per call.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy.orm import Session

from alliances.errors import NotFound
from alliances.recommend.explain import activity, reasons
from alliances.recommend.features import PairBatch
from alliances.recommend.need import Need, matching_alliances
from alliances.recommend.network import Network
from alliances.recommend.ranker import Ranker
from alliances.recommend.splits import eligible
from alliances.store.facts import Facts, load_facts
from alliances.store.resolve import Resolver
from alliances.store.viewer import Viewer


@dataclass(frozen=True)
class Recommendation:
    organisation: str
    organisation_id: int
    kind: str
    score: float
    reasons: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {
            "organisation": self.organisation,
            "organisation_id": self.organisation_id,
            "kind": self.kind,
            "score": self.score,
            "reasons": list(self.reasons),
        }


class Recommender:
    """A frozen snapshot of the network plus the ranker learned from its history."""

    def __init__(self, facts: Facts, ranker: Ranker | None = None, *, seed: int = 0) -> None:
        self.facts = facts
        self.net = Network.build(facts)
        self.ranker = ranker if ranker is not None else Ranker.fit(facts, None, seed=seed)

    def for_organisation(self, org_id: int, need: Need | None = None, top: int = 10) -> list[Recommendation]:
        """Organisations not yet allied with `org_id`, best first, each with its reasons."""
        need = need or Need()
        u = self.net.index[org_id]
        scores = self.ranker.score(PairBatch(self.net, np.array([u])))[0]
        keep = eligible(self.net, np.array([u]))[0]
        matches = matching_alliances(self.facts, need) if need.on_alliances else {}
        if need.on_alliances:
            allowed = np.zeros(self.net.size, dtype=bool)
            allowed[[self.net.index[i] for i in matches]] = True
            keep &= allowed
            # More alliances meeting the need weigh like more evidence in the ranker's log scale.
            counts = np.array([len(matches.get(int(i), ())) for i in self.net.ids])
            scores = scores + np.log1p(counts)
        if need.kind is not None:
            keep &= np.array([k == need.kind for k in self.net.kind_names])[self.net.kinds]
        return [
            self._item(
                v, float(scores[v]), reasons(self.net, u, v, matches.get(int(self.net.ids[v])), need.label())
            )
            for v in _top(scores, keep, top)
        ]

    def for_need(self, need: Need, top: int = 10) -> list[Recommendation]:
        """Without an organisation: the most active organisations on the need, recent alliances first."""
        matches = matching_alliances(self.facts, need)
        if not need.on_alliances:  # only a kind: every organisation of that kind with its whole history
            matches = {
                i: [a for a in self.facts.alliances if i in a.party_ids]
                for i, o in self.facts.organisations.items()
                if need.kind in (None, o.kind)
            }
        scores = np.full(self.net.size, -np.inf)
        for org_id, alliances in matches.items():
            v = self.net.index[org_id]
            partners = {p for a in alliances for p in a.party_ids} - {org_id}
            scores[v] = len(alliances) + 0.1 * len(partners) + 0.01 * math.log1p(self.net.alliances[v])
        out = []
        for v in _top(scores, np.isfinite(scores) & (scores > 0), top):
            found = matches[int(self.net.ids[v])]
            latest = found[0].date or found[0].year
            why = [f"{len(found)} alliance(s) in {need.label()}, latest {latest}", activity(self.net, v)]
            out.append(self._item(v, float(scores[v]), why, raw=True))
        return out

    def _item(self, v: int, score: float, why: list[str], raw: bool = False) -> Recommendation:
        org = self.facts.organisations[int(self.net.ids[v])]
        shown = score if raw else 1.0 / (1.0 + math.exp(-score))
        return Recommendation(org.name, org.id, org.kind, round(shown, 3), why)


def _top(scores: np.ndarray, keep: np.ndarray, top: int) -> list[int]:
    idx = np.flatnonzero(keep)
    order = idx[np.lexsort((idx, -scores[idx]))]
    return [int(i) for i in order[: max(top, 0)]]


def resolve_organisation(session: Session, org: str | int) -> int:
    """An organisation id from an id or a name; NotFound with the closest names otherwise."""
    resolver = Resolver(session)
    if isinstance(org, int) or org.strip().isdigit():
        if int(org) in resolver.names:
            return int(org)
        raise NotFound(f"no organisation with id {org}")
    match = resolver.resolve(org)
    if match.organisation_id is not None:
        return match.organisation_id
    close = resolver.closest_names(org)
    hint = f"; closest: {', '.join(close)}" if close else ""
    raise NotFound(f"unknown organisation {org!r}{hint}")


def recommend(
    session: Session,
    org: str | int,
    *,
    technology: str | None = None,
    stage: str | None = None,
    area: str | None = None,
    kind: str | None = None,
    since: int | None = None,
    top: int = 10,
    viewer: Viewer | None = None,
) -> list[Recommendation]:
    """Ranked, explained partner recommendations for one organisation (by name or id)."""
    need = Need.checked(technology, stage, area, kind, since)
    org_id = resolve_organisation(session, org)
    return Recommender(load_facts(session, viewer=viewer)).for_organisation(org_id, need, top)


def find_partners(
    session: Session,
    *,
    technology: str | None = None,
    stage: str | None = None,
    area: str | None = None,
    kind: str | None = None,
    since: int | None = None,
    top: int = 10,
    viewer: Viewer | None = None,
) -> list[Recommendation]:
    """Need-based search without an organisation: who is most active on this need."""
    need = Need.checked(technology, stage, area, kind, since)
    facts = load_facts(session, viewer=viewer)
    return Recommender(facts, Ranker.prior()).for_need(need, top)
