"""The learned alliance decision: every pair of organisation mentions in a sentence is a candidate,
scored by a logistic regression over features of the pair; a second model gives the alliance type.

The rules of `find_alliances` are candidate generators and features here ("the rules paired these
two", with which trigger type), not the final word. Probabilities are the alliance `confidence`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import combinations
from pathlib import Path
from typing import Any

from alliances.extract.document import Alliance, Doc, Mention, Span, Trigger
from alliances.extract.gazetteer import fold
from alliances.extract.learn import coref, encoder, nonnames
from alliances.extract.learn.ner import common_words, not_organisations, places
from alliances.extract.pipeline import Context, Step, register
from alliances.extract.resources import cues, pipeline_config

MAX_MENTIONS = 12  # per sentence: at most 66 candidate pairs
N_FEATURES = 2**18
THRESHOLD = 0.5
CONTEXT = 10  # words each side of the pair whose relation classes are features
_TOKEN = re.compile(r"\w+(?:['’]\w+)?|[^\w\s]")


MODEL_PATH = Path(__file__).resolve().parents[2] / "data" / "models" / "pairs.joblib"


def model_path() -> Path:
    return MODEL_PATH


@dataclass
class Candidate:
    """Two organisation mentions of one sentence (a before b) and what the rules said of them."""

    doc: Doc
    sentence: int
    a: Mention
    b: Mention
    rule: Alliance | None = None
    mentions: Sequence[Mention] = ()  # the sentence's organisation mentions
    triggers: Sequence[Trigger] = ()  # the sentence's alliance expressions
    window: tuple[int, int] | None = None  # a headline and its lead, or two sentences of a paragraph
    described: str = ""  # one party is a description ("the company"): where it was resolved (coref.py)


def _words(text: str) -> list[str]:
    return [t.lower() for t in _TOKEN.findall(text)]


def _bucket(n: int) -> str:
    return str(n) if n < 5 else "5-9" if n < 10 else "10-19" if n < 20 else "20+"


@cache
def _ticker_prefix() -> re.Pattern[str]:
    from alliances.taxonomy import load_data_file

    words = str(load_data_file("extract/not_organisations.yaml").get("exchanges", "")).split()
    return re.compile(rf"\b(?:{'|'.join(map(re.escape, words))})(?: [A-Z][a-z]+)?\s*:\s*$", re.I)


def is_ticker(doc: Doc, m: Mention) -> bool:
    """ "(NASDAQ: LTRN)": a ticker names a listing, not a party."""
    return bool(_ticker_prefix().search(doc.text[max(0, m.start - 30) : m.start]))


_DATELINE = re.compile(
    r"^(?:(?:,\s*[A-Z][a-z]+(?: [A-Z][a-z]+)?(?=,))?"  # ", Germany"
    r",\s*(?:\d{1,2}(?:er)?\.? [^\W\d]+\.? \d{4}|[A-Z][a-z]+\.? \d{1,2}\b|\d{4}-\d\d)"
    r"|\s*\([^)]{1,30}\)\s*[—–-]"
    r"|,\s*[A-Z][a-z]+\.?(?: [A-Z][a-z]+\.?)?\s*(?:--?|[—–])\s)"  # "SOUTH SAN FRANCISCO, Calif. --"
)


def is_dateline(doc: Doc, m: Mention) -> bool:
    """ "VÉLIZY-VILLACOUBLAY, 12 juin 2019 -", "ERLANGEN, Germany, Aug. 8", "SOUTH SAN FRANCISCO, Calif.
    --": a capitalised place opening a line before a date or a dash is a dateline, not a party."""
    line_start = m.start == 0 or doc.text[m.start - 1] == "\n"
    letters = [ch for ch in m.text if ch.isalpha()]
    return (
        line_start
        and bool(letters)
        and all(ch.isupper() for ch in letters)
        and bool(_DATELINE.match(doc.text[m.end : m.end + 40]))
    )


def is_described(c: Candidate) -> bool:
    return "description" in (c.a.source, c.b.source)


def key(m: Mention) -> str:
    return fold(m.canonical or m.text)


