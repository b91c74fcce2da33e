"""Therapeutic areas as a controlled, bilingual vocabulary (`alliances/data/areas.yaml`).

Free-text areas ("cancer", "breast cancer", "cardiology") map to one key ("oncology", "cardiovascular")
by synonym, else by a word they contain; terms that match nothing stay as free tags (lower case), never
dropped. Import, extraction acceptance and `add` store keys; pages show the label in the reader's
language; search indexes both labels.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from alliances.taxonomy import load_data_file

_NON_WORD = re.compile(r"[^\w]+")


def _fold(text: str) -> str:
    """Lower case, accents and punctuation gone, one space between words."""
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'").lower())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_NON_WORD.sub(" ", plain.replace("'s ", " ")).split())


@dataclass(frozen=True)
class Area:
    key: str
    en: str
    fr: str
    synonyms: frozenset[str]
    words: tuple[str, ...]

    def label(self, lang: str = "en") -> str:
        return self.fr if lang == "fr" else self.en


@cache
def areas() -> dict[str, Area]:
    raw = load_data_file("areas.yaml")
    return {
        key: Area(
            key,
            str(v["en"]),
            str(v["fr"]),
            frozenset(_fold(s) for s in [key, v["en"], v["fr"], *v.get("synonyms", [])]),
            tuple(_fold(w) for w in v.get("words", [])),
        )
        for key, v in raw.items()
    }


@cache
def canonical_area(term: str) -> str:
    """The vocabulary key of a free-text area, or the term itself (lower case) as a free tag."""
    folded = _fold(term)
    for area in areas().values():
        if folded in area.synonyms:
            return area.key
    padded = f" {folded} "
    for area in areas().values():
        if any(f" {word} " in padded for word in area.words):
            return area.key
    return " ".join(term.strip().lower().split())


def area_label(value: str, lang: str = "en") -> str:
    """A stored area in the reader's language (free tags as they are)."""
    area = areas().get(value)
    return area.label(lang) if area else value


def labels_of(value: str) -> list[str]:
    """Every label and synonym of a stored area, for search."""
    area = areas().get(value)
    return [area.en, area.fr, *sorted(area.synonyms)] if area else []
