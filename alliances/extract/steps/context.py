"""Steps after detection: which sentences describe each alliance, then its type, technologies,
stages, areas, date, amount and status, and finally one record per alliance.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter

from alliances.extract.amounts import find_amounts
from alliances.extract.dates import find_dates, to_date
from alliances.extract.document import Alliance, Doc, Span
from alliances.extract.gazetteer import fold
from alliances.extract.pipeline import Context, Step, register
from alliances.extract.resources import classes, cues
from alliances.store.names import normalise

_DEMONSTRATIVE = re.compile(r"^(?:ce|cet|cette|ces|this|these|such)\b", re.I)
_BULLET = re.compile(r"^\s*(?:[•§▪◦·\-–*]|\d{1,2}[.)])\s")
LOOKAHEAD = 8


def _names_in(doc: Doc, index: int) -> set[str]:
    s = doc.sentences[index]
    return {fold(m.canonical) for m in doc.mentions_in(s.start, s.end)}


def _current(doc: Doc, a: Alliance) -> bool:
    """Not an older alliance recalled in passing: no date, or the publication year."""
    return a.date is None or bool(doc.date and a.date[:4] == doc.date[:4])


def _preference(doc: Doc, a: Alliance) -> tuple[bool, bool, int]:
    """Among alliances sharing names with a sentence: current ones, then not a money side-deal
    ("NVIDIA will invest $50 million in Recursion" does not take the collaboration's description)."""
    return _current(doc, a), a.trigger.type != "equity_investment", a.sentence


@register("attach_context")
def make_attach_context(_: Context) -> Step:
    def step(doc: Doc) -> Doc:
        if not doc.alliances:
            return doc
        own = {a.sentence for a in doc.alliances}
        doc.alliances.sort(key=lambda a: a.sentence)  # stable: a sentence's alliances keep their order
        sents = [a.sentence for a in doc.alliances]
        sticky: Alliance | None = None
        for a in doc.alliances:
            a.context = [a.sentence]
            first = doc.sentences[a.sentence]
            prev = a.sentence - 1
            if (
                prev >= 0
                and doc.sentences[prev].paragraph == first.paragraph
                and _DEMONSTRATIVE.match(doc.sent_text(a.sentence))
            ):
                a.context.insert(0, prev)
        for i in range(len(doc.sentences)):
            if i in own:
                sticky = None
                continue
            near = doc.alliances[bisect.bisect_left(sents, i - LOOKAHEAD) : bisect.bisect_left(sents, i)]
            if not near:
                continue
            names = _names_in(doc, i)
            scored = [(len(names & {fold(p.canonical) for p in a.parties}), a) for a in near]
            best = max(n for n, _ in scored)
            others = len(names) - best
            if best and others <= best:
                ties = [a for n, a in scored if n == best]
                pick = sticky if sticky in ties else max(ties, key=lambda a: _preference(doc, a))
            elif best:
                continue
            elif cues().anaphora.search(doc.sent_text(i)) and i - near[-1].context[-1] <= 3:
                pick = sticky if sticky in near else near[-1]
            elif (
                not names
                and near[-1].context[-1] == i - 1
                and i - near[-1].sentence <= 2
                and (
                    not _BULLET.match(doc.sent_text(i))
                    and doc.sentences[i].paragraph == doc.sentences[near[-1].sentence].paragraph
                )
            ):
                pick = near[-1]
            else:
                continue
            pick.context.append(i)
            sticky = pick
        return doc

    return step


def _without_names(a: Alliance, text: str) -> str:
    """The text with unknown parties' names blanked: technologies come from what the text says, not
    from a name ("… Analytics"); names the knowledge base knows ("IBM Watson", "Google Cloud") stay."""
    for name in sorted({p.text for p in a.parties if p.source != "gazetteer"}, key=len, reverse=True):
        if len(name) > 2:
            text = text.replace(name, " ")
    return text


def _text(doc: Doc, a: Alliance) -> str:
    return " ".join(doc.sent_text(i) for i in a.context)


def _lead(doc: Doc, a: Alliance) -> bool:
    """The alliance is the news of the document: stated in its headline or first paragraphs."""
    first = next((s.paragraph for s in doc.sentences if not s.heading), 0)
    s = doc.sentences[a.sentence]
    return s.heading and a.sentence <= 2 or s.paragraph <= first + 1


def _clause(doc: Doc, a: Alliance) -> str:
    return doc.span_text(a.clause or a.evidence)


def _section(doc: Doc, a: Alliance) -> str:
    """The paragraph before the alliance's one and the nearest heading: where studies frame a case."""
    para = doc.sentences[a.sentence].paragraph
    parts: list[str] = []
    i = a.sentence - 1
    while i >= 0 and doc.sentences[i].paragraph >= para - 1:  # back to the previous paragraph only
        if doc.sentences[i].paragraph < para:
            parts.insert(0, doc.sent_text(i))
        i -= 1
    for i in range(a.sentence - 1, max(-1, a.sentence - 15), -1):
        if doc.sentences[i].heading and len(re.findall(r"[^\W\d]{3,}", doc.sent_text(i))) >= 2:
            parts.append(doc.sent_text(i))
            break
    return " ".join(parts)


@register("classify")
def make_classify(_: Context) -> Step:
    k = classes()

    def step(doc: Doc) -> Doc:
        for a in doc.alliances:
            sentence = doc.sent_text(a.sentence)
            clause = _clause(doc, a)
            if a.trigger.strength == "strong":
                a.type = a.trigger.type
            else:
                jv = dict(k.type_cues)["joint_venture"]
                cue = next((t for t, rx in k.type_cues if rx.search(clause)), None)
                if jv.search(sentence):
                    cue = "joint_venture"
                section = next((t for t, rx in k.section_cues if rx.search(_section(doc, a))), None)
                if cue:
                    a.type = cue
                elif len(a.parties) >= k.multi_party:
                    a.type = k.multi_party_type
                elif section:
                    a.type = section
            if a.vehicle is None and a.type == "joint_venture":
                a.vehicle = _vehicle(doc, a)
            text = _without_names(a, _text(doc, a))  # "… Analytics" names no technology
            a.technologies = [t for t, rx in k.technologies if rx.search(text)]
            a.stages = [t for t, rx in k.stages if rx.search(text)]
            a.therapeutic_areas = [t for t, rx in k.areas if rx.search(text)]
        return doc

    return step


def _vehicle(doc: Doc, a: Alliance) -> str | None:
    """The vehicle named by a "created by" expression in the alliance's sentence."""
    for t in doc.triggers:
        if t.sentence == a.sentence and t.pattern == "created_by":
            before = [
                m for m in doc.mentions_in(doc.sentences[a.sentence].start, t.start) if m.end <= t.start
            ]
            if before:
                return before[-1].text
    return None


@register("parse_dates")
def make_parse_dates(_: Context) -> Step:
    def step(doc: Doc) -> Doc:
        base = to_date(doc.date)
        for a in doc.alliances:
            clause_span = a.clause or a.evidence
            for span in (clause_span, a.evidence):
                text = doc.span_text(span)
                text = re.sub(r"\([^()]*\d{4}[^()]*\)", lambda m: " " * len(m.group()), text)  # citations
                found = find_dates(text, base)
                if found:
                    pivot = a.trigger.start - span.start
                    best = min(found, key=lambda d: abs(d.start - pivot))
                    a.date = best.value or None  # "" is a relative date without a base: unknown
                    break
            else:
                sentence = doc.sent_text(a.sentence)
                if (
                    doc.date
                    and _lead(doc, a)
                    and not cues().earlier.search(sentence)
                    and not cues().terminations.search(sentence)  # an ended deal began earlier
                ):
                    a.date = doc.date  # the news itself: "X selects AWS", "Y lève 20 M€"
        return doc

    return step


@register("parse_amounts")
def make_parse_amounts(_: Context) -> Step:
    def step(doc: Doc) -> Doc:
        c = cues()
        per_sentence = Counter(b.sentence for b in doc.alliances)
        for a in doc.alliances:
            amounts = find_amounts(_clause(doc, a))
            alone = per_sentence[a.sentence] == 1 or a.trigger.type == "equity_investment"
            if not amounts and alone:  # "l'acquisition de X, une biotech qui…, pour 85 M€"
                amounts = find_amounts(doc.sent_text(a.sentence))
            if not amounts:
                names = {fold(n.split()[0]) for p in a.parties for n in (p.text, p.canonical) if n}
                for i in sorted({*a.context[1:], *range(a.sentence + 1, a.sentence + 3)}):
                    if i >= len(doc.sentences) or per_sentence[i]:
                        continue
                    text = doc.sent_text(i)
                    named = bool(names & set(re.findall(r"\w+", fold(text))))
                    if (
                        c.plural_pronouns.search(text)
                        or c.anaphora.search(text)
                        or (named and c.amount_context.search(text))
                    ):
                        amounts = find_amounts(text)
                        if amounts:
                            break
            if amounts:
                a.amount = amounts[0].as_dict()
        return doc

    return step


@register("set_status")
def make_set_status(_: Context) -> Step:
    def step(doc: Doc) -> Doc:
        c = cues()
        for a in doc.alliances:
            later = " ".join(doc.sent_text(i) for i in a.context if i != a.sentence)
            if c.rumour.search(doc.sent_text(a.sentence)) or (
                a.sentence <= 2 and any(c.rumour.search(doc.sent_text(i)) for i in a.context)
            ):
                a.status = None  # talks and hearsay are not a deal: kept for review, low confidence
                a.confidence = min(a.confidence, 0.3)
            elif c.terminations.search(_clause(doc, a)) or c.terminations.search(later):
                a.status = "terminated"
            elif c.announced.search(_clause(doc, a)):
                a.status = "announced"
        return doc

    return step


def _name_keys(doc: Doc) -> dict[str, str]:
    """Normalised party name -> the document's fullest form of it: "Lantern Pharma Inc." and
    "Lantern Pharma" are one key, "Aurevia" is "Aurevia Bio" when the document names both."""
    forms = {normalise(p.canonical or p.text) for a in doc.alliances for p in a.parties}
    forms.discard("")
    ordered = sorted(forms)  # the forms that extend f follow f + " " in sorted order
    out: dict[str, str] = {}
    for f in forms:
        lo = bisect.bisect_left(ordered, f + " ")
        hi = bisect.bisect_left(ordered, f + "!")  # "!" sorts right after " "
        longer = ordered[lo : min(hi, lo + 2)] if len(f) >= 3 else []
        out[f] = longer[0] if len(longer) == 1 else f
    return out


def _informative(doc: Doc, a: Alliance) -> tuple[bool, bool, bool, int]:
    s = doc.sentences[a.sentence]
    return (not s.heading, a.amount is not None, a.date is not None, s.end - s.start)


def _same_deal(doc: Doc, a: Alliance, b: Alliance) -> bool:
    """`a` (found after `b`) restates `b`: same type (or a generic headline), and not two years.
    A dated statement of an earlier deal ("En 2016, ils avaient conclu…") never restates an undated one."""
    headline = any(doc.sentences[x.sentence].heading and x.trigger.strength == "generic" for x in (a, b))
    if a.type != b.type and not headline:
        return False
    if a.date is None:
        return True
    if b.date is None:  # "X a mis fin à sa collaboration avec Y… Ils avaient signé en 2021…": the same deal
        return b.status == "terminated" or not cues().earlier.search(doc.sent_text(a.sentence))
    return a.date[:4] == b.date[:4]


@register("merge_duplicates")
def make_merge_duplicates(_: Context) -> Step:
    def step(doc: Doc) -> Doc:
        keys = _name_keys(doc)

        def key(a: Alliance) -> frozenset[str]:
            return frozenset(keys.get(normalise(p.canonical or p.text), fold(p.canonical)) for p in a.parties)

        merged: list[Alliance] = []
        by_key: dict[frozenset[str], list[Alliance]] = {}
        for a in doc.alliances:
            seen: dict[str, object] = {}
            a.parties = [
                p
                for p in a.parties
                if seen.setdefault(keys.get(normalise(p.canonical or p.text), fold(p.canonical)), p) is p
            ]
            if len(a.parties) < 2:
                continue
            twin = next((b for b in by_key.get(key(a), []) if _same_deal(doc, a, b)), None)
            if twin is None:
                merged.append(a)
                by_key.setdefault(key(a), []).append(a)
                continue
            if twin.type != a.type and doc.sentences[twin.sentence].heading:
                twin.type, twin.trigger = a.type, a.trigger
            twin.technologies = [
                t for t, _ in classes().technologies if t in {*twin.technologies, *a.technologies}
            ]
            twin.stages = [t for t, _ in classes().stages if t in {*twin.stages, *a.stages}]
            twin.therapeutic_areas = list(dict.fromkeys([*twin.therapeutic_areas, *a.therapeutic_areas]))
            if _informative(doc, a) > _informative(doc, twin):
                twin.evidence, twin.sentence, twin.clause = a.evidence, a.sentence, a.clause
            for i, p in enumerate(twin.parties):  # the fullest name the document gives
                full = keys.get(normalise(p.canonical))
                q = next((q for q in a.parties if normalise(q.canonical) == full), None)
                if q is not None and normalise(p.canonical) != full:
                    twin.parties[i] = q
            twin.date = twin.date or a.date
            twin.amount = twin.amount or a.amount
            twin.vehicle = twin.vehicle or a.vehicle
            twin.status = "terminated" if "terminated" in (twin.status, a.status) else twin.status or a.status
            twin.confidence = min(0.99, max(twin.confidence, a.confidence) + 0.05)
        doc.alliances = merged
        return doc

    return step


def evidence_span(a: Alliance) -> Span:
    return a.evidence
