"""Known organisations (names and aliases) found in text by a longest-match token lookup.

The knowledge base is the first source of organisation names (NOTES.md: statistical NER mistypes
Servier, Owkin, Roche...). A dictionary of token tuples is faster than a PhraseMatcher for a few
thousand names and needs no spaCy tokenizer, so English and French share it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import cast

import yaml

from alliances.extract.document import Mention
from alliances.schemas import OrganisationEntry
from alliances.store.names import legal_suffixes

_TOKEN = re.compile(r"\w+|&")


def fold(text: str) -> str:
    """Lower case without accents: the form tokens are compared in."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))


def tokens(text: str) -> list[tuple[str, int, int]]:
    """Word tokens of `text` with offsets, folded."""
    return [(fold(m.group()), m.start(), m.end()) for m in _TOKEN.finditer(text)]


@dataclass(frozen=True)
class Entry:
    name: str
    kind: str | None = None
    parent: str | None = None


class Gazetteer:
    """Names and aliases → canonical organisation; `find` returns the longest matches in a text."""

    def __init__(self, organisations: Iterable[OrganisationEntry] = ()) -> None:
        self.index: dict[tuple[str, ...], tuple[Entry, str]] = {}
        self.entries: dict[str, Entry] = {}
        self.max_len = 1
        for org in organisations:
            self.add(org)

    def add(self, org: OrganisationEntry) -> None:
        name = str(org["name"])
        entry = Entry(name, org.get("kind"), org.get("parent"))
        self.entries[fold(name)] = entry
        suffixes = legal_suffixes()
        for form in [name, *[str(a) for a in org.get("aliases") or []]]:
            toks = tuple(t for t, _, _ in tokens(form))
            if not toks:
                continue
            keys = {toks}
            short = list(toks)
            while len(short) > 1 and short[-1] in suffixes:
                short.pop()
                keys.add(tuple(short))
            for key in keys:
                if key not in self.index or len(form) > len(self.index[key][1]):
                    self.index.setdefault(key, (entry, form))
                self.max_len = max(self.max_len, len(key))

    def parent_of(self, canonical: str) -> str | None:
        entry = self.entries.get(fold(canonical))
        return entry.parent if entry else None

    def find(self, text: str, offset: int = 0) -> list[Mention]:
        """Longest known names in `text`; capitalisation must agree (the word "roche" is not Roche)."""
        toks = tokens(text)
        out: list[Mention] = []
        i = 0
        while i < len(toks):
            for n in range(min(self.max_len, len(toks) - i), 0, -1):
                key = tuple(t for t, _, _ in toks[i : i + n])
                hit = self.index.get(key)
                if hit is None:
                    continue
                start, end = toks[i][1], toks[i + n - 1][2]
                if text.count("(", start, end) > text.count(")", start, end) and text[end : end + 1] == ")":
                    end += 1
                j = i + n  # "Intel Corporation", "Sanofi SA": the legal form belongs to the name
                while (
                    j < len(toks)
                    and toks[j][0] in legal_suffixes()
                    and text[toks[j][1]].isupper()
                    and (toks[j][1] - end <= 2 and text[end : toks[j][1]].strip(" ,") == "")
                ):
                    end = toks[j][2] + (1 if text[toks[j][2] : toks[j][2] + 1] == "." else 0)
                    j += 1
                n = j - i
                surface = text[start:end]
                if not _case_agrees(surface, hit[1]):
                    continue
                entry = hit[0]
                out.append(
                    Mention(
                        offset + start,
                        offset + end,
                        text=surface,
                        canonical=entry.name,
                        kind=entry.kind,
                        parent=entry.parent,
                        source="gazetteer",
                    )
                )
                i += n - 1
                break
            i += 1
        return out


def _case_agrees(surface: str, form: str) -> bool:
    """A lower-case text word never matches a capitalised name; acronyms must stay upper case."""
    if form.isupper() and len(form) <= 6:
        return surface.isupper()
    first = surface[:1]
    return not first.islower() or form[:1].islower()


@cache
def default_organisations() -> tuple[OrganisationEntry, ...]:
    """`alliances/data/organisations.yaml` when it is present, else nothing."""
    path = resources.files("alliances").joinpath("data", "organisations.yaml")
    if not path.is_file():
        return ()
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    if isinstance(raw, dict):
        raw = raw.get("organisations", [])
    return tuple(cast(OrganisationEntry, o) for o in raw if isinstance(o, dict) and o.get("name"))


def default_gazetteer(extra: Iterable[OrganisationEntry] = ()) -> Gazetteer:
    """The bundled organisations plus `extra` ones (e.g. the database's)."""
    gaz = Gazetteer(default_organisations())
    for org in extra:
        gaz.add(org)
    return gaz