def is_organisation_name(m: Mention) -> bool:
    """Places, months, dates, amounts, currencies, titles and nationalities are never parties: a name
    needs a word of two letters or more that is none of those ("Series B", "22 May 2025" are not)."""
    if m.source in ("gazetteer", "description"):
        return True
    if m.source == "ner" and not re.search(r"[A-Z0-9]\S*$", m.text):  # "Advance Kidney Disease programme"
        return False
    if re.search(
        r"-(?:based|born|listed|headquartered)?$", m.text, re.I
    ):  # or cut there: "Lyon-"  # "a Minneapolis-based maker"
        return False
    if re.sub(r"^the ", "", fold(m.text)).strip(" .") in places():  # "Brisbane", "Memphis", "Verona"
        return False
    if m.source in ("ner", "weak") and fold(m.text) in common_words():  # "Camera", "Synthetic"
        return False
    neg = not_organisations() | cues().stop_names
    words = [fold(w).strip(".") for w in re.findall(r"[\w.&'’-]+", m.text) if re.search(r"[^\W\d_]", w)]
    return any(len(w) > 1 and w not in neg for w in words)


@cache
def _relation_classes() -> tuple[tuple[str, re.Pattern[str]], ...]:
    from alliances.taxonomy import load_data_file

    raw = load_data_file("extract/relation_words.yaml")["classes"]
    return tuple((name, re.compile(rf"^{rx}")) for name, rx in raw.items())


def relation_classes(words: Sequence[str]) -> list[str]:
    """The relation word classes (relation_words.yaml) of each word, in order."""
    return [name for w in words for name, rx in _relation_classes() if rx.match(w)]


_classes = relation_classes


_SOURCE = {"gazetteer": "ner"}
_KEPT = {"and", "&", ",", "with", "by", "to", "from", "of", "for", "in", "into", "at", "'s", "’s", "(", ")"}
_KEPT |= {"et", "avec", "par", "dans", "de", "du", "des", "à", "au", "auprès"}


def _shape(words: Sequence[str]) -> str:
    """The words between the names reduced to their skeleton: class words as their class, function
    words kept, any other run of words as "w" ("and chip giant" -> "and_w", "was bought by" ->
    "w_CONTROL_by")."""
    if len(words) > 10:
        return "long"
    out: list[str] = []
    for w in words:
        cls = _classes([w])
        tok = cls[0].upper() if cls else w if w in _KEPT else "w"
        if not out or out[-1] != tok:
            out.append(tok)
    return "_".join(out) or "-"


def _relation_features(before: Sequence[str], between: Sequence[str], after: Sequence[str]) -> list[str]:
    """Relation word classes between, before and after the pair, and the skeleton of the gap: what
    generalises from one verb of CORE to its synonyms ("bought" -> "purchased", "injecte")."""
    mid, pre, post = _classes(between), _classes(before), _classes(after)
    f = [f"rc_mid:{x}" for x in dict.fromkeys(mid)] + [f"rc_pre:{x}" for x in dict.fromkeys(pre)]
    f += [f"rc_post:{x}" for x in dict.fromkeys(post)] + [f"shape:{_shape(between)}"]
    f.append(f"rc_mid1:{mid[0]}" if mid else "rc_mid1:-")
    # the gap with what comes after and before: "A and chip giant B have entered into a collaboration"
    # (coordinated subjects, the relation after them) is not "A, B and C are listed in a study"
    shape = _shape(between)
    f += [f"sp:{shape}|{post[0] if post else '-'}", f"ps:{pre[-1] if pre else '-'}|{shape}"]
    return f


_LIST_GAP = re.compile(r"^\s*(?:,|;)?\s*(?:(?:and|or|&|et|ou)\s+)?(?:the\s+)?$|^\s*,\s*$", re.I)


def _lists(text: str, mentions: Sequence[Mention]) -> dict[int, tuple[int, int]]:
    """Each mention's coordinated run ("Roche, Sanofi and AstraZeneca"): id -> (run number, run size)."""
    ms = sorted({id(m): m for m in mentions}.values(), key=lambda m: m.start)
    runs: list[list[Mention]] = []
    for m in ms:
        if runs and runs[-1][-1].end <= m.start and _LIST_GAP.match(text[runs[-1][-1].end : m.start]):
            runs[-1].append(m)
        else:
            runs.append([m])
    return {id(m): (k, len(run)) for k, run in enumerate(runs) for m in run}


