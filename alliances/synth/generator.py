"""A synthetic alliance network with the structure of the real one, generated year by year.

Every organisation has a capability profile: a home therapeutic area, the stages it works in, and
either technologies it masters (technology side) or technologies it needs (health side). An alliance
starts with a health-side seeker (picked by visibility: fitness × degree^ALPHA) looking for one of its
needed technologies; the partner is a repeat partner (REPEAT), a partner its area peers already use
(PEER_SHARE), another health-side organisation (SEEKER_PAIR_SHARE), anyone visible (NOISE), or, most
often, the best fit within a shortlist of SHORTLIST organisations met by visibility and kind pairing:
chosen with probability ∝ exp(fit), fit = TECH_FIT·masters the technology + STAGE_FIT·same stage +
AREA_FIT·same area + COUNTRY_FIT·same country. Popularity decides who is met, capabilities who is
chosen. Start-ups enter every year and leave after a few (churn); alliances per year follow the real
growth curve. Pure numpy, seeded: same seed, same network. See docs/synthetic.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from alliances.errors import InvalidInput
from alliances.synth import profile as P

ALPHA = 0.2
FITNESS_TAIL = 2.5
BIG_TECH_FITNESS = 4.0
PHARMA_FITNESS = 2.0
SHORTLIST = 60
TECH_FIT = 3.0
STAGE_FIT = 1.5
AREA_FIT = 3.0
COUNTRY_FIT = 1.2
REPEAT = 0.12
PEER_SHARE = 0.1
SEEKER_PAIR_SHARE = 0.08
NOISE = 0.1
FOCUS = 0.95  # share of a seeker's alliances about one of its own needed technologies
HOME_AREA = 0.9  # share of a seeker's alliances in its home therapeutic area
SECOND_TECH = 0.6  # share of alliances with a second technology (real data: 59 %)
SECOND_STAGE = 0.38  # share of alliances with a second stage (real data: 38 %)
ESTABLISHED = ("pharma", "big_tech", "hospital", "academic", "public_body", "insurer")


@dataclass
class SynthOrg:
    kind: str
    country: str
    entry: int
    exit: int
    area: int
    techs: tuple[int, ...]
    stages: tuple[int, ...] = ()
    needs: tuple[int, ...] = ()


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
    entry = years[rng.choice(len(years), n, p=_norm(list(P.YEARS.values())))] - rng.integers(0, 4, n)
    established = np.isin(kinds, ESTABLISHED)
    entry = np.where(established & (rng.random(n) < 0.7), years[0], np.maximum(entry, years[0]))
    life = np.where(kinds == "startup", rng.geometric(1 / 6, n), 100)
    fitness = rng.pareto(FITNESS_TAIL, n) + 1.0
    fitness *= np.select([kinds == "big_tech", kinds == "pharma"], [BIG_TECH_FITNESS, PHARMA_FITNESS], 1.0)
    tech_p, area_p = _norm(list(P.TECHNOLOGIES.values())), _norm(list(P.AREAS.values()))
    stage_names = list(P.STAGES)
    countries = _pick(rng, P.COUNTRIES, n)
    areas = rng.choice(len(area_p), n, p=area_p)
    orgs = []
    for i in range(n):
        kind = str(kinds[i])
        count = int(rng.integers(1, 3)) if seeker[i] else int(rng.integers(1, 4 if kind != "big_tech" else 7))
        chosen = tuple(sorted(rng.choice(len(tech_p), count, replace=False, p=tech_p).tolist()))
        table = P.KIND_STAGES.get(kind, P.STAGES)
        stages = tuple(
            sorted({stage_names.index(str(s)) for s in _pick(rng, table, int(rng.integers(1, 3)))})
        )
        orgs.append(
            SynthOrg(
                kind,
                str(countries[i]),
                int(entry[i]),
                int(entry[i] + life[i]),
                int(areas[i]),
                () if seeker[i] else chosen,
                stages,
                chosen if seeker[i] else (),
            )
        )
    return orgs, fitness


@dataclass
class _State:
    """Per-organisation arrays the yearly draws read, and the partner history they update."""

    kinds: np.ndarray
    seeker: np.ndarray
    fitness: np.ndarray
    entry: np.ndarray
    exits: np.ndarray
    area: np.ndarray
    country: np.ndarray
    masters: np.ndarray
    serves: np.ndarray
    degree: np.ndarray
    partners: list[list[int]]
    area_partners: list[list[int]]

    @classmethod
    def of(cls, orgs: list[SynthOrg], fitness: np.ndarray) -> _State:
        n = len(orgs)
        kinds = np.array([o.kind for o in orgs])
        masters = np.zeros((n, len(P.TECHNOLOGIES)), dtype=bool)
        serves = np.zeros((n, len(P.STAGES)), dtype=bool)
        for i, o in enumerate(orgs):
            masters[i, list(o.techs)] = True
            serves[i, list(o.stages)] = True
        return cls(
            kinds=kinds,
            seeker=np.isin(kinds, list(P.SEEKER_KINDS)),
            fitness=fitness,
            entry=np.array([o.entry for o in orgs]),
            exits=np.array([o.exit for o in orgs]),
            area=np.array([o.area for o in orgs]),
            country=np.array([o.country for o in orgs]),
            masters=masters,
            serves=serves,
            degree=np.zeros(n),
            partners=[[] for _ in orgs],
            area_partners=[[] for _ in P.AREAS],
        )


def generate(organisations: int, alliances: int, seed: int = 0) -> SynthNetwork:
    """`organisations` organisations and `alliances` alliances, reproducible from `seed`."""
    if organisations < 10 or alliances < 1:
        raise InvalidInput("synth needs at least 10 organisations and 1 alliance")
    rng = np.random.default_rng(seed)
    orgs, fitness = _organisations(rng, organisations)
    st = _State.of(orgs, fitness)
    out = SynthNetwork(orgs)
    for year, m in _per_year(alliances, rng).items():
        out.alliances += _year(rng, st, orgs, year, m)
    return out


def _year(
    rng: np.random.Generator, st: _State, orgs: list[SynthOrg], year: int, m: int
) -> list[SynthAlliance]:
    """The `m` alliances of one year, drawn against the network as it stood on 1 January."""
    active = (st.entry <= year) & (st.exits >= year)
    visible = st.fitness * (1.0 + st.degree) ** ALPHA * active
    seekers = _sample(rng, visible * st.seeker, m)
    techs, stages, areas = _needs(rng, orgs, seekers)
    providers = _shortlisted(rng, st, visible, seekers, techs, stages, areas)
    anyone = _sample(rng, visible, m)
    draws = rng.random((m, 4))
    for j, u in enumerate(seekers.tolist()):
        if st.partners[u] and draws[j, 0] < REPEAT:
            providers[j] = st.partners[u][int(rng.integers(len(st.partners[u])))]
        elif draws[j, 1] < PEER_SHARE and st.area_partners[st.area[u]]:
            peers = st.area_partners[st.area[u]]
            candidate = peers[int(rng.integers(len(peers)))]
            providers[j] = candidate if active[candidate] else providers[j]
        elif draws[j, 2] < SEEKER_PAIR_SHARE:
            providers[j] = _sample(rng, visible * st.seeker * (st.area == st.area[u]) + 1e-12, 1)[0]
        elif draws[j, 3] < NOISE:
            providers[j] = anyone[j]
    extra_sizes = _pick(rng, {str(k): v for k, v in P.PARTIES.items()}, m).astype(int) - 2
    extras = _consortium(rng, st, visible, extra_sizes, seekers, (techs, stages, areas))
    attrs = _attributes(rng, st, providers, year, (techs, stages, areas))
    pos = 0
    for j in range(m):
        parties = list(
            dict.fromkeys([int(seekers[j]), int(providers[j]), *extras[pos : pos + extra_sizes[j]].tolist()])
        )
        pos += extra_sizes[j]
        if len(parties) < 2:
            parties.append(int(anyone[j]) if anyone[j] != parties[0] else (parties[0] + 1) % len(orgs))
        alliance = attrs[j]
        alliance.parties = parties
        if min(st.exits[parties]) < 2026 and rng.random() < 0.4:
            alliance.status = "terminated"  # start-up churn ends deals
        st.degree[parties] += 1
        st.partners[parties[0]].append(parties[1])
        st.partners[parties[1]].append(parties[0])
        st.area_partners[st.area[parties[0]]].append(parties[1])
    return attrs


def _needs(
    rng: np.random.Generator, orgs: list[SynthOrg], seekers: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What each alliance is about: mostly one of the seeker's needs, in its stages and home area."""
    m = len(seekers)
    techs = rng.choice(len(P.TECHNOLOGIES), m, p=_norm(list(P.TECHNOLOGIES.values())))
    stages = rng.choice(len(P.STAGES), m, p=_norm(list(P.STAGES.values())))
    areas = rng.choice(len(P.AREAS), m, p=_norm(list(P.AREAS.values())))
    focus, home, own_stage = rng.random((3, m))
    for j, u in enumerate(seekers.tolist()):
        o = orgs[u]
        if o.needs and focus[j] < FOCUS:
            techs[j] = o.needs[int(rng.integers(len(o.needs)))]
        if o.stages and own_stage[j] < FOCUS:
            stages[j] = o.stages[int(rng.integers(len(o.stages)))]
        if home[j] < HOME_AREA:
            areas[j] = o.area
    return techs, stages, areas


