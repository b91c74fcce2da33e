"""CORE (company relations in real English sentences, ../shared/corpus/core): loading, the fixed
train / dev split by `id`, and the gold records the held-back test split is scored with.

The README maps CORE relations to alliance types; a sentence whose relation is not an alliance has
no gold alliance, so any pair extracted from it is spurious. Passages are read from ../shared, never
copied into the repository.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, cast

from alliances.errors import InvalidInput
from alliances.extract.records import AllianceRecord, DocRecord

# CORE relation -> the alliance types accepted for it (README of ../shared/corpus/core); first = ours
ALLIANCE_TYPES: dict[str, list[str]] = {
    "collaboration": [
        "rd_collaboration",
        "licensing_commercialisation",
        "joint_venture",
        "open_innovation",
        "supply_or_service",
        "other",
    ],
    "acquired_by": ["acquisition"],
    "shareholder_of": ["equity_investment", "acquisition"],
    "client_of": ["supply_or_service", "licensing_commercialisation", "other"],
    "merged_with": ["acquisition", "other"],
}
SEED = 11
DEV_SHARE = 0.2
_NO_SPACE_BEFORE = {".", ",", ";", ":", "!", "?", ")", "]", "%", "'s", "’s", "n't", "'"}
_NO_SPACE_AFTER = {"(", "[", "$", "€", "£", "#"}


def shared_dir() -> Path:
    """../shared beside the repository (or beside a parent folder: worktrees); ALLIANCES_SHARED overrides."""
    env = os.environ.get("ALLIANCES_SHARED")
    if env:
        return Path(env)
    repo = Path(__file__).resolve().parents[3]
    for folder in repo.parents:
        if (folder / "shared" / "corpus").is_dir():
            return folder / "shared"
    return repo.parent / "shared"


def default_core_dir() -> Path:
    return shared_dir() / "corpus" / "core"


@dataclass(frozen=True)
class CoreSentence:
    """One CORE passage, detokenised, with the character spans of its two marked companies."""

    id: str
    text: str
    relation: str
    e1: tuple[int, int]
    e2: tuple[int, int]
    e1_name: str
    e2_name: str

    @property
    def is_alliance(self) -> bool:
        return self.relation in ALLIANCE_TYPES

    def gold(self) -> DocRecord:
        """The gold line of this sentence, in SCHEMA.md shape, as the held-back test is scored."""
        alliances: list[AllianceRecord] = []
        if self.is_alliance:
            types = ALLIANCE_TYPES[self.relation]
            alliances.append(
                {
                    "parties": [self.e1_name, self.e2_name],
                    "type": types[0],
                    "type_alternatives": types[1:],
                    "technologies": [],
                    "stages": [],
                }
            )
        return {"id": self.id, "alliances": alliances}


def detokenise(tokens: list[str]) -> tuple[str, list[tuple[int, int]]]:
    """Text and character span of each token, with ordinary spacing around punctuation."""
    out: list[str] = []
    spans: list[tuple[int, int]] = []
    pos = 0
    for k, tok in enumerate(tokens):
        glue = k == 0 or tok in _NO_SPACE_BEFORE or tokens[k - 1] in _NO_SPACE_AFTER
        if not glue:
            out.append(" ")
            pos += 1
        spans.append((pos, pos + len(tok)))
        out.append(tok)
        pos += len(tok)
    return "".join(out), spans


def _sentence(row: dict[str, Any]) -> CoreSentence:
    text, spans = detokenise([str(t) for t in row["context"]])
    e1 = (spans[row["e1_start"]][0], spans[row["e1_end"]][1])
    e2 = (spans[row["e2_start"]][0], spans[row["e2_end"]][1])
    return CoreSentence(
        str(row["id"]), text, str(row["relation"]), e1, e2, text[e1[0] : e1[1]], text[e2[0] : e2[1]]
    )


@cache
def load_core(folder: Path | None = None) -> tuple[CoreSentence, ...]:
    path = (folder or default_core_dir()) / "train.json"
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
        return tuple(_sentence(r) for r in rows)
    except (OSError, json.JSONDecodeError, KeyError, IndexError, TypeError) as exc:
        raise InvalidInput(f"{path}: cannot read CORE training data ({exc})") from exc


def split_of(sentence_id: str, seed: int = SEED, dev_share: float = DEV_SHARE) -> str:
    """'dev' or 'train', fixed by a hash of the id and the seed (stable whatever the file order)."""
    h = int(hashlib.sha256(f"{seed}:{sentence_id}".encode()).hexdigest()[:8], 16)
    return "dev" if h / 0xFFFFFFFF < dev_share else "train"


def core_split(split: str, folder: Path | None = None, limit: int | None = None) -> list[CoreSentence]:
    """The CORE sentences of one part ('train', 'dev' or 'all'), in file order."""
    if split not in ("train", "dev", "all"):
        raise InvalidInput(f"unknown CORE split {split!r} (train, dev or all)")
    rows = [s for s in load_core(folder) if split == "all" or split_of(s.id) == split]
    return rows[:limit] if limit else rows


def predict_core(sentences: list[CoreSentence], workers: int = 1) -> dict[str, DocRecord]:
    """Run the whole extraction on each sentence, as a one-sentence English document."""
    from alliances.extract.document import Doc
    from alliances.extract.run import Extraction, extract_docs

    docs = (Doc(id=s.id, text=s.text, language="en") for s in sentences)
    out: dict[str, DocRecord] = {}
    for item in extract_docs(docs, workers=workers):
        if isinstance(item, Extraction):
            out[item.record["id"]] = item.record
    return out


def marked_only(sentence: CoreSentence, record: Mapping[str, Any]) -> DocRecord:
    """The predicted alliances between the two marked companies, reduced to those two parties.

    CORE marks one pair a sentence; other companies in it carry no gold, so pairs with them are
    neither rewarded nor penalised (this gives the issue's figures for the held-back test split)."""
    from alliances.extract.evaluate import _names, _same, norm

    kept: list[AllianceRecord] = []
    for a in record.get("alliances", []):
        pair = []
        for gold_name in (sentence.e1_name, sentence.e2_name):
            hit = [p for p in a.get("parties", []) if any(_same(norm(n), norm(gold_name)) for n in _names(p))]
            pair.extend(hit[:1])
        if len(pair) == 2 and pair[0] is not pair[1]:
            kept.append(cast(AllianceRecord, {**a, "parties": pair}))
    return {"id": sentence.id, "alliances": kept}


def evaluate_core(
    split: str = "dev", folder: Path | None = None, limit: int | None = None, workers: int = 1
) -> Any:
    """Pair P / R / F1 and type accuracy on a CORE part (an evaluate.Score), marked pairs only."""
    from alliances.extract.evaluate import score

    sentences = core_split(split, folder, limit)
    gold = {s.id: s.gold() for s in sentences}
    predicted = predict_core(sentences, workers)
    return score(gold, {s.id: marked_only(s, predicted.get(s.id, {})) for s in sentences})
