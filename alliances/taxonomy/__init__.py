"""Controlled vocabularies, loaded from `alliances/data/vocabulary.yaml` (data, not code)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from alliances.errors import InvalidInput

SINGULAR = {
    "alliance_types": "alliance type",
    "technologies": "technology",
    "stages": "stage",
    "statuses": "status",
    "organisation_kinds": "organisation kind",
    "party_roles": "party role",
    "event_kinds": "event kind",
    "amount_kinds": "amount kind",
    "visibilities": "visibility",
}

FACETS = (
    "alliance_types",
    "technologies",
    "stages",
    "statuses",
    "organisation_kinds",
    "party_roles",
    "event_kinds",
    "amount_kinds",
    "visibilities",
)


@dataclass(frozen=True)
class Term:
    key: str
    en: str
    fr: str

    def label(self, lang: str = "en") -> str:
        return self.fr if lang == "fr" else self.en


@dataclass(frozen=True)
class Vocabulary:
    name: str
    terms: tuple[Term, ...]

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(t.key for t in self.terms)

    def __contains__(self, key: object) -> bool:
        return key in self.keys

    def label(self, key: str, lang: str = "en") -> str:
        for term in self.terms:
            if term.key == key:
                return term.label(lang)
        return key

    def check(self, value: Any, where: str = "") -> str:
        """Return `value` if it is a known key, else raise a one-line InvalidInput."""
        if value not in self.keys:
            prefix = f"{where}: " if where else ""
            raise InvalidInput(
                f"{prefix}unknown {SINGULAR.get(self.name, self.name)} {value!r} "
                f"(expected one of: {', '.join(self.keys)})"
            )
        return str(value)


def load_data_file(name: str) -> Any:
    """Read a YAML file shipped in `alliances/data/`."""
    text = resources.files("alliances").joinpath("data", name).read_text(encoding="utf-8")
    return yaml.safe_load(text)


@cache
def vocabularies() -> dict[str, Vocabulary]:
    raw = load_data_file("vocabulary.yaml")
    return {
        facet: Vocabulary(facet, tuple(Term(k, v["en"], v["fr"]) for k, v in raw[facet].items()))
        for facet in FACETS
    }


def vocab(facet: str) -> Vocabulary:
    return vocabularies()[facet]


ALLIANCE_TYPES = "alliance_types"
TECHNOLOGIES = "technologies"
STAGES = "stages"
STATUSES = "statuses"
ORG_KINDS = "organisation_kinds"
