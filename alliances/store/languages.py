"""The language of a source told from its title: scripts for Japanese, Korean and Chinese, then cue words.

The real records name no language; a title is enough to count sources by language on the About page.
"""

from __future__ import annotations

import re
from functools import cache

from alliances.taxonomy import load_data_file

_WORD = re.compile(r"[^\W\d_]+")


@cache
def _cues() -> tuple[list[tuple[str, re.Pattern[str]]], dict[str, frozenset[str]]]:
    data = load_data_file("source_languages.yaml")
    scripts = [(lang, re.compile("[" + "".join(ranges) + "]")) for lang, ranges in data["scripts"].items()]
    return scripts, {lang: frozenset(words) for lang, words in data["words"].items()}


def title_language(title: str | None) -> str | None:
    """An ISO 639-1 code, or None for no title."""
    if not title or not title.strip():
        return None
    scripts, words = _cues()
    for lang, pattern in scripts:
        if pattern.search(title):
            return lang
    tokens = [t.lower() for t in _WORD.findall(title)]
    hits = {lang: sum(t in cue for t in tokens) for lang, cue in words.items()}
    best = max(hits, key=lambda lang: hits[lang])
    return best if hits[best] >= 2 else "en"