def _list_features(c: Candidate) -> list[str]:
    """Where the two names sit in coordinated lists: one list ("A, B and C signed"), two different
    lists ("ranks A, B and C … cites X, Y and Z"), or a list and a lone name ("X's clients include A, B")."""
    runs = _lists(c.doc.text, [*c.mentions, c.a, c.b])
    (ka, na), (kb, nb) = runs[id(c.a)], runs[id(c.b)]
    la, lb = "L" if na > 1 else "1", "L" if nb > 1 else "1"
    f = [f"lists:{la}{lb}", f"listsize:{_bucket(max(na, nb))}"]
    if na > 1 and ka == kb:
        f.append(f"samelist:{_bucket(na)}")
    elif na > 1 and nb > 1:
        f.append("twolists")
    return f


def features(c: Candidate) -> list[str]:
    """String features of a candidate pair (hashed): words between and around, the masked sentence,
    triggers and their place, mention sources, the rules' verdict."""
    doc, sent = c.doc, c.doc.sentences[c.sentence]
    start, end = c.window or (sent.start, sent.end)
    text = doc.text
    between = text[c.a.end : c.b.start]
    before = _words(text[max(start, c.a.start - 60) : c.a.start])[-3:]
    after = _words(text[c.b.end : min(end, c.b.end + 60)])[:3]
    bw = _words(between)
    others = [m for m in c.mentions if m is not c.a and m is not c.b]
    inside = sum(1 for m in others if c.a.end <= m.start and m.end <= c.b.start)
    f = [f"b:{w}" for w in bw] + [f"bb:{x}_{y}" for x, y in zip(bw, bw[1:], strict=False)]
    f += [f"l:{w}" for w in before] + [f"r:{w}" for w in after]
    f += [f"l1:{before[-1]}" if before else "l1:^", f"r1:{after[0]}" if after else "r1:$"]
    f += [f"bf:{bw[0]}" if bw else "bf:-", f"bl:{bw[-1]}" if bw else "bl:-"]
    # the sentence with the pair masked: its words and bigrams anywhere
    masked = text[start : c.a.start] + " E1 " + between + " E2 " + text[c.b.end : end]
    sw = _words(masked)
    f += [f"s:{w}" for w in sw] + [f"ss:{x}_{y}" for x, y in zip(sw, sw[1:], strict=False)]
    f += [f"st:{w[:5]}" for w in sw if len(w) > 5] + [f"bst:{w[:5]}" for w in bw if len(w) > 5]
    if c.window is not None:
        f += ["cross", f"cross_head:{sent.heading}"]
    f += [f"gap:{_bucket(len(bw))}", f"inside:{_bucket(inside)}", f"others:{_bucket(len(others))}"]
    # a knowledge-base name counts as any recognised name: our gold articles name known companies, so
    # "both known" would otherwise teach that two known companies in a sentence are partners
    sa, sb = (_SOURCE.get(m.source, m.source) for m in (c.a, c.b))
    f += [f"src:{sa}_{sb}", f"srca:{sa}", f"srcb:{sb}"]
    f += [f"kinds:{c.a.kind}_{c.b.kind}", f"lang:{doc.language}", f"head:{sent.heading}"]
    f += [f"pos:{_bucket(c.sentence)}", f"doclen:{_bucket(len(doc.sentences))}"]
    if not c.triggers:
        f += ["notrig", f"notrig_doclen:{_bucket(len(doc.sentences))}"]
    if text[c.a.end : c.a.end + 2] in ("'s", "’s") or text[c.b.end : c.b.end + 2] in ("'s", "’s"):
        f.append("possessive")
    if before[-1:] == ["("] or "(" in bw[-1:]:
        f.append("parens")
    for t in c.triggers:
        where = (
            "mid" if c.a.end <= t.start and t.end <= c.b.start else "pre" if t.end <= c.a.start else "post"
        )
        dist = min(abs(t.start - c.a.end), abs(c.b.start - t.end), abs(t.start - c.b.end))
        f += [f"t:{t.type}", f"tw:{t.type}_{where}", f"td:{where}_{_bucket(dist // 10)}", f"ts:{t.strength}"]
    if c.rule is not None:
        f += ["rule", f"rule:{c.rule.type}", f"rule_{doc.language}"]
    d = next((m for m in (c.a, c.b) if m.source == "description"), None)
    if d is None:  # name pairs only: on description pairs these lowered CV F1 (0.704 -> 0.687)
        pre, post = _words(text[start : c.a.start])[-CONTEXT:], _words(text[c.b.end : end])[:CONTEXT]
        return f + _relation_features(pre, bw, post) + _list_features(c)
    # a pair with a description learns in its own feature space: its CORE examples (Wikipedia passages
    # about their own subject, "the company's customers include A, B, C") would otherwise teach name
    # pairs that a list of names is an alliance (measured: fresh articles F1 0.73 -> 0.65)
    word = _words(text[d.start : d.end])[-1:] or ["?"]
    return [f"D|{x}" for x in f] + ["desc", f"desc:{c.described or 'marked'}", f"desc_w:{word[0]}"]


