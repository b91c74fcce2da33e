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
_OBJECT_GAP = re.compile(r"^\s*(?:(?:avec|à|a|au|aux|with|de|d['’]|du|des|l['’]|la|le|les|the|par|by|entre|between|"
                         r"et|and|auprès|of|from|in|dans|sur)\s*)*$", re.I)


def _gap(doc: Doc, start: int, end: int) -> str:
    return _PARENS.sub(" ", doc.text[start:end])


def _inside_parens(text: str, start: int, m: Mention) -> bool:
    before = text[start : m.start]
    return before.count("(") > before.count(")")


def _coordinated(doc: Doc, a: Mention, b: Mention) -> bool:
    """True if `a` and `b` (a before b) are listed together: "A et B", "A, B", "A et l'entreprise … B"."""
    gap = _gap(doc, a.end, b.start)
    c = cues()
    return bool(c.coordination.match(gap) or (len(gap) < 120 and c.coordination_descriptive.match(gap)))


def _extend(doc: Doc, group: list[Mention], pool: list[Mention], left: bool, lo: int, hi: int) -> list[Mention]:
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
            kept.append(m)
        return kept

    def sentence(self, doc: Doc, i: int, trigs: list[Trigger]) -> None:
        s = doc.sentences[i]
        ms = [m for m in doc.mentions if s.start <= m.start and m.end <= s.end]
        ms = [m for m in self._exclusions(doc, ms, s.start) if not _inside_parens(doc.text, s.start, m)]
        if not ms:
            return
        pool = ms
        cands = [m for m in ms if m.source != "weak" or self._in_slot(doc, m, trigs)]
        bounds = self._clauses(doc, s.start, s.end, trigs, cands)
        previous_left: list[Mention] = []
        for t, (cs, ce) in zip(trigs, bounds, strict=True):
            left_near = [m for m in cands if cs <= m.start and m.end <= t.start]
            left = _extend(doc, [left_near[-1]], pool, True, s.start, t.start) if left_near else []
            if not left and t.pattern != "created_by":
                left = previous_left
            right_near = [m for m in cands if m.start >= t.end and m.end <= ce
                          and not cues().clause_end.search(_gap(doc, t.end, m.start))
                          and len(_gap(doc, t.end, m.start)) <= 90]
            right = _extend(doc, [right_near[0]], pool, False, t.end, ce) if right_near else []
            previous_left = (right if t.pattern == "created_by" else left) or previous_left
            self._decide(doc, i, t, Span(cs, ce), left, right)

    def _in_slot(self, doc: Doc, m: Mention, trigs: list[Trigger]) -> bool:
        """A weak name counts only as the subject or object right next to a trigger."""
        for t in trigs:
            if 0 <= m.start - t.end <= 30 and _OBJECT_GAP.match(doc.text[t.end : m.start]):
                return True
            if 0 <= t.start - m.end <= 45 and not re.search(r"[,;:()«»\"]", doc.text[m.end : t.start]):
                return True
        return False

    def _clauses(self, doc: Doc, start: int, end: int, trigs: list[Trigger],
                 cands: list[Mention]) -> list[tuple[int, int]]:
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

    def _decide(self, doc: Doc, i: int, t: Trigger, clause: Span, left: list[Mention],
                right: list[Mention]) -> None:
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
        elif len(right) >= 2:
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
        for group in self._pair_list(doc, parties):
            self._add(doc, i, t, clause, group, vehicle, confidence)

    def _pair_list(self, doc: Doc, parties: list[Mention]) -> list[list[Mention]]:
        """ "Servier et Numerate, Amgen et Owkin" is two alliances, not one of four."""
        if len(parties) >= 4 and len(parties) % 2 == 0:
            gaps = [_gap(doc, a.end, b.start).strip() for a, b in zip(parties, parties[1:], strict=False)]
            if all(g in ("et", "and", "&") for g in gaps[::2]) and all(g == "," for g in gaps[1::2]):
                return [parties[k : k + 2] for k in range(0, len(parties), 2)]
        return [parties]

    def _add(self, doc: Doc, i: int, t: Trigger, clause: Span, parties: list[Mention], vehicle: str | None,
             confidence: float) -> None:
        parties = self._clean_parties(doc, parties)
        if len(parties) < 2:
            return
        weak = sum(p.source == "weak" for p in parties)
        known = all(p.source == "gazetteer" for p in parties)
        confidence += 0.1 * known - 0.1 * weak
        sent = doc.sentences[i]
        doc.alliances.append(Alliance(parties=parties, trigger=t, evidence=Span(sent.start, sent.end),
                                      type=t.type, vehicle=vehicle, confidence=max(0.05, min(0.99, confidence)),
                                      clause=clause, sentence=i))

    def _clean_parties(self, doc: Doc, parties: list[Mention]) -> list[Mention]:
        seen: dict[str, Mention] = {}
        for p in parties:
            seen.setdefault(fold(p.canonical), p)
        out = list(seen.values())
        names = {fold(p.canonical) for p in out}
        children = set()
        for p in out:
            parent = p.parent or self.gazetteer.parent_of(p.canonical) or doc.parents.get(p.canonical)
            if parent and fold(parent) in names:
                children.add(fold(p.canonical))
        if children and len(out) - len(children) < 2:
            return []
        return [p for p in out if fold(p.canonical) not in children]


@register("find_alliances")
def make_find_alliances(context: Context) -> Step:
    return FindAlliances(context.gazetteer)
