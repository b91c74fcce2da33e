"""The alliances of a `Facts` as sparse incidence matrices, read once and shared by every snapshot.

`Network.build`, the ranker's training windows and the evaluation labels all slice these arrays by
year instead of looping over alliances again, which is what makes a 100,000-alliance network cheap
to snapshot several times. The last one built is cached (keyed by the `Facts` object and its sizes).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from alliances.recommend.areas import FAMILIES, area_family
from alliances.store.facts import Facts
from alliances.taxonomy import STAGES, TECHNOLOGIES, vocab


def profile_dims() -> tuple[str, ...]:
    """Labels of the capability-profile columns: technology:*, stage:*, area:*."""
    return (
        tuple(f"technology:{t}" for t in vocab(TECHNOLOGIES).keys)
        + tuple(f"stage:{s}" for s in vocab(STAGES).keys)
        + tuple(f"area:{a}" for a in FAMILIES)
    )


@dataclass(frozen=True)
class Incidence:
    """Per alliance: year (-1 when undated), terminated flag, raw party count; members and tags as 0/1."""

    ids: np.ndarray
    index: dict[int, int]
    group: np.ndarray
    year: np.ndarray
    terminated: np.ndarray
    parties: np.ndarray
    members: sp.csr_matrix
    tags: sp.csr_matrix

    def select(self, keep: np.ndarray) -> sp.csr_matrix:
        """Members of the kept alliances (rows of `members` where `keep` is true)."""
        return self.members[np.flatnonzero(keep)]


def _build(facts: Facts) -> Incidence:
    ids = np.array(sorted(facts.organisations), dtype=np.int64)
    index = {int(org_id): i for i, org_id in enumerate(ids)}
    dims = {d: i for i, d in enumerate(profile_dims())}
    m_rows: list[int] = []
    m_cols: list[int] = []
    t_rows: list[int] = []
    t_cols: list[int] = []
    for j, a in enumerate(facts.alliances):
        members = {index[p] for p in a.party_ids if p in index}
        m_rows += [j] * len(members)
        m_cols += members
        cols = {dims[f"technology:{t}"] for t in a.technologies if f"technology:{t}" in dims}
        cols |= {dims[f"stage:{s}"] for s in a.stages if f"stage:{s}" in dims}
        cols |= {dims[f"area:{area_family(x)}"] for x in a.areas}
        t_rows += [j] * len(cols)
        t_cols += cols
    m = len(facts.alliances)
    return Incidence(
        ids=ids,
        index=index,
        group=np.array([index[facts.top_parent(int(i))] for i in ids], dtype=np.int64),
        year=np.array([-1 if a.year is None else a.year for a in facts.alliances], dtype=np.int64),
        terminated=np.array([a.status == "terminated" for a in facts.alliances], dtype=float),
        parties=np.array([len(a.party_ids) for a in facts.alliances], dtype=np.int64),
        members=_binary(m_rows, m_cols, (m, len(ids))),
        tags=_binary(t_rows, t_cols, (m, len(dims))),
    )


def _binary(rows: list[int], cols: list[int], shape: tuple[int, int]) -> sp.csr_matrix:
    return sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=shape)


_cache: list[tuple[weakref.ref[Facts], int, int, Incidence]] = []


def incidence(facts: Facts) -> Incidence:
    """The incidence of `facts`, built once per (unchanged) `Facts` object."""
    sizes = (len(facts.organisations), len(facts.alliances))
    for ref, n, m, inc in _cache:
        if ref() is facts and (n, m) == sizes:
            return inc
    inc = _build(facts)
    _cache[:] = [(weakref.ref(facts), *sizes, inc)]
    return inc
