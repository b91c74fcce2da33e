"""First steps: clean and segment the text, detect its language, find alliance expressions."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from alliances.extract.dates import publication_date
from alliances.extract.document import Doc, Trigger
from alliances.extract.pipeline import Context, Step, register
from alliances.extract.resources import trigger_rules
from alliances.extract.text import clean, segment

_FR = frozenset(
    [
        "le",
        "la",
        "les",
        "des",
        "du",
        "et",
        "un",
        "une",
        "est",
        "dans",
        "pour",
        "avec",
        "sur",
        "qui",
        "que",
        "par",
        "au",
        "aux",
        "sont",
        "ont",
        "leur",
        "cette",
        "été",
    ]
)
_EN = frozenset(
    [
        "the",
        "and",
        "of",
        "to",
        "in",
        "is",
        "for",
        "with",
        "on",
        "that",
        "by",
        "as",
        "are",
        "was",
        "its",
        "has",
        "from",
        "this",
        "have",
        "will",
        "be",
        "an",
        "which",
    ]
)
_WORD = re.compile(r"[a-zàâçéèêëîïôûùüÿœ]+")


@register("segment")
def make_segment(_: Context) -> Step:
    def step(doc: Doc) -> Doc:
        doc.text = clean(doc.text)
        doc.sentences = segment(doc.text)
        if doc.date is None:
            doc.date = publication_date(doc.text)
        return doc

    return step


@cache
def _lingua() -> Any:
    from lingua import Language, LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_languages(Language.FRENCH, Language.ENGLISH).build()


def guess_language(text: str) -> str:
    """ "fr" or "en" from stop-word counts; lingua decides when they are too close to call."""
    words = _WORD.findall(text[:5000].lower())
    fr = sum(w in _FR for w in words)
    en = sum(w in _EN for w in words)
    if fr + en >= 8 and max(fr, en) >= 2 * min(fr, en):
        return "fr" if fr > en else "en"
    try:
        found = _lingua().detect_language_of(text[:2000])
    except ImportError:
        found = None
    if found is None:
        return "fr" if fr >= en else "en"
    return "fr" if found.name == "FRENCH" else "en"


@register("detect_language")
def make_detect_language(_: Context) -> Step:
    def step(doc: Doc) -> Doc:
        if not doc.language:
            doc.language = guess_language(doc.text)
        return doc

    return step


@register("find_triggers")
def make_find_triggers(_: Context) -> Step:
    rules = trigger_rules()

    def step(doc: Doc) -> Doc:
        found: list[Trigger] = []
        for i, sent in enumerate(doc.sentences):
            text = doc.text[sent.start : sent.end]
            hits = [
                Trigger(
                    sent.start + m.start(),
                    sent.start + m.end(),
                    type=r.type,
                    strength=r.strength,
                    pattern=r.layout,
                    sentence=i,
                )
                for r in rules
                for m in r.regex.finditer(text)
                # "l'Alliance pour les sciences…": a capitalised word inside a sentence is a name
                if sent.heading or m.start() == 0 or r.capitalised or not text[m.start()].isupper()
            ]
            # overlapping expressions: keep the strong, then the longer one
            hits.sort(key=lambda t: (t.strength != "strong", -(t.end - t.start), t.start))
            kept: list[Trigger] = []
            for t in hits:
                if all(t.end <= k.start or t.start >= k.end for k in kept):
                    kept.append(t)
            found.extend(sorted(kept, key=lambda t: t.start))
        doc.triggers = found
        return doc

    return step
