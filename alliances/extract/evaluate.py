"""Scoring extraction against a gold file, with the same figures as shared/tools/score_extraction.py
(pair P/R/F1, type accuracy, technology and stage F1, dates, amounts) plus, per document, the
missed and spurious pairs.
"""

from __future__ import annotations

import itertools
import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alliances.errors import InvalidInput
from alliances.extract.records import DocRecord

LEGAL = {
    "inc",
    "ltd",
    "plc",
    "sa",
    "sas",
    "ag",
    "gmbh",
    "llc",
    "corp",
    "corporation",
    "co",
    "group",
    "groupe",
    "the",
    "le",
    "la",
    "les",
    "l",
    "laboratoires",
}


CONFIDENT = 0.8  # "precision at confidence >= 0.8" is reported at this level


def norm(name: str) -> str:
    s = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    s = re.sub(r"\(.*?\)", " ", s)
    return " ".join(t for t in re.split(r"[^a-z0-9]+", s) if t and t not in LEGAL)


def _names(party: Any) -> list[str]:
    if isinstance(party, str):
        return [party]
    out = [party.get("name"), party.get("canonical"), *party.get("aliases", [])]
    return [n for n in out if n]


def _same(a: str, b: str) -> bool:
    if not a or not b:
        return False
    short, long_ = sorted((a, b), key=len)
    return a == b or long_.startswith(short + " ")


def load(path: str | Path) -> dict[str, DocRecord]:
    """A JSON Lines file of SCHEMA.md records (gold or predicted), by document id."""
    try:
        with open(path, encoding="utf-8") as f:
            return {d["id"]: d for d in (json.loads(line) for line in f if line.strip())}
    except (OSError, json.JSONDecodeError, KeyError, TypeError) as exc:
        raise InvalidInput(f"{path}: cannot read as JSON Lines with an id per line ({exc})") from exc


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


@dataclass
class Score:
    documents: int = 0
    gold_alliances: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    matched: int = 0
    type_ok: int = 0
    tech: list[int] = field(default_factory=lambda: [0, 0, 0])
    stage: list[int] = field(default_factory=lambda: [0, 0, 0])
    date_n: int = 0
    date_ok: int = 0
    amount_n: int = 0
    amount_ok: int = 0
    per_document: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    confident: int = 0  # predicted pairs with confidence >= CONFIDENT
    confident_tp: int = 0  # ... of which right

    @property
    def pairs(self) -> tuple[float, float, float]:
        return _prf(self.tp, self.fp, self.fn)

    @property
    def type_accuracy(self) -> float:
        return self.type_ok / self.matched if self.matched else 0.0

    @property
    def confident_precision(self) -> float:
        return self.confident_tp / self.confident if self.confident else 0.0

    @property
    def confident_recall(self) -> float:
        gold = self.tp + self.fn
        return self.confident_tp / gold if gold else 0.0

    @property
    def technology_f1(self) -> float:
        return _prf(*self.tech)[2]

    @property
    def stage_f1(self) -> float:
        return _prf(*self.stage)[2]

    def lines(self) -> list[str]:
        p, r, f = self.pairs
        return [
            f"documents {self.documents}, gold alliances {self.gold_alliances}, matched {self.matched}",
            f"pairs      P {p:.3f}  R {r:.3f}  F1 {f:.3f}  (tp {self.tp}, fp {self.fp}, fn {self.fn})",
            f"type       accuracy {self.type_accuracy:.3f} on {self.matched} matched",
            f"technology F1 {self.technology_f1:.3f}   stage F1 {self.stage_f1:.3f}",
            f"date       {self.date_ok}/{self.date_n}   amount {self.amount_ok}/{self.amount_n}",
            f"confidence >= {CONFIDENT}: precision {self.confident_precision:.3f} on {self.confident} pairs, "
            f"{self.confident_recall:.3f} of gold pairs above it",
            f"pair F1 {f:.3f}",
        ]


def score(gold: Mapping[str, DocRecord], pred: Mapping[str, DocRecord]) -> Score:
    """Compare predictions with gold, document by document."""
    sc = Score(documents=len(gold), gold_alliances=sum(len(d.get("alliances", [])) for d in gold.values()))
    for doc_id, g in gold.items():
        _score_document(sc, doc_id, g, pred.get(doc_id, {}))
    return sc