def unresolved_rule() -> str:
    """pipeline.yaml `pairs.unresolved_descriptions`: "alone" (a description with no antecedent, such as
    "the company" opening a text, is a party only when the text names no organisation outside its
    sentence that it could stand for) or "keep" (always, as written)."""
    return str(pipeline_config().get("pairs", {}).get("unresolved_descriptions", "keep"))


def is_party(doc: Doc, m: Mention) -> bool:
    """A name that can be a party, or what a description stands for: an organisation name that is not
    a ticker, a dateline or, by its place in the text, a non-name (nonnames.py)."""
    return (
        is_organisation_name(m)
        and not is_ticker(doc, m)
        and not is_dateline(doc, m)
        and not nonnames.is_non_name(doc, m)
    )


def candidates(doc: Doc) -> Iterator[Candidate]:
    """Pairs of distinct organisations named in one sentence, the closest occurrences of each."""
    rules: dict[tuple[int, frozenset[str]], Alliance] = {}
    for al in doc.alliances:
        for p, q in combinations(al.parties, 2):
            rules.setdefault((al.sentence, frozenset((key(p), key(q)))), al)
    triggers: dict[int, list[Trigger]] = {}
    for t in doc.triggers:
        triggers.setdefault(t.sentence, []).append(t)
    by_sentence: dict[int, list[Mention]] = {}
    k = 0
    for m in doc.mentions:  # both sorted by start: one pass
        while k < len(doc.sentences) and doc.sentences[k].end <= m.start:
            k += 1
        if k < len(doc.sentences) and doc.sentences[k].start <= m.start and is_party(doc, m):
            by_sentence.setdefault(k, []).append(m)
    parents = {fold(k): fold(v) for k, v in doc.parents.items()}
    alone = unresolved_rule() == "alone"
    for i, ms in by_sentence.items():
        seen: set[frozenset[str]] = set()
        for pair, (a, b) in _closest(doc.text, ms, ms, parents):
            seen.add(pair)
            yield Candidate(doc, i, a, b, rules.get((i, pair)), ms, triggers.get(i, []))
        # an unresolved description names no one: with names in other sentences it may be any of them
        unresolved = not alone or all(k == i for k in by_sentence)
        yield from _described(doc, i, ms, seen, triggers.get(i, []), parents, unresolved)
        nxt = by_sentence.get(i + 1)
        if nxt and _joined(doc, i):
            for pair, (a, b) in _closest(doc.text, ms, nxt, parents):
                if pair not in seen:
                    window = (doc.sentences[i].start, doc.sentences[i + 1].end)
                    trigs = [*triggers.get(i, []), *triggers.get(i + 1, [])]
                    yield Candidate(doc, i, a, b, None, [*ms, *nxt], trigs, window)
    for i, nxt in by_sentence.items():  # "In 2017, the company raised $13.5M. Investors included Beta."
        lone = not alone or len(by_sentence) == 1
        if i > 0 and i - 1 not in by_sentence and _joined(doc, i - 1) and lone:
            yield from _described_before(doc, i - 1, nxt, [*triggers.get(i - 1, []), *triggers.get(i, [])])


def _joined(doc: Doc, i: int) -> bool:
    """Sentence `i` and the next are read together: a headline and its lead, or one paragraph."""
    return i + 1 < len(doc.sentences) and (
        doc.sentences[i].heading or doc.sentences[i].paragraph == doc.sentences[i + 1].paragraph
    )


def _described_before(doc: Doc, i: int, nxt: list[Mention], trigs: list[Trigger]) -> Iterator[Candidate]:
    """A description that opens the text unresolved (the passage is about its own subject) in sentence
    `i`, which names no one, paired with each name of the next sentence."""
    found = [m for m, w in coref.description_mentions(doc, i, lambda m: is_party(doc, m)) if w == "none"]
    window = (doc.sentences[i].start, doc.sentences[i + 1].end)
    for d in found[:1]:
        for b in nxt[:MAX_MENTIONS]:
            if key(b) != key(d):
                yield Candidate(doc, i, d, b, None, [d, *nxt], trigs, window, described="none")