def _shortlisted(
    rng: np.random.Generator,
    st: _State,
    visible: np.ndarray,
    seekers: np.ndarray,
    techs: np.ndarray,
    stages: np.ndarray,
    areas: np.ndarray,
) -> np.ndarray:
    """Per alliance, SHORTLIST technology-side organisations met by visibility × kind pairing."""
    short = np.zeros((len(seekers), SHORTLIST), dtype=np.int64)
    for kind in np.unique(st.kinds[seekers]):
        rows = np.flatnonzero(st.kinds[seekers] == kind)
        pairing = {**P.PAIRING_DEFAULT, **P.PAIRING.get(str(kind), {})}
        weight = visible * (~st.seeker) * _lookup(st.kinds, pairing)
        drawn = _sample(rng, weight if weight.sum() > 0 else visible, len(rows) * SHORTLIST)
        short[rows] = drawn.reshape(-1, SHORTLIST)
    return _best_fit(rng, st, short, st.country[seekers], techs, stages, areas)


def _best_fit(
    rng: np.random.Generator,
    st: _State,
    short: np.ndarray,
    country: np.ndarray,
    techs: np.ndarray,
    stages: np.ndarray,
    areas: np.ndarray,
) -> np.ndarray:
    """One organisation per shortlist row, with probability ∝ exp(fit) (Gumbel-max)."""
    fit = (
        TECH_FIT * st.masters[short, techs[:, None]]
        + STAGE_FIT * st.serves[short, stages[:, None]]
        + AREA_FIT * (st.area[short] == areas[:, None])
        + COUNTRY_FIT * (st.country[short] == country[:, None])
    )
    gumbel = -np.log(-np.log(rng.random(fit.shape)))
    return short[np.arange(len(short)), np.argmax(fit + gumbel, axis=1)]


