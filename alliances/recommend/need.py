"""A business need ("AI in research for oncology, start-ups, since 2023") and which alliances meet it."""

from __future__ import annotations

from dataclasses import dataclass

from alliances.errors import InvalidInput
from alliances.recommend.areas import area_matches
from alliances.store.facts import AllianceFact, Facts
from alliances.taxonomy import ORG_KINDS, STAGES, TECHNOLOGIES, vocab


@dataclass(frozen=True)
class Need:
    technology: str | None = None
    stage: str | None = None
    area: str | None = None
    kind: str | None = None
    since: int | None = None

    @classmethod
    def checked(
        cls,
        technology: str | None = None,
        stage: str | None = None,
        area: str | None = None,
        kind: str | None = None,
        since: int | None = None,
    ) -> Need:
        """Validate against the vocabularies so a typo fails in one line instead of matching nothing."""
        if technology is not None:
            technology = vocab(TECHNOLOGIES).check(technology.strip().lower(), "--technology")
        if stage is not None:
            stage = vocab(STAGES).check(stage.strip().lower(), "--stage")
        if kind is not None:
            kind = vocab(ORG_KINDS).check(kind.strip().lower().replace("-", "_"), "--kind")
        if area is not None and not area.strip():
            raise InvalidInput("--area: empty therapeutic area")
        if since is not None and not 1900 <= since <= 2100:
            raise InvalidInput(f"--since: {since} is not a plausible year")
        return cls(technology, stage, area.strip() if area else None, kind, since)

    @property
    def on_alliances(self) -> bool:
        """Does the need restrict which alliances count (not only the organisation's kind)?"""
        return any(v is not None for v in (self.technology, self.stage, self.area, self.since))

    def matches(self, alliance: AllianceFact) -> bool:
        if self.technology and self.technology not in alliance.technologies:
            return False
        if self.stage and self.stage not in alliance.stages:
            return False
        if self.area and not any(area_matches(self.area, a) for a in alliance.areas):
            return False
        return not (self.since and (alliance.year is None or alliance.year < self.since))

    def label(self) -> str:
        parts = [p for p in (self.technology, self.stage, self.area) if p]
        text = " × ".join(parts) if parts else "any field"
        return f"{text} since {self.since}" if self.since else text


def matching_alliances(facts: Facts, need: Need) -> dict[int, list[AllianceFact]]:
    """Per organisation of the needed kind, its alliances that meet the need (newest first)."""
    out: dict[int, list[AllianceFact]] = {}
    for alliance in facts.alliances:
        if not need.matches(alliance):
            continue
        for org_id in set(alliance.party_ids):
            org = facts.organisations.get(org_id)
            if org is not None and (need.kind is None or org.kind == need.kind):
                out.setdefault(org_id, []).append(alliance)
    for alliances in out.values():
        alliances.sort(key=lambda a: (a.date or "", a.id), reverse=True)
    return out
