"""A small English organisation recogniser: a spaCy NER trained from a blank "en" pipeline.

Positives are CORE's marked companies (every occurrence of their names in the sentence), knowledge-base
names and the gold parties of our own articles. CORE marks only two companies a sentence, so other
capitalised words are left *missing* (neither organisation nor not) rather than taught as negatives;
lower-case words, punctuation, numbers and the words of not_organisations.yaml (places, nationalities,
months, currencies, titles) are taught as "not an organisation".
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from alliances.extract.gazetteer import fold
from alliances.extract.spacy_import import import_spacy
from alliances.taxonomy import load_data_file

LABEL = "ORG"
_PRONOUNS = re.compile(r"^(?:the |its |their |it|they|this |that |our |his |her )", re.I)


@cache
def not_organisations() -> frozenset[str]:
    raw = load_data_file("extract/not_organisations.yaml")
    return frozenset(fold(w) for w in str(raw["words"]).split())


@cache
def places() -> frozenset[str]:
    """Countries, US states and large cities (data/extract/places.txt, from GeoNames): never a party alone."""
    from importlib import resources

    text = resources.files("alliances").joinpath("data", "extract", "places.txt").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


COMMON_WORDS = "common_words.txt"  # beside the recogniser: written by `alliances train`


def common_word_list(texts: Iterable[str], names: Iterable[str], min_count: int = 3) -> list[str]:
    """Words seen in lower case at least `min_count` times in `texts` and never a company's whole name:
    alone and capitalised ("Camera", "Synthetic") they are a heading or a product, not an organisation."""
    counts: dict[str, int] = {}
    for text in texts:
        for w in re.findall(r"(?<![\w-])[a-z]{3,}(?![\w-])", text):
            counts[w] = counts.get(w, 0) + 1
    taken = {fold(n) for n in names}
    return sorted(w for w, n in counts.items() if n >= min_count and w not in taken)


@cache
def common_words() -> frozenset[str]:
    file = model_dir().parent / COMMON_WORDS
    if not file.is_file():
        return frozenset()
    return frozenset(file.read_text(encoding="utf-8").split())


@cache
def _leading() -> re.Pattern[str]:
    """Years and section headings or openers glued before a name: "2009 CybAero", "History AMITA Health"."""
    words = str(load_data_file("extract/not_organisations.yaml")["openers"]).split()
    return re.compile(rf"^(?:(?:\d{{4}}|{'|'.join(map(re.escape, words))})\s+)+")


@dataclass(frozen=True)
class NerExample:
    """A text and the character spans of organisations in it."""

    text: str
    orgs: tuple[tuple[int, int], ...]


def _is_name(surface: str) -> bool:
    return bool(surface.strip()) and not _PRONOUNS.match(surface) and surface[0].isalnum()


def _occurrences(text: str, name: str) -> Iterator[tuple[int, int]]:
    for m in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", text):
        yield m.start(), m.end()


def core_examples(sentences: Iterable[Any]) -> list[NerExample]:
    """CORE sentences: both marked companies, and the other occurrences of their names."""
    out = []
    for s in sentences:
        spans: set[tuple[int, int]] = set()
        for (start, _), name in ((s.e1, s.e1_name), (s.e2, s.e2_name)):
            name = name.rstrip(".,;:")
            if not _is_name(name):
                continue
            spans.add((start, start + len(name)))
            spans.update(_occurrences(s.text, name))
        out.append(NerExample(s.text, tuple(sorted(spans))))
    return out


def _non_overlapping(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    kept: list[tuple[int, int]] = []
    for a, b in sorted(spans, key=lambda ab: (-(ab[1] - ab[0]), ab[0])):
        if all(b <= x or a >= y for x, y in kept):
            kept.append((a, b))
    return sorted(kept)


def to_example(nlp: Any, ex: NerExample) -> Any:
    """A spaCy Example with missing values where CORE says nothing."""
    import_spacy()
    from spacy.training import Example, offsets_to_biluo_tags

    doc = nlp.make_doc(ex.text)
    spans = []
    for a, b in _non_overlapping(ex.orgs):
        span = doc.char_span(a, b, alignment_mode="expand")
        if span is not None:
            spans.append((span.start_char, span.end_char, LABEL))
    kept = [(a, b, LABEL) for a, b in _non_overlapping([(a, b) for a, b, _ in spans])]
    tags = offsets_to_biluo_tags(doc, kept)
    negatives = not_organisations()

    def capitalised(k: int) -> bool:
        return 0 <= k < len(doc) and doc[k].text[:1].isupper()

    for k, tok in enumerate(doc):
        if tags[k] != "O":
            continue
        if tok.text[:1].isupper():
            # a place or nationality alone is not an organisation; next to a name it may be part of it
            alone = fold(tok.text) in negatives and not capitalised(k - 1) and not capitalised(k + 1)
            if not alone:
                tags[k] = "-"
    return Example.from_dict(doc, {"entities": tags})


def train_ner(examples: list[NerExample], epochs: int = 8, seed: int = 11, log: Any = None) -> Any:
    """A blank English pipeline with one NER component trained on `examples`."""
    spacy = import_spacy()
    from spacy.util import fix_random_seed, minibatch  # type: ignore[attr-defined]

    fix_random_seed(seed)
    nlp = spacy.blank("en")
    ner: Any = nlp.add_pipe("ner")
    ner.add_label(LABEL)
    data = [to_example(nlp, e) for e in examples]
    optimizer = nlp.initialize(lambda: data)
    rng = random.Random(seed)
    for epoch in range(epochs):
        rng.shuffle(data)
        losses: dict[str, float] = {}
        for batch in minibatch(data, size=32):  # type: ignore[no-untyped-call]
            nlp.update(batch, sgd=optimizer, drop=0.2, losses=losses)
        if log:
            log(f"ner epoch {epoch + 1}/{epochs}: loss {losses.get('ner', 0.0):.1f}")
    return nlp


MODEL_DIR = Path(__file__).resolve().parents[2] / "data" / "models" / "en_org"


def model_dir() -> Path:
    return MODEL_DIR


@cache
def load_ner(path: str | None = None) -> Any:
    """The shipped recogniser (None if it has not been trained)."""
    spacy = import_spacy()

    folder = Path(path) if path else model_dir()
    if not (folder / "config.cfg").is_file():
        return None
    return spacy.load(folder)


class RecogniseEnglish:
    """The trained English recogniser over every sentence of English documents (recall for the pair
    model); its names join the mentions as "ner" unless they are places, months, currencies…"""

    def __init__(self, batch_size: int = 64) -> None:
        self.batch_size = batch_size

    def __call__(self, doc: Any) -> Any:
        return self.pipe([doc])[0]

    def pipe(self, docs: list[Any]) -> list[Any]:
        from alliances.extract.document import Mention
        from alliances.extract.learn.pairs import is_organisation_name
        from alliances.extract.steps.organisations import add_mentions

        jobs = [(d, s) for d in docs if d.language == "en" for s in d.sentences]
        nlp = load_ner() if jobs else None
        if nlp is None:
            return docs
        found: dict[int, list[Mention]] = {}
        texts = (d.text[s.start : s.end] for d, s in jobs)
        for (d, s), sp in zip(jobs, nlp.pipe(texts, batch_size=self.batch_size), strict=True):
            for ent in sp.ents:
                lead = _leading().match(ent.text)
                cut = lead.end() if lead and lead.end() < len(ent.text) else 0
                surface = ent.text[cut:].rstrip(".,;:")
                m = Mention(
                    s.start + ent.start_char + cut,
                    s.start + ent.start_char + cut + len(surface),
                    text=surface,
                    canonical=surface,
                    source="ner",
                )
                if surface and is_organisation_name(m):
                    found.setdefault(id(d), []).append(m)
        for d in docs:
            if id(d) in found:
                _widen(d, found[id(d)])
                add_mentions(d, found[id(d)])
        return docs


def _widen(doc: Any, names: list[Any]) -> None:
    """A rule-made name the recogniser sees with more capitalised words before it gives way to the
    recogniser's ("Swiss Bank Corporation", "First Union Corporation", "CIK Telecom"); knowledge-base
    names keep priority."""
    drop = set()
    for n in names:
        for m in doc.mentions:
            if m.source in ("cue", "weak") and n.start < m.start and m.end == n.end:
                head = doc.text[n.start : m.start].split()
                if head and all(w[:1].isupper() or w == "&" for w in head):
                    drop.add(id(m))
    if drop:
        doc.mentions = [m for m in doc.mentions if id(m) not in drop]
