"""Alliance detection: the parties around each alliance expression of a sentence.

Around a trigger, the subject is the nearest organisation before it (with the names coordinated to
it: "Servier et Numerate", "AstraZeneca et l'entreprise de tech … BenevolentAI") and the object the
organisations right after it ("s'associe à JP Morgan et Berkshire Hathaway"). A sentence with several
triggers is cut into clauses. Parents named in an apposition ("Verily, filiale de Google"), sources
("selon Accenture") and parenthesised names are not parties; a company and its subsidiary are never
partners. "Ils avaient conclu…" takes the parties of the alliance just stated.
"""

from __future__ import annotations

import re

from alliances.extract.document import Alliance, Doc, Mention, Span, Trigger
from alliances.extract.gazetteer import Gazetteer, fold
from alliances.extract.pipeline import Context, Step, register
from alliances.extract.resources import cues

_CUT = re.compile(r"[,;]|\b(?:et|and|puis|then)\b")
_BETWEEN = re.compile(r"^\s*(?:entre|between)\b", re.I)
_PARENS = re.compile(r"\([^()]*\)")
_OBJECT_GAP = re.compile(
    r"^\s*(?:(?:avec|à|a|au|aux|with|de|d['’]|du|des|l['’]|la|le|les|the|par|by|entre|between|"
    r"et|and|auprès|of|from|in|dans|sur|led|menée?|mené|conduite?)\s*)*$",
    re.I,
)
_LISTING = re.compile(
    r"\b(?:entre|between|among|amongst|parmi|comme|such as|including|notamment|dont)\b", re.I
)
_PLURAL_NOUN = re.compile(
    r"(?:collaborations|partenariats|partnerships|accords|agreements|alliances|deals)$", re.I
)


def _gap(doc: Doc, start: int, end: int) -> str:
    return _PARENS.sub(" ", doc.text[start:end])


def _inside_parens(text: str, start: int, m: Mention) -> bool:
    before = text[start : m.start]
    return before.count("(") > before.count(")")


def _coordinated(doc: Doc, a: Mention, b: Mention) -> bool:
    """True if `a` and `b` (a before b) are listed together: "A et B", "A, B", "A et l'entreprise … B"."""
    gap = _gap(doc, a.end, b.start)
    c = cues()
    return bool(
        c.coordination.match(gap)
        or (len(gap) < 120 and c.coordination_descriptive.match(gap))
        or c.coordination_described.match(gap)  # "Kyowa Kirin and Belgian contract manufacturer Ardena"
    )


def _extend(
    doc: Doc, group: list[Mention], pool: list[Mention], left: bool, lo: int, hi: int
) -> list[Mention]:
    """Grow a group through coordinated neighbours, leftwards or rightwards, within [lo, hi)."""
    while True:
        if left:
            before = [m for m in pool if m.end <= group[0].start and m.start >= lo]
            if before and _coordinated(doc, before[-1], group[0]):
                group = [before[-1], *group]
                continue
        else:
            after = [m for m in pool if m.start >= group[-1].end and m.end <= hi]
            if after and _coordinated(doc, group[-1], after[0]):
                group = [*group, after[0]]
                continue
        return group


