"""The JSON records of SCHEMA.md as types: what extraction writes and the scorer reads, line by line.

TypedDicts, not models: the records are plain JSON mappings written and compared byte for byte, and
gold lines carry a little more than predictions (parties as bare names, `type_alternatives`)."""

from __future__ import annotations

from typing import NotRequired, Required, TypedDict


class PartyRecord(TypedDict, total=False):
    """A party as extraction writes it; gold files may give a bare name instead."""

    name: Required[str]
    canonical: str
    kind: str
    aliases: list[str]


class AmountRecord(TypedDict):
    value: float
    currency: str


class AllianceRecord(TypedDict, total=False):
    """One alliance of a document line; gold lines may leave out what they do not score."""

    parties: Required[list[PartyRecord | str]]
    type: str
    type_alternatives: list[str]
    technologies: list[str]
    stages: list[str]
    therapeutic_areas: list[str]
    date: str | None
    amount: AmountRecord | None
    status: str | None
    evidence: str
    vehicle: str | None
    confidence: float
    optional: bool  # gold only: neither rewarded nor penalised
    technologies_optional: list[str]  # gold only
    stages_optional: list[str]  # gold only


class DocRecord(TypedDict):
    """One JSON line: a document id and its alliances."""

    id: str
    language: NotRequired[str | None]
    alliances: list[AllianceRecord]
