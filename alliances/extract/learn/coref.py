"""Description and pronoun mentions ("the company", "the Paris-based biotech", "it", "la société",
"celle-ci"), resolved to an earlier organisation mention, as extra parties for candidate pairs.

Resolution is deliberately simple (the learned pair model decides what a pair is worth): the nearest
earlier organisation of the same sentence, else the first organisation (the subject) of the previous
sentence, else the headline's. With no organisation anywhere before it, the subject is outside the text
(a passage about its own subject, as CORE's Wikipedia sentences are): the description stays as written.
Cue words are data: alliances/data/extract/descriptions.yaml.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from alliances.extract.document import Doc, Mention
from alliances.taxonomy import load_data_file

# a party CORE marks that has no name of its own ("the company", "It", "its", "The network")
DESCRIPTION = re.compile(r"^(?:the|its|their|it|they|this|that|our|his|her|which|who)\b", re.I)


def is_description(name: str) -> bool:
    """A marked party with no name of its own: "the company", "It" (not "The Scream Factory")."""
    return bool(DESCRIPTION.match(name)) and not re.search(r"\s[A-Z0-9]", name)


@dataclass(frozen=True)
class Descriptions:
    patterns: dict[str, re.Pattern[str]]
    per_sentence: int


def _alternatives(words: Sequence[str]) -> str:
    return "|".join(re.escape(w).replace("'", "['’]") for w in sorted(words, key=len, reverse=True))


@cache
def descriptions() -> Descriptions:
    raw: dict[str, Any] = load_data_file("extract/descriptions.yaml")
    patterns = {}
    for lang, conf in raw.items():
        if not isinstance(conf, dict):
            continue
        article = _alternatives(conf["articles"])
        mods = int(conf.get("modifiers", 0))
        modifier = rf"(?:[\w.’'-]+\s+){{0,{mods}}}?" if mods else ""
        # heads are lower case in the text ("the company", not "The Walt Disney Company")
        noun = rf"(?i:{article})\s*{modifier}(?:{_alternatives(conf['heads'])})"
        pronoun = rf"(?i:{_alternatives(conf['pronouns'])})"
        own = conf.get("own_subject") or []
        subject = rf"|(?P<own>(?i:{_alternatives(own)}))" if own else ""
        patterns[lang] = re.compile(rf"(?<![\w-])(?:{noun}|{pronoun}{subject})(?![\w-])")
    return Descriptions(patterns, int(raw.get("per_sentence", 2)))


def _in_sentence(doc: Doc, i: int, ok: Callable[[Mention], bool]) -> list[Mention]:
    s = doc.sentences[i]
    return [m for m in doc.mentions_in(s.start, s.end) if ok(m)]


# "Founded in 1912 by Abel Adams, | the company was …", "Founded by Brendan Burch, some of | the studio's"
_FRONTED = re.compile(r"^[^,]*,\s*(?:[a-z]+\s+){0,3}$")
_ACTS_ON = frozenset({"control", "money", "client"})  # "PROS acquired the company": not itself


def _cannot_be(doc: Doc, m: Mention, sentence_start: int, start: int) -> bool:
    """`m` of the same sentence cannot be what the description at `start` stands for: a relation of
    control, money or supply lies between them ("PROS acquired the company", "Mitsui sold the company
    to …"), or the description opens the main clause after a fronted clause that holds `m` ("Founded
    by Abel Adams, the company …", "Through a partnership with RCA, it …"): that subject is the text's
    own, not a name of the clause before it. An apposition opening the sentence ("Acme, the company
    behind …") stays."""
    from alliances.extract.learn.pairs import relation_classes

    gap = doc.text[m.end : start]
    if _ACTS_ON & set(relation_classes(re.findall(r"[\w%'’-]+", gap.lower()))):
        return True
    fronted = re.sub(r"\([^)]*\)", "", doc.text[sentence_start:start])
    apposition = re.fullmatch(r",\s*", gap) and not doc.text[sentence_start : m.start].strip()
    return bool(_FRONTED.match(fronted)) and not apposition


def antecedent(doc: Doc, i: int, start: int, ok: Callable[[Mention], bool]) -> tuple[Mention | None, str]:
    """The organisation a description at `start` of sentence `i` stands for, and where it was found."""
    s = doc.sentences[i]
    named = [m for m in _in_sentence(doc, i, ok) if m.end <= start]
    before = [m for m in named if not _cannot_be(doc, m, s.start, start)]
    if before:
        return before[-1], "same"
    if i > 0:
        prev = _in_sentence(doc, i - 1, ok)
        if prev:
            return prev[0], "prev"
        if doc.sentences[0].heading:
            head = _in_sentence(doc, 0, ok)
            if head:
                return head[0], "head"
    if any(ok(m) for m in doc.mentions_in(0, s.start)):  # organisations further back: too far to guess
        return None, "far"
    return None, "none"


def description_mentions(doc: Doc, i: int, ok: Callable[[Mention], bool]) -> list[tuple[Mention, str]]:
    """The description mentions of sentence `i`, each with how it was resolved (same / prev / head /
    none); "far" ones (organisations named long before) are not proposed."""
    rx = descriptions().patterns.get(doc.language or "")
    if rx is None:
        return []
    s = doc.sentences[i]
    text = doc.text[s.start : s.end]
    names = [m for m in doc.mentions_in(s.start, s.end) if ok(m)]
    out: list[tuple[Mention, str]] = []
    for hit in rx.finditer(text):
        start, end = s.start + hit.start(), s.start + hit.end()
        if any(m.start < end and start < m.end for m in names):  # part of a name
            continue
        if any(0 <= m.start - end <= 2 for m in names):  # "the start-up Beta": a descriptor, not a reference
            continue
        ante, where = antecedent(doc, i, start, ok)
        if hit.groupdict().get("own"):  # plural: never one of the names before it ("A and B are its clients")
            if where not in ("none", "same"):
                continue
            ante, where = None, "none"
        if where == "far":
            continue
        surface = hit.group(0)
        if ante is None:
            m = Mention(start, end, text=surface, canonical=surface, source="description")
        else:
            m = Mention(
                start,
                end,
                text=ante.text,
                canonical=ante.canonical or ante.text,
                kind=ante.kind,
                parent=ante.parent,
                source="description",
                alias=surface,
            )
        out.append((m, where))
        if len(out) >= descriptions().per_sentence:
            break
    return out