def _described(
    doc: Doc,
    i: int,
    ms: list[Mention],
    seen: set[frozenset[str]],
    trigs: list[Trigger],
    parents: dict[str, str],
    unresolved: bool = True,
) -> Iterator[Candidate]:
    """Pairs of a description mention ("the company", resolved) with a name of its sentence, for the
    organisation pairs the names alone did not make (`unresolved`: also those left as written)."""
    found = coref.description_mentions(doc, i, lambda m: is_party(doc, m))
    if not unresolved:
        found = [(m, w) for m, w in found if w != "none"]
    if not found:
        return
    where = {id(m): w for m, w in found}
    merged = sorted([*ms, *(m for m, _ in found)], key=lambda m: m.start)
    for pair, (a, b) in _closest(doc.text, merged, merged, parents):
        if pair in seen or (id(a) in where) == (id(b) in where):
            continue
        seen.add(pair)
        yield Candidate(doc, i, a, b, None, merged, trigs, described=where.get(id(a)) or where[id(b)])


def _parent(m: Mention, parents: dict[str, str]) -> str:
    return fold(m.parent) if m.parent else parents.get(key(m), "")


def _closest(
    text: str, left: list[Mention], right: list[Mention], parents: dict[str, str]
) -> list[tuple[frozenset[str], tuple[Mention, Mention]]]:
    """Distinct organisation pairs (a before b) from two mention lists, their closest occurrences;
    never a company with its own subsidiary, nor the owner named only in "Roche's Genentech unit"."""
    best: dict[frozenset[str], tuple[Mention, Mention]] = {}
    owned: set[frozenset[str]] = set()
    skip = nonnames.possessors(text, left) | nonnames.possessors(text, right)
    for a in left[: MAX_MENTIONS * 2]:
        for b in right[: MAX_MENTIONS * 2]:
            if b.start < a.end or id(a) in skip or id(b) in skip:
                continue
            ka, kb = key(a), key(b)
            if ka == kb or ka in kb.split() or kb in ka.split():
                continue
            if _parent(a, parents) == kb or _parent(b, parents) == ka:
                continue
            pair = frozenset((ka, kb))
            if nonnames.owned(text, a, b):  # "Corindus's CorPath platform": never partners
                owned.add(pair)
            old = best.get(pair)
            if old is None or b.start - a.end < old[1].start - old[0].end:
                best[pair] = (a, b)
    kept = [(pair, ab) for pair, ab in best.items() if pair not in owned]
    return kept[: MAX_MENTIONS * (MAX_MENTIONS - 1) // 2]


@dataclass
class PairModels:
    """The alliance decision (binary) and the type classifier, with their training figures."""

    alliance: Any
    type: Any
    meta: dict[str, Any]

    @property
    def threshold(self) -> float:
        """The decision threshold chosen by cross-validation on CORE train when the model was trained."""
        return float(self.meta.get("pair_model", {}).get("threshold", THRESHOLD))

    @property
    def described_threshold(self) -> float:
        """The same, for pairs with a description party (cross-validated on those pairs alone)."""
        return float(self.meta.get("pair_model", {}).get("threshold_described", self.threshold))

    def encodes(self, doc: Doc) -> bool:
        """Whether this model's encoder columns score the pairs of `doc` (encoder.py)."""
        return bool(self.meta.get("encoder")) and encoder.applies(doc) and encoder.available()

    def thresholds(self, doc: Doc) -> tuple[float, float]:
        """The thresholds for name pairs and description pairs of `doc`: cross-validated for the model
        that scores them, the word model with the encoder's head or (models v7) the word model alone."""
        figures = self.meta.get("pair_model", {})
        if self.encodes(doc) or "threshold_words" not in figures:
            return self.threshold, self.described_threshold
        words = float(figures["threshold_words"])
        return words, float(figures.get("threshold_words_described", words))

    def vectorise(self, cands: Sequence[Candidate]) -> Any:
        """The hashed word features; then, for a model trained with the encoder (metadata `encoder`)
        and with the encoder installed, its columns (`encoder.py`)."""
        from scipy.sparse import csr_matrix, hstack
        from sklearn.feature_extraction import FeatureHasher

        hasher = FeatureHasher(n_features=N_FEATURES, input_type="string", alternate_sign=False)
        words = hasher.transform(features(c) for c in cands)
        if not any(self.encodes(c.doc) for c in cands):  # loads the encoder only for a text it scores
            return words
        return hstack([words, csr_matrix(encoder.candidate_vectors(list(cands)))], format="csr")

    def score(self, cands: Sequence[Candidate]) -> tuple[list[float], list[str]]:
        if not cands:
            return [], []
        x = self.vectorise(cands)
        probs = self.alliance.predict_proba(x)[:, 1]
        types = self.type.predict(x[:, :N_FEATURES])
        return [float(p) for p in probs], [str(t) for t in types]


@cache
def load_models(path: str | None = None) -> PairModels | None:
    import joblib

    file = Path(path) if path else model_path()
    if not file.is_file():
        return None
    raw = joblib.load(file)
    return PairModels(raw["alliance"], raw["type"], raw["meta"])


def decide(
    doc: Doc,
    models: PairModels,
    threshold: float = THRESHOLD,
    need_trigger: Sequence[str] = ("fr",),
    long_document: int = 6,
    long_threshold: float = THRESHOLD,
    described_threshold: float | None = None,
) -> Doc:
    """Replace the rules' alliances by the pairs the model accepts (keeping the rules' records,
    with their extra parties and vehicle, where the model agrees with them). In the languages of
    `need_trigger` (little learned data), and in documents of `long_document` sentences or more, a pair
    the rules did not make needs an alliance expression in its window."""
    long = len(doc.sentences) >= long_document
    gated = doc.language in need_trigger or long
    bar = max(threshold, long_threshold) if long else threshold
    cands = list(candidates(doc))
    probs, types = models.score(cands)
    # names the rules placed in a sentence's alliances: two of them the rules kept apart stay apart
    # ("led by ARCH, with participation from Novo": investors are each paired with the company)
    placed = {(al.sentence, key(p)) for al in doc.alliances for p in al.parties}
    vehicles = {fold(al.vehicle) for al in doc.alliances if al.vehicle}  # a joint venture is not a party
    kept_rules: dict[int, list[float]] = {}
    new: list[Alliance] = []
    for c, p, t in zip(cands, probs, types, strict=True):
        if c.rule is not None:
            kept_rules.setdefault(id(c.rule), []).append(p)
            continue
        need = described_threshold if described_threshold is not None and c.described and not long else bar
        if p < need or (not c.triggers and gated):
            continue
        if (c.sentence, key(c.a)) in placed and (c.sentence, key(c.b)) in placed:
            continue
        if key(c.a) in vehicles or key(c.b) in vehicles:
            continue
        trig = c.triggers[0] if c.triggers else None
        s = doc.sentences[c.sentence]
        start, end = c.window or (s.start, s.end)
        trigger = Trigger(
            trig.start if trig else s.start,
            trig.end if trig else s.start,
            type=t,
            strength="strong",
            sentence=c.sentence,
        )
        new.append(
            Alliance(
                parties=[c.a, c.b],
                trigger=trigger,
                evidence=Span(start, end),
                type=t,
                confidence=p,
                clause=Span(start, end),
                sentence=c.sentence,
            )
        )
    out = []
    for al in doc.alliances:
        al.parties = [p for p in al.parties if is_party(doc, p)]
        if len(al.parties) < 2:
            continue
        ps = kept_rules.get(id(al))
        if ps is None:  # a pair the generator did not see (pronoun, earlier sentence): rules decide
            out.append(al)
            continue
        prob = sum(ps) / len(ps)
        if prob >= threshold:
            al.confidence = prob
            out.append(al)
    doc.alliances = sorted([*out, *new], key=lambda al: (al.sentence, al.evidence.start))
    return doc


@register("score_pairs")
def make_score_pairs(context: Context) -> Step:
    conf = context.config.get("pairs", {})
    fixed = conf.get("threshold", "model")  # "model": the one cross-validated at training (metadata)
    need_trigger = tuple(conf.get("need_trigger", ["fr"]))
    long_document = int(conf.get("long_document", 6))
    long_bar = conf.get("long_document_threshold")

    def step(doc: Doc) -> Doc:
        models = load_models()
        if models is None:
            return doc
        threshold, described = models.thresholds(doc) if fixed == "model" else (float(fixed), float(fixed))
        long_threshold = threshold if long_bar is None else float(long_bar)
        return decide(doc, models, threshold, need_trigger, long_document, long_threshold, described)

    return step
