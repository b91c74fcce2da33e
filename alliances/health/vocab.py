"""The health vocabularies and thresholds, read once from `alliances/data/health/*.yaml`."""

from __future__ import annotations

from functools import cache
from typing import Any

from alliances.taxonomy import load_data_file


@cache
def thresholds() -> dict[str, Any]:
    """Signals, score weights and alert rules (thresholds.yaml)."""
    data: dict[str, Any] = load_data_file("health/thresholds.yaml")
    return data


@cache
def terms() -> dict[str, dict[str, dict[str, str]]]:
    """Small vocabularies: lifecycle stages, milestone and governance events, answers, levels."""
    data: dict[str, dict[str, dict[str, str]]] = load_data_file("health/vocab.yaml")
    return data


@cache
def checklist() -> dict[str, Any]:
    data: dict[str, Any] = load_data_file("health/checklist.yaml")
    return data


@cache
def questions() -> dict[str, Any]:
    data: dict[str, Any] = load_data_file("health/questions.yaml")
    return data


@cache
def obstacles() -> dict[str, dict[str, str]]:
    data: dict[str, dict[str, str]] = load_data_file("health/obstacles.yaml")["obstacles"]
    return data


def checklist_items() -> dict[str, str]:
    """Every checklist item key with the key of its step."""
    return {item: step for step, body in checklist()["steps"].items() for item in body["items"]}


def label(entry: dict[str, Any], lang: str) -> str:
    """The label of a bilingual entry ({en, fr})."""
    return str(entry.get(lang) or entry.get("en", ""))


def term_label(group: str, key: str, lang: str) -> str:
    entry = terms().get(group, {}).get(key)
    return label(entry, lang) if entry else key
