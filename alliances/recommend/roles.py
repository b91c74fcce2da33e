"""Who brought what: the side an organisation played in an alliance, and evidence of a capability.

"AI in development" for a pharma company means an organisation that *delivered* AI in development to
someone like it, not one that bought it too: Pfizer's AI deals say Pfizer needs AI, not that it
provides it. The network is nearly bipartite (health side ↔ technology side), so the side is read from
kinds: in an alliance an organisation provides a technology when it is on the technology side, or when
it is the non-drug-maker party of a bilateral deal with a drug maker (a hospital bringing its data to a
pharma company). A technology company asking the same question gets the mirror: organisations that
were the client side of such alliances.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from alliances.recommend.need import Need
from alliances.recommend.network import Network
from alliances.store.facts import AllianceFact, Facts

Side = Literal["health", "technology"]

TECHNOLOGY_SIDE = frozenset({"startup", "tech", "big_tech", "medtech", "diagnostics", "cro", "academic"})
HEALTH_SIDE = frozenset({"pharma", "biotech", "hospital", "insurer", "public_body"})
DRUG_MAKERS = frozenset({"pharma", "biotech"})


def side(kind: str) -> Side | None:
    """The side of a kind; investors and "other" are on neither."""
    if kind in TECHNOLOGY_SIDE:
        return "technology"
    if kind in HEALTH_SIDE:
        return "health"
    return None


@dataclass
class Evidence:
    """Per organisation, alliances meeting the need in the role the source needs, and same-kind deals."""

    role: dict[int, list[AllianceFact]] = field(default_factory=dict)
    peer: dict[int, list[AllianceFact]] = field(default_factory=dict)
    counterparts: dict[int, set[int]] = field(default_factory=dict)
    wanted: Side | None = None


def _provides(kinds: list[str], i: int, wanted: Side | None) -> bool:
    """Did party i play the `wanted` side of this alliance (None: any side counts)?"""
    if wanted is None:
        return True
    if side(kinds[i]) == wanted:
        return True
    if len(kinds) != 2:
        return False
    other = kinds[1 - i]
    if wanted == "technology":  # the non-drug-maker party of a bilateral deal with a drug maker
        return other in DRUG_MAKERS and kinds[i] not in DRUG_MAKERS
    return side(other) == "technology" and side(kinds[i]) != "technology"


def evidence(facts: Facts, need: Need, source_kind: str) -> Evidence:
    """Alliances meeting the need where each organisation played the side complementary to the source.

    Roles only apply to a capability (technology or stage): an area or a period alone is not something
    one side brings to the other, so any party of a matching alliance counts then. Same-kind bilateral
    deals in the capability (pharma–pharma in AI) are kept apart in `peer`: they show
    that the source's own kind sometimes brings it, which ranks below genuine providers.
    """
    source_side = side(source_kind)
    wanted: Side | None = None
    if source_side is not None and (need.technology or need.stage):
        wanted = "technology" if source_side == "health" else "health"
    out = Evidence(wanted=wanted)
    for alliance in facts.alliances:
        if not need.matches(alliance):
            continue
        parties = [p for p in dict.fromkeys(alliance.party_ids) if p in facts.organisations]
        kinds = [facts.organisations[p].kind for p in parties]
        if need.kind is not None and need.kind not in kinds:
            continue
        for i, org_id in enumerate(parties):
            if need.kind is not None and kinds[i] != need.kind:
                continue
            others = set(parties) - {org_id}
            if _provides(kinds, i, wanted):
                out.role.setdefault(org_id, []).append(alliance)
                out.counterparts.setdefault(org_id, set()).update(others)
            elif len(parties) == 2 and kinds[0] == kinds[1] == source_kind:
                out.peer.setdefault(org_id, []).append(alliance)
    for found in (*out.role.values(), *out.peer.values()):
        found.sort(key=lambda a: (a.date or "", a.id), reverse=True)
    return out


def complementary(net: Network, sources: np.ndarray) -> np.ndarray:
    """(b, n) mask: the candidate's kind allies with the source's more often than chance (lift > 1).

    The lift is learnt from the network's own alliances, consortia down-weighted (`Network.kind_lift`):
    for a pharma company start-ups, big tech and tech companies; for a start-up pharma, hospitals and
    biotech. Same-kind candidates pass only where bilateral same-kind deals are frequent.
    """
    return net.kind_lift[net.kinds[np.asarray(sources)]][:, net.kinds] > 1.0
