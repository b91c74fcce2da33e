"""The maturity model, loaded from `alliances/data/maturity/model.yaml` into small frozen records.

Technology dimensions are expanded from the technology × link grid; organisation dimensions are
listed in the file. Nothing here knows about storage or HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from alliances.errors import InvalidInput
from alliances.taxonomy import load_data_file, vocab

QUESTION_TYPES = ("adoption", "done_planned", "ynp")


@dataclass(frozen=True)
class Level:
    number: int
    key: str
    en: str
    fr: str

    def label(self, lang: str = "en") -> str:
        return self.fr if lang == "fr" else self.en


@dataclass(frozen=True)
class Question:
    key: str
    dimension: str
    type: str
    en: str
    fr: str
    must_have: int | None = None  # the level this item gates, if it is a must-have
    technology: str | None = None
    link: str | None = None

    def label(self, lang: str = "en") -> str:
        return self.fr if lang == "fr" else self.en


@dataclass(frozen=True)
class Dimension:
    key: str
    kind: str  # "technology" or "organisation"
    en: str
    fr: str
    importance: float
    descriptors: tuple[tuple[str, str], ...]  # (en, fr) per level, lowest first

    def label(self, lang: str = "en") -> str:
        return self.fr if lang == "fr" else self.en

    def descriptor(self, level: int, lang: str = "en") -> str:
        en, fr = self.descriptors[level - 1]
        return fr if lang == "fr" else en


@dataclass(frozen=True)
class Model:
    levels: tuple[Level, ...]
    dimensions: tuple[Dimension, ...]
    questions: tuple[Question, ...]
    scales: dict[str, dict[str, float]]
    met: dict[str, str]
    choices: dict[str, dict[str, dict[str, str]]]
    technologies: tuple[str, ...]
    links: tuple[str, ...]
    sectors: tuple[str, ...]
    size_bands: dict[str, dict[str, str]]
    min_group: int

    def question(self, key: str) -> Question:
        for q in self.questions:
            if q.key == key:
                return q
        raise InvalidInput(f"unknown maturity question {key!r}")

    def dimension(self, key: str) -> Dimension:
        for d in self.dimensions:
            if d.key == key:
                return d
        raise InvalidInput(f"unknown maturity dimension {key!r}")

    def level(self, number: int) -> Level:
        return self.levels[number - 1]

    def points(self, question: Question, value: str) -> float:
        """The 0-5 points of an answer; unknown answers are refused with the allowed ones."""
        scale = self.scales[question.type]
        if value not in scale:
            raise InvalidInput(
                f"{question.key}: {value!r} is not an answer (expected one of: {', '.join(scale)})"
            )
        return float(scale[value])

    def is_met(self, question: Question, value: str | None) -> bool:
        return value is not None and value == self.met.get(question.type)

    def check_profile(self, sector: str, size: str, country: str) -> None:
        if sector not in self.sectors:
            raise InvalidInput(f"unknown sector {sector!r} (expected one of: {', '.join(self.sectors)})")
        if size not in self.size_bands:
            raise InvalidInput(f"unknown size band {size!r} (expected one of: {', '.join(self.size_bands)})")
        if len(country) != 2 or not country.isalpha() or not country.isupper():
            raise InvalidInput(f"country must be a two-letter code such as FR, not {country!r}")


def _technology_dimensions(raw: dict[str, Any]) -> tuple[list[Dimension], list[Question]]:
    grid = raw["technology_grid"]
    techs = vocab("technologies")
    dims, questions = [], []
    for tech in grid["technologies"]:
        en, fr = techs.label(tech, "en"), techs.label(tech, "fr")
        descriptors = tuple(
            (d["en"].format(technology=en), d["fr"].format(technology=fr)) for d in grid["descriptors"]
        )
        dims.append(Dimension(tech, "technology", en, fr, float(grid["importance"]), descriptors))
        for link in grid["links"]:
            stage_en, stage_fr = vocab("stages").label(link, "en"), vocab("stages").label(link, "fr")
            questions.append(
                Question(
                    f"cell.{tech}.{link}",
                    tech,
                    "adoption",
                    f"{en} × {stage_en}",
                    f"{fr} × {stage_fr}",
                    technology=tech,
                    link=link,
                )
            )
    for item in raw.get("technology_items", []):
        questions.append(_question(item, item["dimension"]))
    return dims, questions


def _question(item: dict[str, Any], dimension: str) -> Question:
    if item["type"] not in QUESTION_TYPES:
        raise ValueError(f"maturity model: question {item['key']} has unknown type {item['type']!r}")
    return Question(item["key"], dimension, item["type"], item["en"], item["fr"], item.get("must_have"))


@cache
def load_model() -> Model:
    """The bundled model (read once per process)."""
    raw = load_data_file("maturity/model.yaml")
    dims, questions = _technology_dimensions(raw)
    for block in raw["organisation"]:
        descriptors = tuple((d["en"], d["fr"]) for d in block["descriptors"])
        dims.append(
            Dimension(
                block["key"],
                "organisation",
                block["en"],
                block["fr"],
                float(block["importance"]),
                descriptors,
            )
        )
        questions.extend(_question(q, block["key"]) for q in block["questions"])
    levels = tuple(Level(**lvl) for lvl in raw["levels"])
    for dim in dims:
        if len(dim.descriptors) != len(levels):
            raise ValueError(f"maturity model: {dim.key} needs one descriptor per level")
    return Model(
        levels=levels,
        dimensions=tuple(dims),
        questions=tuple(questions),
        scales={k: {str(a): float(p) for a, p in v.items()} for k, v in raw["scales"].items()},
        met={k: str(v) for k, v in raw["met"].items()},
        choices=raw["choices"],
        technologies=tuple(raw["technology_grid"]["technologies"]),
        links=tuple(raw["technology_grid"]["links"]),
        sectors=tuple(raw["sectors"]),
        size_bands=raw["size_bands"],
        min_group=int(raw["min_group"]),
    )
