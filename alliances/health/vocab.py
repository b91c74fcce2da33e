"""The health vocabularies and thresholds, read once from `alliances/data/health/*.yaml`.

Each file is checked against a model when first read, so a mistyped key in a data file fails at start
with the file's name rather than deep inside a review.
"""

from __future__ import annotations

from functools import cache
from typing import Literal

from pydantic import BaseModel, ConfigDict

from alliances.taxonomy import load_data_file


class Bilingual(BaseModel):
    """A label in English and French (the file's wording, never translated in code)."""

    model_config = ConfigDict(extra="allow")

    en: str = ""
    fr: str = ""


class SignalRule(Bilingual):
    """A signal's limit and wording; other numbers it needs (slip_days, grace...) are named in the file."""

    op: Literal[">", ">=", "<"]
    limit: float
    unit: str
    explain: Bilingual
    slip_days: int | None = None
    within_months: int | None = None
    grace: float | None = None
    gap_labels: dict[str, Bilingual] = {}

    def setting(self, name: str) -> float:
        """A number a signal needs beyond its limit (slip_days, within_months, grace): required if used."""
        value = getattr(self, name)
        if value is None:
            raise ValueError(f"health/thresholds.yaml: this signal needs `{name}`")
        return float(value)


class ScoreRules(BaseModel):
    weights: dict[str, float]
    burn_scale: float
    levels: dict[str, float]
    explain: dict[str, Bilingual]


class Trigger(BaseModel):
    signal: str
    consecutive: int


class AlertRule(Bilingual):
    requires: list[str] = []
    any_of: list[Trigger]
    context: list[str] = []
    ask: Bilingual


class Thresholds(BaseModel):
    """thresholds.yaml: signals, score weights and alert rules."""

    version: int
    review_months: int
    signals: dict[str, SignalRule]
    score: ScoreRules
    alerts: dict[str, AlertRule]


class ChecklistStep(Bilingual):
    items: dict[str, Bilingual]


class Checklist(BaseModel):
    steps: dict[str, ChecklistStep]


class HealthQuestion(Bilingual):
    dimension: str


class Questions(BaseModel):
    dimensions: dict[str, Bilingual]
    questions: dict[str, HealthQuestion]


@cache
def thresholds() -> Thresholds:
    """Signals, score weights and alert rules (thresholds.yaml)."""
    return Thresholds.model_validate(load_data_file("health/thresholds.yaml"))


@cache
def terms() -> dict[str, dict[str, dict[str, str]]]:
    """Small vocabularies: lifecycle stages, milestone and governance events, answers, levels."""
    data: dict[str, dict[str, dict[str, str]]] = load_data_file("health/vocab.yaml")
    return data


@cache
def checklist() -> Checklist:
    return Checklist.model_validate(load_data_file("health/checklist.yaml"))


@cache
def questions() -> Questions:
    return Questions.model_validate(load_data_file("health/questions.yaml"))


@cache
def obstacles() -> dict[str, dict[str, str]]:
    data: dict[str, dict[str, str]] = load_data_file("health/obstacles.yaml")["obstacles"]
    return data


def checklist_items() -> dict[str, str]:
    """Every checklist item key with the key of its step."""
    return {item: step for step, body in checklist().steps.items() for item in body.items}


def label(entry: Bilingual | dict[str, str], lang: str) -> str:
    """The label of a bilingual entry ({en, fr})."""
    if isinstance(entry, Bilingual):
        entry = {"en": entry.en, "fr": entry.fr}
    return str(entry.get(lang) or entry.get("en", ""))


def term_label(group: str, key: str, lang: str) -> str:
    entry = terms().get(group, {}).get(key)
    return label(entry, lang) if entry else key
