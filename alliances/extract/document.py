"""The document that flows through the extraction pipeline: each step reads and enriches it."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from alliances.extract.records import AllianceRecord, AmountRecord, DocRecord, PartyRecord


@dataclass
class Span:
    """A stretch of `Doc.text` by character offsets (end exclusive)."""

    start: int
    end: int


@dataclass
class Sentence(Span):
    """A sentence (or headline, or list item) with the paragraph it belongs to."""

    paragraph: int = 0
    heading: bool = False


@dataclass
class Mention(Span):
    """An organisation named in the text, resolved to a canonical name when the gazetteer knows it."""

    text: str = ""
    canonical: str = ""
    kind: str | None = None
    parent: str | None = None
    source: str = "gazetteer"  # gazetteer | ner | cue | weak | description
    alias: str = ""  # a description standing for it here ("the company"): scored as one of its names


@dataclass
class Trigger(Span):
    """An alliance expression found in a sentence ("s'associe à", "acquires")."""

    type: str = "rd_collaboration"
    strength: str = "generic"  # generic | strong
    pattern: str = ""  # how parties are laid out around it: svo | between | passive | raise
    sentence: int = 0


@dataclass
class Alliance:
    """One alliance stated by the document, built up by the steps after detection."""

    parties: list[Mention]
    trigger: Trigger
    evidence: Span
    type: str = "rd_collaboration"
    technologies: list[str] = field(default_factory=list)
    stages: list[str] = field(default_factory=list)
    therapeutic_areas: list[str] = field(default_factory=list)
    date: str | None = None
    amount: AmountRecord | None = None
    status: str | None = None
    vehicle: str | None = None
    confidence: float = 0.5
    context: list[int] = field(default_factory=list)  # sentence indexes that describe it
    clause: Span | None = None  # the part of the sentence that belongs to its trigger
    sentence: int = 0

    def key(self) -> frozenset[str]:
        return frozenset(p.canonical for p in self.parties)


@dataclass
class Doc:
    """A document: its text (whitespace-normalised) and everything the steps found in it."""

    id: str
    text: str
    date: str | None = None  # publication date, YYYY-MM-DD, given or found in the text
    language: str | None = None
    path: str | None = None
    title: str | None = None
    raw_hash: str = ""
    sentences: list[Sentence] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    triggers: list[Trigger] = field(default_factory=list)
    alliances: list[Alliance] = field(default_factory=list)
    parents: dict[str, str] = field(
        default_factory=dict
    )  # child -> parent, stated ("Verily, filiale de Google")

    def mentions_in(self, start: int, end: int) -> list[Mention]:
        """The mentions that start in [start, end) (mentions are kept sorted by start): no full scans."""
        lo = bisect.bisect_left(self.mentions, start, key=lambda m: m.start)
        hi = bisect.bisect_left(self.mentions, end, key=lambda m: m.start)
        return self.mentions[lo:hi]

    def sent_text(self, index: int) -> str:
        s = self.sentences[index]
        return self.text[s.start : s.end]

    def span_text(self, span: Span) -> str:
        return self.text[span.start : span.end]

    def to_record(self) -> DocRecord:
        """The SCHEMA.md line for this document."""
        return {
            "id": self.id,
            "language": self.language,
            "alliances": [record(self, a) for a in self.alliances],
        }


def record(doc: Doc, a: Alliance) -> AllianceRecord:
    """One alliance in SCHEMA.md shape."""
    return {
        "parties": [_party(m) for m in a.parties],
        "type": a.type,
        "technologies": a.technologies,
        "stages": a.stages,
        "therapeutic_areas": a.therapeutic_areas,
        "date": a.date,
        "amount": a.amount,
        "status": a.status,
        "evidence": doc.span_text(a.evidence).strip(),
        "vehicle": a.vehicle,
        "confidence": round(a.confidence, 2),
    }


def _party(m: Mention) -> PartyRecord:
    out: PartyRecord = {"name": m.text, "canonical": m.canonical or m.text}
    if m.kind:
        out["kind"] = m.kind
    if m.alias:
        out["aliases"] = [m.alias]
    return out
