"""Where CORE recall is lost: each gold alliance of a CORE part is put in the first bucket that explains
its miss (a description or pronoun party, a name not recognised, a name cut wrong, a pair never proposed,
the model's decision), and the spurious pairs are counted by CORE relation.

`python -m alliances.extract.learn.diagnose [dev|train] [--examples N]` prints the table; the figures
of docs/extraction.md come from it.
"""

from __future__ import annotations

import sys
from collections import Counter, defaultdict
from typing import Any

from alliances.extract.document import Doc, Mention
from alliances.extract.evaluate import _same, norm
from alliances.extract.learn import pairs as pairs_mod
from alliances.extract.learn.core import CoreSentence, core_split, marked_only, predict_core
from alliances.extract.learn.coref import DESCRIPTION
from alliances.extract.learn.train import PREFIX  # the steps before the pair decision

BUCKETS = (
    "found",
    "description party (no name to extract)",
    "name not recognised",
    "name cut wrong",
    "pair never proposed",
    "model below threshold",
    "other (merged away)",
)


def _over(doc: Doc, span: tuple[int, int]) -> list[Mention]:
    return [
        m for m in doc.mentions if m.start < span[1] and span[0] < m.end and pairs_mod.is_organisation_name(m)
    ]


def _exact(ms: list[Mention], gold: str) -> bool:
    return any(_same(norm(n), norm(gold)) for m in ms for n in (m.text, m.canonical) if n)


def bucket(s: CoreSentence, doc: Doc, found: bool, models: Any, threshold: float) -> str:
    """The first reason that explains why the marked pair of `s` was (not) extracted."""
    if found:
        return BUCKETS[0]
    if any(DESCRIPTION.match(n) for n in (s.e1_name, s.e2_name)):
        return BUCKETS[1]
    m1, m2 = _over(doc, s.e1), _over(doc, s.e2)
    if not m1 or not m2:
        return BUCKETS[2]
    if not (_exact(m1, s.e1_name) and _exact(m2, s.e2_name)):
        return BUCKETS[3]
    ids1, ids2 = {id(m) for m in m1}, {id(m) for m in m2}
    cands = [
        c
        for c in pairs_mod.candidates(doc)
        if {id(c.a), id(c.b)} & ids1 and {id(c.a), id(c.b)} & ids2 and id(c.a) != id(c.b)
    ]
    if not cands:
        return BUCKETS[4]
    probs, _ = models.score(cands)
    return BUCKETS[5] if max(probs) < threshold else BUCKETS[6]


def breakdown(split: str = "dev", examples: int = 0) -> list[str]:
    from alliances.extract.pipeline import Pipeline
    from alliances.extract.resources import pipeline_config

    sentences = core_split(split)
    predicted = predict_core(sentences)
    docs = Pipeline.from_config(names=PREFIX).pipe(
        [Doc(id=s.id, text=s.text, language="en") for s in sentences]
    )
    models = pairs_mod.load_models()
    if models is None:
        raise SystemExit("no pair model: run `alliances train` first")
    fixed = pipeline_config().get("pairs", {}).get("threshold", "model")
    counts: Counter[str] = Counter()
    spurious: Counter[str] = Counter()
    shown: dict[str, list[str]] = defaultdict(list)
    for s, doc in zip(sentences, docs, strict=True):
        found = bool(marked_only(s, predicted.get(s.id, {}))["alliances"])
        if not s.is_alliance:
            if found:
                spurious[s.relation] += 1
            continue
        threshold = models.thresholds(doc)[0] if fixed == "model" else float(fixed)
        b = bucket(s, doc, found, models, threshold)
        counts[b] += 1
        if b != BUCKETS[0] and len(shown[b]) < examples:
            shown[b].append(f"    {s.e1_name} | {s.e2_name} | {s.relation} | {s.text[:120]}")
    gold = sum(counts.values())
    lines = [f"CORE {split}: {gold} gold alliances"]
    for b in BUCKETS:
        lines.append(f"  {b:42s} {counts[b]:4d}  {counts[b] / max(1, gold):.3f}")
        lines.extend(shown.get(b, []))
    named = gold - counts[BUCKETS[1]]
    lines.append(f"  recall over named pairs only: {counts[BUCKETS[0]] / max(1, named):.3f} of {named}")
    lines.append(f"spurious marked pairs by CORE relation ({sum(spurious.values())}):")
    lines += [f"  {r:42s} {n:4d}" for r, n in spurious.most_common()]
    return lines


def main(argv: list[str]) -> None:
    split = argv[0] if argv and not argv[0].startswith("-") else "dev"
    n = int(argv[argv.index("--examples") + 1]) if "--examples" in argv else 0
    print("\n".join(breakdown(split, n)))


if __name__ == "__main__":
    main(sys.argv[1:])
