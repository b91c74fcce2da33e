"""Recognised mentions that are not names, told by where they stand in the text, not by a word list.

CORE's pairs are all real organisations, so nothing learned from it says what a non-name looks like;
these tests keep such mentions out of the candidate pairs (issue 11, sixth pass):
- the first word of a description before a name: "Synthetic biology company Ginkgo Bioworks",
  "Medical device maker Medtronic", "Camera and printer maker Canon";
- what a description is made of: "the ChatGPT maker", "the iPhone maker";
- a capitalised word at the start of a sentence that the same passage writes in lower case:
  "Antimicrobial resistance …" beside "new antimicrobials" (only the sentence start capitalised it);
- a person: "Alan Berry who led the company";
- a name right after another's possessive ("Corindus's CorPath platform") belongs to it: `owned`.
The words (descriptor and product nouns) are data: alliances/data/extract/mentions.yaml.
"""

from __future__ import annotations

import bisect
import re
from functools import cache

from alliances.extract.document import Doc, Mention

PASSAGE = 2000  # characters each side of a mention read for the same word in lower case
_DASH = re.compile(r"(?:[—–-]{1,2}|:)\s*$")  # "BOSTON, Aug. 29, 2023 - Synthetic biology company …"
_FUNCTION = frozenset(
    ("a", "an", "the", "its", "their", "his", "her", "our", "with", "to", "by", "of", "for", "in", "on")
    + ("at", "from", "into", "as", "is", "was", "are", "were", "be", "has", "have", "had", "will", "would")
    + ("can", "could", "may", "said", "says", "that", "which", "who")
)


def _alternatives(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    from alliances.taxonomy import load_data_file

    raw = load_data_file("extract/mentions.yaml")
    heads, products = _alternatives(raw["descriptors"]), _alternatives(raw["product_nouns"])
    return (
        # one to three lower-case words ("biology", "and printer") then a descriptor noun, then a name
        re.compile(rf"(?P<words>(?:\s+[a-z][\w-]*){{1,3}}?)\s+(?:{heads})\s+(?=[A-Z])"),
        re.compile(rf"\s+(?:{products})s?\b(?!\s+of\b)"),  # not "the Acme Group owners of Beta"
    )


def opens_clause(doc: Doc, m: Mention) -> bool:
    """`m` opens its sentence, or the text after a dateline's dash."""
    k = bisect.bisect_right(doc.sentences, m.start, key=lambda s: s.start) - 1
    before = doc.text[doc.sentences[k].start if k >= 0 else 0 : m.start]
    return not before.strip() or _DASH.search(before) is not None


def describes_another(doc: Doc, m: Mention) -> bool:
    """`m` opens a description of the name right after it ("Synthetic biology company Ginkgo"): the
    words between are lower-case content words, none a verb ("Roche acquired / buys biotech X"): not a
    function word, a past tense, a relation word (relation_words.yaml) or part of a trigger."""
    from alliances.extract.learn.pairs import relation_classes

    hit = _patterns()[0].match(doc.text, m.end)
    if hit is None or not opens_clause(doc, m) or not doc.mentions_in(hit.end(), hit.end() + 1):
        return False
    words = hit["words"].split()
    if words[-1] in ("and", "&") or any(w in _FUNCTION or w.endswith("ed") for w in words):
        return False
    if relation_classes(words):
        return False
    return not any(m.end < t.end and t.start < hit.end() for t in doc.triggers)


def made_by_another(doc: Doc, m: Mention) -> bool:
    """ "the ChatGPT maker": `m` is what a description's subject makes or owns, not a party."""
    before = doc.text[max(0, m.start - 4) : m.start].lower()
    return before.endswith(("the ", " a ", " an ")) and _patterns()[1].match(doc.text, m.end) is not None


def lower_case_word(doc: Doc, m: Mention) -> bool:
    """One word capitalised only because it opens a sentence, written in lower case nearby (plural
    too): "Antimicrobial resistance" beside "new antimicrobials"."""
    word = m.text
    if not re.fullmatch(r"[A-Z][a-z]{2,}", word) or not opens_clause(doc, m):
        return False
    passage = doc.text[max(0, m.start - PASSAGE) : m.end + PASSAGE]
    # a word, not part of an address ("corvanta.com", "@corvanta")
    lower = rf"(?<![\w.@/-]){re.escape(word.lower())}(?:e?s)?(?![\w-]|\.\w)"
    return re.search(lower, passage) is not None


def is_person(doc: Doc, m: Mention) -> bool:
    """ "Alan Berry who led the company": "who" follows a person."""
    return re.match(r",?\s+who\b", doc.text[m.end : m.end + 8]) is not None


def is_non_name(doc: Doc, m: Mention) -> bool:
    """A recognised (not known) mention that its place in the text shows is not an organisation."""
    if m.source not in ("ner", "weak", "cue"):
        return False
    tests = (describes_another, made_by_another, lower_case_word, is_person)
    return any(test(doc, m) for test in tests)


def owned(text: str, a: Mention, b: Mention) -> bool:
    """ "Corindus's CorPath platform": b right after a's possessive is a's (product, unit), never its
    partner (CORE has no alliance written so, only products of their makers)."""
    return b.start >= a.end and re.fullmatch(r"['’]s?\s+", text[a.end : b.start]) is not None


def possessors(text: str, ms: list[Mention]) -> set[int]:
    """ "Roche's Genentech unit and Nvidia …": the ids of the mentions that only name the owner of the
    unit written right after their possessive; the unit is the party, the owner is not (own fresh
    articles: Roche-Nvidia and Amgen-Nvidia were taken for the units' alliances)."""
    from alliances.extract.gazetteer import fold

    out: set[int] = set()
    for m, u in zip(ms, ms[1:], strict=False):
        if u.parent and fold(u.parent) == fold(m.canonical or m.text) and owned(text, m, u):
            out.add(id(m))
    return out