class FindAlliances:
    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        self.named_vehicle: str | None = None

    def __call__(self, doc: Doc) -> Doc:
        by_sentence: dict[int, list[Trigger]] = {}
        for t in doc.triggers:
            by_sentence.setdefault(t.sentence, []).append(t)
        for i in sorted(by_sentence):
            self.sentence(doc, i, sorted(by_sentence[i], key=lambda t: t.start))
        return doc

    def _exclusions(self, doc: Doc, ms: list[Mention], s_start: int) -> list[Mention]:
        c = cues()
        kept: list[Mention] = []
        for k, m in enumerate(ms):
            before = doc.text[max(s_start, m.start - 90) : m.start]
            if c.subsidiary.search(before):
                if k:
                    doc.parents[ms[k - 1].canonical] = m.canonical
                continue
            if c.reporting.search(doc.text[max(s_start, m.start - 30) : m.start]):
                continue
            if c.vehicle_naming.search(doc.text[max(s_start, m.start - 20) : m.start]):
                self.named_vehicle = m.text
                continue
            kept.append(m)
        return kept

    def sentence(self, doc: Doc, i: int, trigs: list[Trigger]) -> None:
        s = doc.sentences[i]
        self.named_vehicle = None
        ms = [m for m in doc.mentions_in(s.start, s.end) if m.end <= s.end]
        ms = [m for m in self._exclusions(doc, ms, s.start) if not _inside_parens(doc.text, s.start, m)]
        if not ms and not doc.alliances:
            return
        pool = ms
        cands = [m for m in ms if m.source != "weak" or self._in_slot(doc, m, trigs)]
        bounds = self._clauses(doc, s.start, s.end, trigs, cands)
        previous_left: list[Mention] = []
        for t, (cs, ce) in zip(trigs, bounds, strict=True):
            left_near = [m for m in cands if cs <= m.start and m.end <= t.start]
            left = _extend(doc, [left_near[-1]], pool, True, s.start, t.start) if left_near else []
            if not left and t.pattern != "created_by":
                left = previous_left or self._subject(doc, i, cs)
            head = t.start + len(doc.text[t.start : t.end].split(" ")[0])  # "selected AWS as its provider"
            right_near = [
                m
                for m in cands
                if m.start >= head
                and m.end <= ce
                and m.start >= t.start
                and not cues().clause_end.search(_gap(doc, head, m.start))
                and len(_gap(doc, head, m.start)) <= 90
            ]
            right = _extend(doc, [right_near[0]], pool, False, head, ce) if right_near else []
            previous_left = (right if t.pattern == "created_by" else left) or previous_left
            self._decide(doc, i, t, Span(cs, ce), left, right)

    def _subject(self, doc: Doc, i: int, cs: int) -> list[Mention]:
        """ "The company has…", "Il a signé…": the subject of the previous statement."""
        if not cues().singular_subject.search(doc.text[cs : cs + 40]):
            return []
        if doc.alliances and i - doc.alliances[-1].sentence <= 3:
            return [doc.alliances[-1].parties[0]]
        for j in range(i - 1, max(-1, i - 3), -1):
            s = doc.sentences[j]
            first = [m for m in doc.mentions_in(s.start, s.end) if m.source != "weak"]
            if first:
                return [first[0]]
        return []

    def _in_slot(self, doc: Doc, m: Mention, trigs: list[Trigger]) -> bool:
        """A weak name counts only as the subject or object right next to a trigger."""
        for t in trigs:
            if 0 <= m.start - t.end <= 30 and _OBJECT_GAP.match(doc.text[t.end : m.start]):
                return True
            if 0 <= t.start - m.end <= 45 and not re.search(r"[,;:()«»\"]", doc.text[m.end : t.start]):
                return True
        return False

    def _clauses(
        self, doc: Doc, start: int, end: int, trigs: list[Trigger], cands: list[Mention]
    ) -> list[tuple[int, int]]:
        """Cut the sentence between consecutive triggers, after the first one's object and before
        the next one's subject."""
        cuts = [start]
        for a, b in zip(trigs, trigs[1:], strict=False):
            between = [m for m in cands if m.start >= a.end and m.end <= b.start]
            lo, hi = a.end, b.start
            if len(between) >= 2:
                lo, hi = between[0].end, between[-1].start
            elif between and _OBJECT_GAP.match(doc.text[a.end : between[0].start]):
                lo = between[0].end
            elif between:
                hi = between[0].start
            punct = [m.end() for m in _CUT.finditer(doc.text[lo:hi])]
            cuts.append(lo + punct[-1] if punct else hi)
        cuts.append(end)
        return list(zip(cuts, cuts[1:], strict=False))

    def _decide(
        self, doc: Doc, i: int, t: Trigger, clause: Span, left: list[Mention], right: list[Mention]
    ) -> None:
        confidence = 0.8 if t.strength == "strong" else 0.65
        vehicle = None
        if t.pattern == "created_by":
            parties = right if len(right) >= 2 else []
            vehicle = left[-1].text if left else None
        elif len(right) >= 2 and _BETWEEN.match(doc.text[t.end : t.end + 12]):
            parties = right
            vehicle = left[-1].text if left and t.type == "joint_venture" else None
        elif left and right:
            parties = left + right
        elif len(right) >= 2 and (
            t.start == doc.sentences[i].start or _LISTING.search(doc.text[t.start : right[0].start])
        ):
            parties = right
        elif len(left) >= 2:
            parties = left
        else:
            parties = []
            clause_text = doc.text[clause.start : clause.end]
            if not left and not right and doc.alliances and cues().plural_pronouns.search(clause_text):
                last = doc.alliances[-1]
                if i - last.sentence <= 3:
                    parties = list(last.parties)
                    confidence -= 0.15
        vehicle = vehicle or self.named_vehicle
        groups = self._pair_list(doc, parties)
        if (
            left
            and len(right) >= 2
            and t.pattern != "created_by"
            and (t.type == "equity_investment" or _PLURAL_NOUN.search(doc.text[t.start : t.end]))
        ):  # "lève 6 M€ auprès d'ISAI et de Bpifrance", "collaborations with Gilead and BMS"
            groups = [[*left, r] for r in right]
        for group in groups:
            self._add(doc, i, t, clause, group, vehicle, confidence)

    def _pair_list(self, doc: Doc, parties: list[Mention]) -> list[list[Mention]]:
        """ "Servier et Numerate, Amgen et Owkin" is two alliances, not one of four."""
        if len(parties) >= 4 and len(parties) % 2 == 0:
            gaps = [_gap(doc, a.end, b.start).strip() for a, b in zip(parties, parties[1:], strict=False)]
            if all(g in ("et", "and", "&") for g in gaps[::2]) and all(g == "," for g in gaps[1::2]):
                return [parties[k : k + 2] for k in range(0, len(parties), 2)]
        return [parties]

    def _add(
        self,
        doc: Doc,
        i: int,
        t: Trigger,
        clause: Span,
        parties: list[Mention],
        vehicle: str | None,
        confidence: float,
    ) -> None:
        parties = self._clean_parties(doc, parties, t.type)
        if len(parties) < 2:
            return
        weak = sum(p.source == "weak" for p in parties)
        known = all(p.source == "gazetteer" for p in parties)
        confidence += 0.1 * known - 0.1 * weak
        sent = doc.sentences[i]
        doc.alliances.append(
            Alliance(
                parties=parties,
                trigger=t,
                evidence=Span(sent.start, sent.end),
                type=t.type,
                vehicle=vehicle,
                confidence=max(0.05, min(0.99, confidence)),
                clause=clause,
                sentence=i,
            )
        )

    def _clean_parties(self, doc: Doc, parties: list[Mention], kind: str) -> list[Mention]:
        """One mention per organisation; no company with its own subsidiary (unless buying it)."""
        seen: dict[str, Mention] = {}
        for p in parties:
            seen.setdefault(fold(p.canonical), p)
        out = list(seen.values())
        # "MD Anderson ends Watson partnership with IBM Watson": a weak word inside another name is that name
        out = [
            p
            for p in out
            if p.source != "weak"
            or not any(q is not p and fold(p.text) in fold(q.text) + " " + fold(q.canonical) for q in out)
        ]
        names = {fold(p.canonical) for p in out}
        children = set()
        for p in out if kind != "acquisition" else []:
            parent = p.parent or self.gazetteer.parent_of(p.canonical) or doc.parents.get(p.canonical)
            if parent and fold(parent) in names:
                children.add(fold(p.canonical))
        if children and len(out) - len(children) < 2:
            return []
        return [p for p in out if fold(p.canonical) not in children]


@register("find_alliances")
def make_find_alliances(context: Context) -> Step:
    return FindAlliances(context.gazetteer)
