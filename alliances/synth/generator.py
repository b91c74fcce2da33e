"""A synthetic alliance network with the structure of the real one, generated year by year.

Why each mechanism: preferential attachment on a heavy-tailed fitness gives heavy-tailed degrees and
big-tech hubs; providers specialise in technologies and areas, and seekers pick providers of the
needed technology, mostly in their own area, or one their area peers already use (communities and
"organisations like you work with it"); start-ups enter every year and leave after a few (churn);
alliances per year follow the real growth curve. Pure numpy, seeded: same seed, same network.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from alliances.errors import InvalidInput
from alliances.synth import profile as P

ALPHA = 0.5
PEER_SHARE = 0.3
SEEKER_PAIR_SHARE = 0.08
SAME_AREA_BOOST = 4.0


@dataclass
class SynthOrg:
    kind: str
    country: str
    entry: int
    exit: int
    area: int
    techs: tuple[int, ...]


@dataclass
class SynthAlliance:
    parties: list[int]
    type: str
    year: int
    month: int
    status: str
    technologies: list[str]
    stages: list[str]
    areas: list[str]


@dataclass
class SynthNetwork:
    organisations: list[SynthOrg] = field(default_factory=list)
    alliances: list[SynthAlliance] = field(default_factory=list)


def _pick(rng: np.random.Generator, table: dict[str, float], size: int) -> np.ndarray:
    keys = list(table)
    p = np.array([table[k] for k in keys])
    return np.array(keys, dtype=object)[rng.choice(len(keys), size, p=p / p.sum())]


def _organisations(rng: np.random.Generator, n: int) -> tuple[list[SynthOrg], np.ndarray]:
    seeker = rng.random(n) < P.SEEKER_SHARE
    kinds = np.where(seeker, _pick(rng, P.SEEKER_KINDS, n), _pick(rng, P.PROVIDER_KINDS, n))
    years = np.array(list(P.YEARS))
    weights = np.array(list(P.YEARS.values()), dtype=float)
    entry = years[rng.choice(len(years), n, p=weights / weights.sum())] - rng.integers(0, 4, n)
    established = np.isin(kinds, ["pharma", "big_tech", "hospital", "academic", "public_body", "insurer"])
    entry = np.where(established & (rng.random(n) < 0.7), years[0], np.maximum(entry, years[0]))
    life = np.where(kinds == "startup", rng.geometric(1 / 6, n), 100)
    fitness = rng.pareto(2.0, n) + 1.0
    fitness *= np.select([kinds == "big_tech", kinds == "pharma"], [8.0, 2.0], 1.0)
    n_tech = len(P.TECHNOLOGIES)
    tech_p = np.array(list(P.TECHNOLOGIES.values()))
    area_p = np.array(list(P.AREAS.values()))
    orgs = []
    for i in range(n):
        count = 0 if seeker[i] else int(rng.integers(1, 4 if kinds[i] != "big_tech" else 6))
        techs = tuple(sorted(rng.choice(n_tech, count, replace=False, p=tech_p / tech_p.sum()).tolist()))
        orgs.append(SynthOrg(str(kinds[i]), str(_pick(rng, P.COUNTRIES, 1)[0]), int(entry[i]),
                             int(entry[i] + life[i]), int(rng.choice(len(area_p), p=area_p / area_p.sum())),
                             techs))
    return orgs, fitness


def generate(organisations: int, alliances: int, seed: int = 0) -> SynthNetwork:
    """`organisations` organisations and `alliances` alliances, reproducible from `seed`."""
    if organisations < 10 or alliances < 1:
        raise InvalidInput("synth needs at least 10 organisations and 1 alliance")
    rng = np.random.default_rng(seed)
    orgs, fitness = _organisations(rng, organisations)
    kinds = np.array([o.kind for o in orgs])
    seeker = np.isin(kinds, list(P.SEEKER_KINDS))
    entry = np.array([o.entry for o in orgs])
    exits = np.array([o.exit for o in orgs])
    area = np.array([o.area for o in orgs])
    tech_names = list(P.TECHNOLOGIES)
    area_names = list(P.AREAS)
    has_tech = np.zeros((organisations, len(tech_names)), dtype=bool)
    for i, o in enumerate(orgs):
        has_tech[i, list(o.techs)] = True
    degree = np.zeros(organisations)
    per_year = _per_year(alliances, rng)
    area_providers: list[list[int]] = [[] for _ in area_names]
    out = SynthNetwork(orgs)
    for year, m in per_year.items():
        active = (entry <= year) & (exits >= year)
        weight = fitness * (1.0 + degree) ** ALPHA * active
        seekers = _sample(rng, weight * seeker, m)
        techs = rng.choice(len(tech_names), m, p=_norm(list(P.TECHNOLOGIES.values())))
        providers = np.full(m, -1)
        for t in range(len(tech_names)):
            for a in range(len(area_names)):
                sel = np.flatnonzero((techs == t) & (area[seekers] == a))
                if len(sel):
                    w = weight * ~seeker * has_tech[:, t] * np.where(area == a, SAME_AREA_BOOST, 1.0)
                    providers[sel] = _sample(rng, w if w.sum() > 0 else weight * ~seeker, len(sel))
        for j in range(m):
            peers = area_providers[area[seekers[j]]]
            if peers and rng.random() < PEER_SHARE:
                candidate = peers[int(rng.integers(len(peers)))]
                if active[candidate]:
                    providers[j] = candidate
            if rng.random() < SEEKER_PAIR_SHARE:
                providers[j] = _sample(rng, weight * seeker * (area == area[seekers[j]]) + 1e-12, 1)[0]
        extra_sizes = _pick(rng, {str(k): v for k, v in P.PARTIES.items()}, m).astype(int) - 2
        extras = _sample(rng, weight, int(extra_sizes.sum()))
        fallback = _sample(rng, weight, m)
        attrs = _attributes(rng, m, year, tech_names, techs, area_names, area[seekers])
        pos = 0
        for j in range(m):
            parties = list(dict.fromkeys([int(seekers[j]), int(providers[j]),
                                          *extras[pos:pos + extra_sizes[j]].tolist()]))
            pos += extra_sizes[j]
            if len(parties) < 2:
                parties.append(int(fallback[j]) if fallback[j] != parties[0] else (parties[0] + 1) % organisations)
            alliance = attrs[j]
            alliance.parties = parties
            if min(exits[parties]) < 2026 and rng.random() < 0.4:
                alliance.status = "terminated"  # start-up churn ends deals
            out.alliances.append(alliance)
            degree[parties] += 1
            area_providers[area[seekers[j]]].append(int(providers[j]))
    return out


def _attributes(rng: np.random.Generator, m: int, year: int, tech_names: list[str], techs: np.ndarray,
                area_names: list[str], areas: np.ndarray) -> list[SynthAlliance]:
    """Type, date, status, technologies, stages and area of a year's alliances, drawn all at once."""
    types = _pick(rng, P.TYPES, m)
    status = _pick(rng, P.STATUS, m)
    second_tech = np.where(rng.random(m) < 0.35, rng.integers(0, len(tech_names), m), -1)
    stage1, stage2 = _pick(rng, P.STAGES, m), _pick(rng, P.STAGES, m)
    two_stages = rng.random(m) < 0.4
    months = rng.integers(1, 13, m)
    out = []
    for j in range(m):
        tech = {tech_names[techs[j]]} | ({tech_names[second_tech[j]]} if second_tech[j] >= 0 else set())
        stages = list(dict.fromkeys([stage1[j], stage2[j]] if two_stages[j] else [stage1[j]]))
        out.append(SynthAlliance([], str(types[j]), year, int(months[j]), str(status[j]), sorted(tech),
                                 [str(x) for x in stages], [area_names[areas[j]]]))
    return out


def _per_year(total: int, rng: np.random.Generator) -> dict[int, int]:
    years = list(P.YEARS)
    counts = rng.multinomial(total, _norm(list(P.YEARS.values())))
    return {y: int(c) for y, c in zip(years, counts, strict=True) if c}


def _norm(values: list[float] | np.ndarray) -> np.ndarray:
    arr = np.asarray(values, dtype=float)
    return arr / arr.sum()


def _sample(rng: np.random.Generator, weight: np.ndarray, size: int) -> np.ndarray:
    """Draw `size` indices with probability proportional to `weight` (with replacement)."""
    cum = np.cumsum(weight)
    return np.searchsorted(cum, rng.random(size) * cum[-1], side="right").clip(0, len(weight) - 1)
