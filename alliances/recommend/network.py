"""A frozen, array-shaped snapshot of the network as it stood before a cut-off year.

Everything a method may know lives here, computed only from alliances announced before the cut-off:
adjacency, capability profiles (technologies, stages, therapeutic-area families), activity and
terminations. Building it from `Facts` with `cutoff=Y` is what makes a temporal evaluation leak-free.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from alliances.recommend.areas import FAMILIES, area_family
from alliances.store.facts import AllianceFact, Facts
from alliances.taxonomy import ORG_KINDS, STAGES, TECHNOLOGIES, vocab

RECENT_YEARS = 3


def dated_before(facts: Facts, cutoff: int | None) -> list[AllianceFact]:
    """Alliances known before `cutoff` (all of them when None; undated ones only then)."""
    if cutoff is None:
        return list(facts.alliances)
    return [a for a in facts.alliances if a.year is not None and a.year < cutoff]


def tech_count() -> int:
    return len(vocab(TECHNOLOGIES).keys)


def area_start() -> int:
    """First area column of a profile (after technologies and stages)."""
    return len(vocab(TECHNOLOGIES).keys) + len(vocab(STAGES).keys)


def profile_dims() -> tuple[str, ...]:
    """Labels of the capability-profile columns: technology:*, stage:*, area:*."""
    return (
        tuple(f"technology:{t}" for t in vocab(TECHNOLOGIES).keys)
        + tuple(f"stage:{s}" for s in vocab(STAGES).keys)
        + tuple(f"area:{a}" for a in FAMILIES)
    )


def _rownorm(m: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    return np.divide(m, norms, out=np.zeros_like(m), where=norms > 0)


@dataclass
class Network:
    """Arrays indexed 0..n-1 over every organisation; see module docstring."""

    cutoff: int | None
    reference_year: int
    ids: np.ndarray
    index: dict[int, int]
    names: list[str]
    kind_names: tuple[str, ...]
    kinds: np.ndarray
    countries: np.ndarray
    group: np.ndarray
    adj: sp.csr_matrix
    degree: np.ndarray
    alliances: np.ndarray
    recent: np.ndarray
    terminated: np.ndarray
    last_year: np.ndarray
    counts: np.ndarray
    profile: np.ndarray
    demand: np.ndarray
    kind_partners: np.ndarray
    kind_lift: np.ndarray

    @property
    def size(self) -> int:
        return len(self.ids)

    @classmethod
    def build(cls, facts: Facts, cutoff: int | None = None) -> Network:
        known = dated_before(facts, cutoff)
        ids = np.array(sorted(facts.organisations), dtype=np.int64)
        index = {int(org_id): i for i, org_id in enumerate(ids)}
        orgs = [facts.organisations[int(i)] for i in ids]
        kind_names = tuple(dict.fromkeys([*vocab(ORG_KINDS).keys, *sorted({o.kind for o in orgs})]))
        kind_pos = {k: i for i, k in enumerate(kind_names)}
        kinds = np.array([kind_pos[o.kind] for o in orgs], dtype=np.int64)
        codes = {c: i for i, c in enumerate(sorted({o.country for o in orgs if o.country}))}
        countries = np.array([codes.get(o.country or '', -1) for o in orgs], dtype=np.int64)
        group = np.array([index[facts.top_parent(int(i))] for i in ids], dtype=np.int64)
        years = [a.year for a in facts.alliances if a.year is not None]
        reference = cutoff if cutoff is not None else (max(years) + 1 if years else 2000)
        n = len(ids)
        stats = _activity(known, index, n, reference)
        adj = _adjacency(known, index, n)
        counts = _counts(known, index, n)
        profile = _rownorm(counts)
        degree = np.asarray(adj.sum(axis=1)).ravel()
        onehot = sp.csr_matrix((np.ones(n), (np.arange(n), kinds)), shape=(n, len(kind_names)))
        kind_partners = np.asarray((adj @ onehot).todense())
        return cls(
            cutoff=cutoff, reference_year=reference, ids=ids, index=index, names=[o.name for o in orgs],
            kind_names=kind_names, kinds=kinds, countries=countries, group=group, adj=adj, degree=degree,
            alliances=stats[0], recent=stats[1], terminated=stats[2], last_year=stats[3],
            counts=counts, profile=profile, demand=_demand(adj, profile, kinds, degree),
            kind_partners=kind_partners, kind_lift=_kind_lift(adj, kinds, len(kind_names)),
        )


def _pairs(alliances: Iterable[AllianceFact], index: dict[int, int]) -> tuple[list[int], list[int]]:
    rows: list[int] = []
    cols: list[int] = []
    for a in alliances:
        members = sorted({index[p] for p in a.party_ids if p in index})
        for i, u in enumerate(members):
            for v in members[i + 1:]:
                rows += (u, v)
                cols += (v, u)
    return rows, cols


def _adjacency(alliances: list[AllianceFact], index: dict[int, int], n: int) -> sp.csr_matrix:
    """Distinct partners, unweighted: repeated deals between a pair count once."""
    rows, cols = _pairs(alliances, index)
    adj = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    adj.data[:] = 1.0
    adj.eliminate_zeros()
    return adj


def _activity(alliances: list[AllianceFact], index: dict[int, int], n: int, reference: int) -> list[np.ndarray]:
    total, recent, terminated, last = (np.zeros(n) for _ in range(4))
    for a in alliances:
        for p in set(a.party_ids):
            i = index.get(p)
            if i is None:
                continue
            total[i] += 1
            if a.year is not None:
                recent[i] += a.year >= reference - RECENT_YEARS
                last[i] = max(last[i], a.year)
            terminated[i] += a.status == "terminated"
    return [total, recent, terminated, last]


def _counts(alliances: list[AllianceFact], index: dict[int, int], n: int) -> np.ndarray:
    """Per organisation, how many of its alliances carry each technology, stage and area family."""
    dims = {d: i for i, d in enumerate(profile_dims())}
    counts = np.zeros((n, len(dims)))
    for a in alliances:
        cols = [dims[f"technology:{t}"] for t in a.technologies if f"technology:{t}" in dims]
        cols += [dims[f"stage:{s}"] for s in a.stages if f"stage:{s}" in dims]
        cols += [dims[f"area:{f}"] for f in {area_family(x) for x in a.areas}]
        for p in set(a.party_ids):
            if p in index:
                counts[index[p], cols] += 1
    return counts


def _demand(adj: sp.csr_matrix, profile: np.ndarray, kinds: np.ndarray, degree: np.ndarray) -> np.ndarray:
    """What an organisation's partners look like; organisations without partners borrow their kind's."""
    demand = _rownorm(np.asarray(adj @ profile))
    known = degree > 0
    fallback = _rownorm(demand[known].mean(axis=0, keepdims=True)) if known.any() else demand[:1] * 0
    for k in np.unique(kinds):
        same = (kinds == k) & known
        mean = _rownorm(demand[same].mean(axis=0, keepdims=True)) if same.any() else fallback
        demand[(kinds == k) & ~known] = mean
    return demand


def _kind_lift(adj: sp.csr_matrix, kinds: np.ndarray, k: int) -> np.ndarray:
    """How much more often kind a allies with kind b than chance would say (smoothed ratio)."""
    coo = adj.tocoo()
    table = np.ones((k, k))
    np.add.at(table, (kinds[coo.row], kinds[coo.col]), 1.0)
    expected = table.sum(axis=1, keepdims=True) * table.sum(axis=0, keepdims=True) / table.sum()
    return table / expected
