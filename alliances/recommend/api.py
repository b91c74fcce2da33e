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
from alliances.recommend.explain import activity, need_activity, need_reasons, reasons
from alliances.recommend.features import PairBatch
from alliances.recommend.need import Need, matching_alliances
from alliances.recommend.network import Network
from alliances.recommend.ranker import Ranker
from alliances.recommend.roles import Evidence, complementary, evidence
from alliances.recommend.splits import eligible
from alliances.store.facts import AllianceFact, Facts, load_facts
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
        """Organisations not yet allied with `org_id`, best first, each with its reasons.

        Candidates come in tiers, then by score: complementary kinds first (learnt kind affinity), and
        with a need, providers of the capability before organisations that only bought it alongside
        (those are not candidates at all) and before same-kind peers that did it in a bilateral deal.
        """
        need = need or Need()
        u = self.net.index[org_id]
        src = np.array([u])
        scores = self.ranker.score(PairBatch(self.net, src))[0]
        keep = eligible(self.net, src)[0]
        tier = np.where(complementary(self.net, src)[0], 0, 1)
        found: Evidence | None = None
        if need.on_alliances:
            found = evidence(self.facts, need, self.facts.organisations[org_id].kind)
            role = self._per_candidate(found.role)
            peer = self._per_candidate(found.peer)
            keep &= (role > 0) | (peer > 0)
            # More alliances meeting the need weigh like more evidence in the ranker's log scale.
            scores = scores + np.log1p(role)
            tier = np.where(role > 0, tier, 2)
        if need.kind is not None:
            keep &= np.array([k == need.kind for k in self.net.kind_names])[self.net.kinds]
        out = []
        for v in _top(scores, keep, top, tier):
            org = int(self.net.ids[v])
            why = reasons(self.net, u, v)
            if found is not None:
                why = need_reasons(self.net, u, v, found, org, need.label()) + why
            out.append(self._item(v, float(scores[v]), why))
        return out

    def _per_candidate(self, found: dict[int, list[AllianceFact]]) -> np.ndarray:
        counts = np.zeros(self.net.size)
        for org_id, alliances in found.items():
            counts[self.net.index[org_id]] = len(alliances)
        return counts

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
            why: list[str] = [need_activity(len(found), need.label(), latest), activity(self.net, v)]
            out.append(self._item(v, float(scores[v]), why, raw=True))
        return out

    def _item(self, v: int, score: float, why: list[str], raw: bool = False) -> Recommendation:
        org = self.facts.organisations[int(self.net.ids[v])]
        shown = score if raw else 1.0 / (1.0 + math.exp(-score))
        return Recommendation(org.name, org.id, org.kind, round(shown, 3), why)


def _top(scores: np.ndarray, keep: np.ndarray, top: int, tier: np.ndarray | None = None) -> list[int]:
    """Best `top` kept indices: lower tier first, then higher score, then index (stable)."""
    idx = np.flatnonzero(keep)
    tiers = np.zeros(len(idx)) if tier is None else tier[idx]
    order = idx[np.lexsort((idx, -scores[idx], tiers))]
    return [int(i) for i in order[: max(top, 0)]]


def resolve_organisation(session: Session, org: str | int) -> int:
    """An organisation id from an id or a name; NotFound with the closest names otherwise."""
    resolver = Resolver(session)
    if isinstance(org, int) or (org.strip().isascii() and org.strip().isdigit()):  # not "²" (issue 13)
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
