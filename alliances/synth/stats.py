"""The statistics the synthetic generator is calibrated on, computed the same way on any network.

Each says how concentrated partner choice is: national ecosystems (same-country pairs against what
independent countries would give), organisations sticking to their therapeutic areas, technologies and
stages (share of an organisation's alliances in its commonest one; chance that two of its alliances
share one), hubs (share of party slots held by the top 5 % of organisations), and multi-tag deals.
`bench/calibrate_synth.py` prints them for the bundled real network and for generator settings.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable

import numpy as np

from alliances.recommend.areas import area_family
from alliances.store.facts import AllianceFact, Facts, OrgFact
from alliances.synth.generator import SynthNetwork

# Alliances per organisation compared pairwise (the first ones): hubs would cost n² otherwise.
PAIR_CAP = 30
MIN_ALLIANCES = 3

STATISTICS = (
    "same_country",
    "country_lift",
    "area_top_share",
    "area_pair_share",
    "tech_top_share",
    "tech_pair_share",
    "stage_top_share",
    "stage_pair_share",
    "top5_slot_share",
    "multi_tech_share",
    "multi_stage_share",
)


def facts_of(network: SynthNetwork) -> Facts:
    """A generated network as in-memory facts (ids from 1), without a database round trip."""
    orgs = {
        i + 1: OrgFact(i + 1, f"syn-{i + 1:06d}", o.kind, o.country, None)
        for i, o in enumerate(network.organisations)
    }
    alliances = [
        AllianceFact(
            j + 1,
            a.type,
            a.status,
            f"{a.year}-{a.month:02d}",
            a.year,
            tuple(p + 1 for p in a.parties),
            tuple(a.technologies),
            tuple(a.stages),
            tuple(a.areas),
            "synthetic",
        )
        for j, a in enumerate(network.alliances)
    ]
    return Facts(orgs, alliances)


def network_stats(facts: Facts) -> dict[str, float]:
    """Every statistic of `STATISTICS` for one network."""
    same, lift = _countries(facts)
    out = {"same_country": same, "country_lift": lift}
    for name, tags in (
        ("area", lambda a: {area_family(x) for x in a.areas}),
        ("tech", lambda a: set(a.technologies)),
        ("stage", lambda a: set(a.stages)),
    ):
        top, pair = _concentration(facts.alliances, tags)
        out[f"{name}_top_share"], out[f"{name}_pair_share"] = top, pair
    slots = np.array(sorted(Counter(p for a in facts.alliances for p in a.party_ids).values(), reverse=True))
    head = max(1, int(0.05 * len(slots)))
    out["top5_slot_share"] = float(slots[:head].sum() / max(slots.sum(), 1))
    out["multi_tech_share"] = _share(len(a.technologies) >= 2 for a in facts.alliances)
    out["multi_stage_share"] = _share(len(a.stages) >= 2 for a in facts.alliances)
    return {k: round(float(out[k]), 3) for k in STATISTICS}


def distance(stats: dict[str, float], target: dict[str, float]) -> float:
    """Root mean square of relative differences: how far a generated network is from the real one."""
    errors = [(stats[k] - target[k]) / max(abs(target[k]), 1e-9) for k in STATISTICS]
    return float(np.sqrt(np.mean(np.square(errors))))


def _countries(facts: Facts) -> tuple[float, float]:
    pairs = []
    for a in facts.alliances:
        if len(a.party_ids) == 2:
            first, second = (facts.organisations[p].country for p in a.party_ids)
            if first and second:
                pairs.append((first, second))
    if not pairs:
        return 0.0, 0.0
    same = _share(x == y for x, y in pairs)
    counts = Counter(c for pair in pairs for c in pair)
    expected = sum((v / (2 * len(pairs))) ** 2 for v in counts.values())
    return same, same / expected


def _concentration(
    alliances: list[AllianceFact], tags: Callable[[AllianceFact], set[str]]
) -> tuple[float, float]:
    """Mean top share and mean pairwise overlap over organisations with ≥ MIN_ALLIANCES tagged alliances."""
    by_org: dict[int, list[set[str]]] = defaultdict(list)
    for a in alliances:
        values = tags(a)
        if values:
            for p in a.party_ids:
                by_org[p].append(values)
    tops, pairs = [], []
    for sets in by_org.values():
        if len(sets) < MIN_ALLIANCES:
            continue
        counts = Counter(v for s in sets for v in s)
        tops.append(counts.most_common(1)[0][1] / len(sets))
        head = sets[:PAIR_CAP]
        overlaps = [bool(x & y) for i, x in enumerate(head) for y in head[i + 1 :]]
        pairs.append(sum(overlaps) / len(overlaps))
    return (float(np.mean(tops)), float(np.mean(pairs))) if tops else (0.0, 0.0)


def _share(flags: Iterable[bool]) -> float:
    values = list(flags)
    return sum(values) / len(values) if values else 0.0