def _score_document(sc: Score, doc_id: str, g: Mapping[str, Any], pdoc: Mapping[str, Any]) -> None:
    entities: list[list[str]] = []

    def key_of(party: Any, create: bool) -> int | str:
        forms = [norm(n) for n in _names(party)]
        for i, ent in enumerate(entities):
            if any(_same(f, e) for f in forms for e in ent):
                return i
        if not create:
            return "?" + forms[0]
        entities.append(forms)
        return len(entities) - 1

    def pairs_of(a: dict[str, Any], create: bool) -> set[frozenset[int | str]]:
        keys = sorted({key_of(p, create) for p in a.get("parties", [])}, key=str)
        return {frozenset(pq) for pq in itertools.combinations(keys, 2)}

    gold_all: list[tuple[dict[str, Any], set[frozenset[int | str]]]] = []
    ignored: set[frozenset[int | str]] = set()
    for a in g.get("alliances", []):
        ps = pairs_of(a, True)
        if a.get("optional"):
            ignored |= ps
        else:
            gold_all.append((a, ps))
    pred_all = [(a, pairs_of(a, False)) for a in pdoc.get("alliances", [])]
    gold_pairs: set[frozenset[int | str]] = set().union(*[s for _, s in gold_all]) if gold_all else set()
    pred_pairs = (set().union(*[s for _, s in pred_all]) if pred_all else set()) - (ignored - gold_pairs)
    top: dict[frozenset[int | str], float] = {}
    for a, ps in pred_all:
        for pq in ps & pred_pairs:
            top[pq] = max(top.get(pq, 0.0), float(a.get("confidence") or 0.0))
    sure = {pq for pq, c in top.items() if c >= CONFIDENT}
    sc.confident += len(sure)
    sc.confident_tp += len(sure & gold_pairs)
    sc.tp += len(gold_pairs & pred_pairs)
    sc.fp += len(pred_pairs - gold_pairs)
    sc.fn += len(gold_pairs - pred_pairs)

    def show(ps: set[frozenset[int | str]]) -> list[str]:
        return sorted(
            "+".join(entities[k][0] if isinstance(k, int) else k for k in sorted(p, key=str)) for p in ps
        )

    sc.per_document[doc_id] = {
        "missed": show(gold_pairs - pred_pairs),
        "spurious": show(pred_pairs - gold_pairs),
    }

    def agreement(a: dict[str, Any], p: dict[str, Any]) -> tuple[bool, int, bool]:
        allowed = {a["type"], *a.get("type_alternatives", [])}
        overlap = len(set(p.get("technologies", [])) & set(a["technologies"])) + len(
            set(p.get("stages", [])) & set(a["stages"])
        )
        return p.get("type") in allowed, overlap, str(p.get("date") or "")[:4] == str(a.get("date") or "")[:4]

    options = sorted(
        (
            (agreement(a, p), gi, pi)
            for gi, (a, gp) in enumerate(gold_all)
            for pi, (p, pp) in enumerate(pred_all)
            if gp & pp
        ),
        reverse=True,
    )
    used_g: set[int] = set()
    used_p: set[int] = set()
    for _, gi, pi in options:
        if gi in used_g or pi in used_p:
            continue
        used_g.add(gi)
        used_p.add(pi)
        a, best = gold_all[gi][0], pred_all[pi][0]
        sc.matched += 1
        sc.type_ok += best.get("type") in {a["type"], *a.get("type_alternatives", [])}
        for acc, fld in ((sc.tech, "technologies"), (sc.stage, "stages")):
            gs = set(a[fld])
            ps = set(best.get(fld, [])) - (set(a.get(fld + "_optional", [])) - gs)
            acc[0] += len(gs & ps)
            acc[1] += len(ps - gs)
            acc[2] += len(gs - ps)
        if a.get("date"):
            sc.date_n += 1
            sc.date_ok += str(best.get("date") or "")[:4] == a["date"][:4]
        if a.get("amount"):
            sc.amount_n += 1
            pa = best.get("amount") or {}
            try:
                ok = (
                    pa.get("currency") == a["amount"]["currency"]
                    and abs(float(pa.get("value") or "nan") - a["amount"]["value"])
                    <= 0.01 * a["amount"]["value"]
                )
            except (TypeError, ValueError):
                ok = False
            sc.amount_ok += ok


def evaluate_files(gold_path: str | Path, pred_path: str | Path) -> Score:
    return score(load(gold_path), load(pred_path))
