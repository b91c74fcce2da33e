"""Entity resolution: one organisation per real entity, near matches proposed, never merged silently."""

from __future__ import annotations

from dataclasses import dataclass, field

from rapidfuzz import fuzz, process
from sqlalchemy import select
from sqlalchemy.orm import Session

from alliances.store.models import Alias, Organisation
from alliances.store.names import normalise

SUGGEST_THRESHOLD = 85.0


@dataclass(frozen=True)
class Match:
    organisation_id: int | None
    name: str
    score: float
    suggestions: list[tuple[int, str, float]] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return self.organisation_id is not None


class Resolver:
    """An index of every organisation name and alias, by normalised form."""

    def __init__(self, session: Session) -> None:
        by_norm, names = name_index(session)
        self.by_norm: dict[str, int] = dict(by_norm)  # copies: `add` extends them for this writer only
        self.names: dict[int, str] = dict(names)

    def add(self, org_id: int, name: str, aliases: list[str] | tuple[str, ...] = ()) -> None:
        self.names[org_id] = name
        for text in (name, *aliases):
            self.by_norm.setdefault(normalise(text), org_id)

    def exact(self, name: str) -> int | None:
        return self.by_norm.get(normalise(name))

    def resolve(self, name: str, limit: int = 5) -> Match:
        """Exact match on a normalised name or alias, else fuzzy suggestions only."""
        norm = normalise(name)
        org_id = self.by_norm.get(norm)
        if org_id is not None:
            return Match(org_id, self.names[org_id], 100.0)
        return Match(None, name, 0.0, self.suggest(norm, limit))

    def suggest(
        self, norm: str, limit: int = 5, threshold: float = SUGGEST_THRESHOLD
    ) -> list[tuple[int, str, float]]:
        """Closest organisations by plain edit ratio (token-set ratios rate "Nabla" = "Nabla Bio")."""
        if not norm:
            return []
        keys = list(self.by_norm)
        hits = process.extract(norm, keys, scorer=fuzz.ratio, limit=limit * 3, score_cutoff=threshold)
        out: dict[int, tuple[int, str, float]] = {}
        for key, score, _ in hits:
            org_id = self.by_norm[key]
            if org_id not in out:
                out[org_id] = (org_id, self.names[org_id], round(float(score), 1))
        return sorted(out.values(), key=lambda t: -t[2])[:limit]

    def closest_names(self, name: str, limit: int = 3) -> list[str]:
        """Names to offer in an error message, even below the suggestion threshold."""
        return [n for _, n, _ in self.suggest(normalise(name), limit, threshold=60.0)]


def name_index(session: Session) -> tuple[dict[str, int], dict[int, str]]:
    """The index a `Resolver` copies, kept per lean version and shared: read only (a profile looks its
    organisation up in it without copying 20,000 names)."""
    from alliances.store.version import kept_while_clean

    return kept_while_clean(session, ("resolver",), lambda: _index(session))


def _index(session: Session) -> tuple[dict[str, int], dict[int, str]]:
    """Every name and alias by normalised form, and every organisation's name."""
    by_norm: dict[str, int] = {}
    names: dict[int, str] = {}
    for org_id, name, norm in session.execute(select(Organisation.id, Organisation.name, Organisation.norm)):
        names[org_id] = name
        by_norm.setdefault(norm, org_id)
    for org_id, norm in session.execute(select(Alias.organisation_id, Alias.norm)):
        by_norm.setdefault(norm, org_id)
    return by_norm, names
