"""Vocabularies of the extraction (YAML under alliances/data/extract/), loaded and compiled once."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any, Required, TypedDict

from alliances.extract.gazetteer import fold
from alliances.taxonomy import load_data_file


def _rx(pattern: str, flags: int = re.IGNORECASE) -> re.Pattern[str]:
    """Compile a vocabulary pattern; an ASCII apostrophe also matches the typographic one."""
    return re.compile(pattern.replace("'", "['’]"), flags)


@dataclass(frozen=True)
class TriggerRule:
    type: str
    strength: str
    layout: str
    regex: re.Pattern[str]
    capitalised: bool = False


@dataclass(frozen=True)
class Cues:
    subsidiary: re.Pattern[str]
    own_subsidiary: re.Pattern[str]
    reporting: re.Pattern[str]
    vehicle_naming: re.Pattern[str]
    singular_subject: re.Pattern[str]
    plural_pronouns: re.Pattern[str]
    anaphora: re.Pattern[str]
    coordination: re.Pattern[str]
    coordination_descriptive: re.Pattern[str]
    clause_end: re.Pattern[str]
    terminations: re.Pattern[str]
    announced: re.Pattern[str]
    stop_names: frozenset[str]
    stop_spans: frozenset[str]
    company_name: re.Pattern[str]
    institution: re.Pattern[str]
    descriptor: re.Pattern[str]
    coordination_described: re.Pattern[str]
    apposition: re.Pattern[str]
    lower_heads: frozenset[str]
    rumour: re.Pattern[str]
    places: frozenset[str]
    amount_context: re.Pattern[str]
    earlier: re.Pattern[str]


@dataclass(frozen=True)
class Classes:
    type_cues: tuple[tuple[str, re.Pattern[str]], ...]
    section_cues: tuple[tuple[str, re.Pattern[str]], ...]
    multi_party: int
    multi_party_type: str
    technologies: tuple[tuple[str, re.Pattern[str]], ...]
    stages: tuple[tuple[str, re.Pattern[str]], ...]
    areas: tuple[tuple[str, re.Pattern[str]], ...]


@cache
def trigger_rules() -> tuple[TriggerRule, ...]:
    raw = load_data_file("extract/triggers.yaml")
    return tuple(
        TriggerRule(
            t["type"],
            t.get("strength", "generic"),
            t.get("layout", "svo"),
            _rx(r"\b" + t["pattern"]),
            bool(t.get("capitalised", False)),
        )
        for t in raw["triggers"]
    )


_CAP = r"(?:[A-ZÀ-ÖØ-Þ][\w'’.&-]*|[a-z]+[A-Z][\w-]*|\d[\w-]*[A-Za-z][\w-]*)"


_FUNCTION = r"(?:of|de|du|des|d|for|pour|in|en|the|la|le|les|and|et|with|avec|à|au|to|by|par)"


@cache
def cues() -> Cues:
    raw = load_data_file("extract/cues.yaml")
    trig = load_data_file("extract/triggers.yaml")
    suffixes = "|".join(re.escape(s) for s in sorted(raw["company_suffixes"], key=len, reverse=True))
    heads = "|".join(re.escape(s) for s in raw["institution_heads"])
    tails = "|".join(re.escape(s) for s in raw["institution_tails"])
    company = re.compile(rf"\b{_CAP}(?:[ -]{_CAP}){{0,3}} (?:{suffixes})(?![\w])")
    institution = re.compile(
        rf"\b(?:(?:{heads})(?: (?:de la|de l['’]|des|du|de|d['’]|of the|of|for)\s?)?(?:{_CAP})(?:[ -]{_CAP}){{0,5}}"  # noqa: E501
        rf"|(?!(?:The|Le|La|Les|A|An)\b){_CAP}(?: {_CAP}){{0,4}} (?:{tails}))\b"
    )
    return Cues(
        subsidiary=_rx(raw["subsidiary"]),
        own_subsidiary=_rx(raw["own_subsidiary"]),
        reporting=_rx(raw["reporting"]),
        vehicle_naming=_rx(raw["vehicle_naming"]),
        singular_subject=_rx(raw["singular_subject"]),
        plural_pronouns=_rx(raw["plural_pronouns"]),
        anaphora=_rx(raw["anaphora"]),
        coordination=_rx(raw["coordination"]),
        coordination_descriptive=_rx(raw["coordination_descriptive"]),
        clause_end=_rx(raw["clause_end"]),
        terminations=_rx(r"\b" + trig["terminations"]),
        announced=_rx(r"\b" + trig["announced"]),
        stop_names=frozenset(w.lower() for w in str(raw["stop_names"]).split()),
        stop_spans=frozenset(s.lower() for s in raw["stop_spans"]),
        company_name=company,
        institution=institution,
        descriptor=re.compile(
            rf"\b(?i:{raw['descriptor']})(?: (?!{_FUNCTION}\b)[a-zà-öø-ÿ-]+)?,? "
            rf"(?P<name>{_CAP}(?:[ -]{_CAP}){{0,3}})"
        ),
        coordination_described=re.compile(
            rf"^\s*,?\s*(?:et|and)\s+(?:(?:la|le|l['’]|the|a|an)\s*)?(?:[\w-]+\s+){{0,2}}(?i:{raw['descriptor']})"
            rf"(?:\s+[a-zà-öø-ÿ-]+)?\s*$"
        ),
        rumour=_rx(r"\b" + trig["rumour"]),
        apposition=re.compile(
            rf"^(?P<name>{_CAP}(?: {_CAP}){{0,3}}),\s+(?i:{raw['apposition']})".replace("l'", "l['’]")
        ),
        lower_heads=frozenset(h for h in raw["institution_heads"] if h[:1].islower()),
        places=frozenset(fold(w) for w in str(raw["places"]).split()),
        amount_context=_rx(raw["amount_context"]),
        earlier=_rx(raw["earlier"]),
    )


def _pairs(mapping: dict[str, str]) -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple((key, _rx(pattern)) for key, pattern in mapping.items())


@cache
def classes() -> Classes:
    raw: dict[str, Any] = load_data_file("extract/classify.yaml")
    return Classes(
        type_cues=_pairs(raw["type_cues"]),
        section_cues=_pairs(raw["section_cues"]),
        multi_party=int(raw["multi_party"]["parties"]),
        multi_party_type=str(raw["multi_party"]["type"]),
        technologies=_pairs(raw["technologies"]),
        stages=_pairs(raw["stages"]),
        areas=_pairs(raw["therapeutic_areas"]),
    )


class SpacyModel(TypedDict, total=False):
    model: str
    keep: list[str]


class SpacyConfig(TypedDict, total=False):
    fr: SpacyModel
    batch_size: int


class PairsConfig(TypedDict, total=False):
    threshold: float | str  # "model": the threshold cross-validated at training
    need_trigger: list[str]
    long_document: int
    long_document_threshold: float
    unresolved_descriptions: str  # "alone" or "keep": when "the company" with no antecedent is a party


class PipelineConfig(TypedDict, total=False):
    """pipeline.yaml: the steps in order and the settings of the steps that read any."""

    version: int
    steps: Required[list[str]]
    spacy: SpacyConfig
    pairs: PairsConfig


@cache
def pipeline_config() -> PipelineConfig:
    raw: PipelineConfig = load_data_file("extract/pipeline.yaml")
    return raw