def _consortium(
    rng: np.random.Generator,
    st: _State,
    visible: np.ndarray,
    sizes: np.ndarray,
    seekers: np.ndarray,
    needs: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> np.ndarray:
    """Extra parties of consortia, any kind, each the best fit of its own shortlist on the same need."""
    owner = np.repeat(np.arange(len(sizes)), sizes)
    short = _sample(rng, visible, len(owner) * SHORTLIST).reshape(-1, SHORTLIST)
    techs, stages, areas = (x[owner] for x in needs)
    return _best_fit(rng, st, short, st.country[seekers][owner], techs, stages, areas)


def _lookup(values: np.ndarray, table: dict[str, float]) -> np.ndarray:
    out = np.zeros(len(values))
    for k, v in table.items():
        out[values == k] = v
    return out


def _attributes(
    rng: np.random.Generator,
    st: _State,
    providers: np.ndarray,
    year: int,
    need: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> list[SynthAlliance]:
    """Type, date, status and tags of a year's alliances: the need, plus what the partner also brings.

    A second technology (SECOND_TECH) or stage (SECOND_STAGE) comes from the partner's own masteries or
    stages when it has another one, as in the real data where "AI + big data" deals come from partners
    that do both; otherwise it is drawn in the overall proportions.
    """
    techs, stages, areas = need
    m = len(providers)
    tech_names, stage_names, area_names = list(P.TECHNOLOGIES), list(P.STAGES), list(P.AREAS)
    types = _pick(rng, P.TYPES, m)
    status = _pick(rng, P.STATUS, m)
    months = rng.integers(1, 13, m)
    extra_tech, extra_stage = rng.random((2, m))
    any_tech = rng.choice(len(tech_names), m, p=_norm(list(P.TECHNOLOGIES.values())))
    any_stage = rng.choice(len(stage_names), m, p=_norm(list(P.STAGES.values())))
    out = []
    for j in range(m):
        tech = [int(techs[j])]
        if extra_tech[j] < SECOND_TECH:
            tech.append(_another(rng, st.masters[providers[j]], tech[0], int(any_tech[j])))
        stage = [int(stages[j])]
        if extra_stage[j] < SECOND_STAGE:
            stage.append(_another(rng, st.serves[providers[j]], stage[0], int(any_stage[j])))
        out.append(
            SynthAlliance(
                [],
                str(types[j]),
                year,
                int(months[j]),
                str(status[j]),
                sorted({tech_names[t] for t in tech}),
                list(dict.fromkeys(stage_names[t] for t in stage)),
                [area_names[areas[j]]],
            )
        )
    return out


def _another(rng: np.random.Generator, has: np.ndarray, first: int, fallback: int) -> int:
    """Another index set in `has` than `first`, or `fallback` when there is none."""
    others = np.flatnonzero(has)
    others = others[others != first]
    return int(others[rng.integers(len(others))]) if len(others) else fallback


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
