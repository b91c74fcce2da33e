"""A frozen, array-shaped snapshot of the network as it stood before a cut-off year.

Everything a method may know lives here, computed only from alliances announced before the cut-off:
adjacency, capability profiles (technologies, stages, therapeutic-area families), activity and
terminations. Building it from `Facts` with `cutoff=Y` is what makes a temporal evaluation leak-free.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from alliances.recommend.incidence import incidence, profile_dims
from alliances.store.facts import Facts
from alliances.taxonomy import ORG_KINDS, STAGES, TECHNOLOGIES, vocab

RECENT_YEARS = 3
# Consortia of more than this many parties are not bilateral choices: a 12-party consortium would say
# that every pharma company works with every other one. They count as partners (eligibility, shared
# partners) but not as "peers that already work with it".
MAX_PARTIES = 5
# Pseudo-count of pairs at lift 1 added to every kind pair: a kind pair seen once among rare kinds
# (cro × insurer) must not look like a strong affinity.
LIFT_PRIOR = 2.0
__all__ = ["MAX_PARTIES", "Network", "area_start", "profile_dims", "rownorm", "tech_count"]


def tech_count() -> int:
    return len(vocab(TECHNOLOGIES).keys)


def stage_end() -> int:
    """End of the stage columns of a profile (technologies come first, then stages)."""
    return len(vocab(TECHNOLOGIES).keys) + len(vocab(STAGES).keys)


def area_start() -> int:
    """First area column of a profile (after technologies and stages)."""
    return stage_end()


def rownorm(m: np.ndarray) -> np.ndarray:
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
    close: sp.csr_matrix

    @property
    def size(self) -> int:
        return len(self.ids)

    @classmethod
    def build(cls, facts: Facts, cutoff: int | None = None) -> Network:
        inc = incidence(facts)
        orgs = [facts.organisations[int(i)] for i in inc.ids]
        kind_names = tuple(dict.fromkeys([*vocab(ORG_KINDS).keys, *sorted({o.kind for o in orgs})]))
        kind_pos = {k: i for i, k in enumerate(kind_names)}
        kinds = np.array([kind_pos[o.kind] for o in orgs], dtype=np.int64)
        codes = {c: i for i, c in enumerate(sorted({o.country for o in orgs if o.country}))}
        countries = np.array([codes.get(o.country or "", -1) for o in orgs], dtype=np.int64)
        dated = inc.year >= 0
        reference = cutoff if cutoff is not None else (int(inc.year.max()) + 1 if dated.any() else 2000)
        keep = np.ones(len(inc.year), dtype=bool) if cutoff is None else dated & (inc.year < cutoff)
        n = len(inc.ids)
        members = inc.select(keep)
        years = inc.year[keep]
        counts = np.asarray((members.T @ inc.tags[np.flatnonzero(keep)]).todense())
        profile = rownorm(counts)
        adj = _adjacency(members)
        small = np.flatnonzero(keep)[inc.parties[keep] <= MAX_PARTIES]
        close = _adjacency(inc.members[small])
        degree = np.asarray(adj.sum(axis=1)).ravel()
        onehot = sp.csr_matrix((np.ones(n), (np.arange(n), kinds)), shape=(n, len(kind_names)))
        last = np.zeros(n)
        coo = members.tocoo()
        np.maximum.at(last, coo.col, np.maximum(years[coo.row], 0))
        return cls(
            cutoff=cutoff,
            reference_year=reference,
            ids=inc.ids,
            index=inc.index,
            names=[o.name for o in orgs],
            kind_names=kind_names,
            kinds=kinds,
            countries=countries,
            group=inc.group,
            adj=adj,
            degree=degree,
            alliances=np.asarray(members.sum(axis=0)).ravel(),
            recent=members.T @ ((years >= reference - RECENT_YEARS) & (years >= 0)).astype(float),
            terminated=members.T @ inc.terminated[keep],
            last_year=last,
            counts=counts,
            profile=profile,
            demand=_demand(adj, profile, kinds, degree),
            kind_partners=np.asarray((close @ onehot).todense()),
            kind_lift=_kind_lift(members, kinds, len(kind_names)),
            close=close,
        )


def _adjacency(members: sp.csr_matrix) -> sp.csr_matrix:
    """Distinct partners, unweighted: repeated deals between a pair count once."""
    adj = (members.T @ members).tocsr()
    adj.setdiag(0.0)
    adj.eliminate_zeros()
    adj.data[:] = 1.0
    return adj


def _demand(adj: sp.csr_matrix, profile: np.ndarray, kinds: np.ndarray, degree: np.ndarray) -> np.ndarray:
    """What an organisation's partners look like; organisations without partners borrow their kind's."""
    demand = rownorm(np.asarray(adj @ profile))
    known = degree > 0
    fallback = rownorm(demand[known].mean(axis=0, keepdims=True)) if known.any() else demand[:1] * 0
    for k in np.unique(kinds):
        same = (kinds == k) & known
        mean = rownorm(demand[same].mean(axis=0, keepdims=True)) if same.any() else fallback
        demand[(kinds == k) & ~known] = mean
    return demand


def _kind_lift(members: sp.csr_matrix, kinds: np.ndarray, k: int) -> np.ndarray:
    """How much more often kind a allies with kind b than chance would say, from bilateral choices.

    Each alliance of n parties spreads one unit per party over its n-1 co-parties (weight 1/(n-1)), so a
    bilateral deal counts fully and a 12-party consortium adds only 1/11 per pair: otherwise consortia of
    pharma companies teach that pharma picks pharma. The ratio is shrunk towards 1 by `LIFT_PRIOR`.
    """
    size = np.asarray(members.sum(axis=1)).ravel()
    weight = np.where(size > 1, 1.0 / np.maximum(size - 1, 1), 0.0)
    pairs = (members.T @ sp.diags(weight) @ members).tocsr()
    pairs.setdiag(0.0)
    coo = pairs.tocoo()
    table = np.zeros((k, k))
    np.add.at(table, (kinds[coo.row], kinds[coo.col]), coo.data)
    total = max(table.sum(), 1.0)
    expected = table.sum(axis=1, keepdims=True) * table.sum(axis=0, keepdims=True) / total
    return (table + LIFT_PRIOR) / (expected + LIFT_PRIOR)
