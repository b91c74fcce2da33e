"""Records of the maturity observatory as they pass between the store, the domain, the CLI and pages.

Declared once so that the store's rows, imported files and the synthetic panel share one shape (and
FastAPI shows it in OpenAPI). Pure pydantic: importable by the store without pulling in the domain.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class AssessmentIn(BaseModel):
    """An assessment to store: profile and checked answers (from a file or the synthetic panel)."""

    organisation: str
    label: str | None = None
    assessed: str | None = None
    sector: str
    size: str
    country: str
    answers: dict[str, str]
    where: str | None = None  # FILE:LINE it was read from, for error messages


class Assessment(BaseModel):
    """A stored assessment, with its answers (empty in lists)."""

    id: int
    organisation_id: int
    organisation: str
    label: str
    assessed: str
    sector: str
    size_band: str
    country: str
    status: str
    origin: str
    answers: dict[str, str]


class Sitting(BaseModel):
    """A run of saves with no long pause: how long answering took."""

    started: str
    last_saved: str
    saves: int


class PanelAnswers(BaseModel):
    """An organisation's latest complete answers with no identity: for aggregates only."""

    sector: str | None = None
    size: str | None = None
    country: str | None = None
    origin: str | None = None
    answers: dict[str, str]


class SurveyResponseIn(BaseModel):
    respondent: str
    sector: str | None = None
    size: str | None = None
    country: str | None = None
    answers: dict[str, str]


class SurveyAnswers(BaseModel):
    """A survey response without its respondent (aggregates only)."""

    sector: str | None = None
    size: str | None = None
    country: str | None = None
    answers: dict[str, str]


class SurveyQuestion(BaseModel):
    """A question of `data/maturity/surveys.yaml`: labels per language and options with their labels."""

    model_config = ConfigDict(extra="allow")  # the labels: one key per language (en, fr)

    key: str
    en: str
    fr: str
    options: dict[str, dict[str, str]]


class SurveyDefinition(BaseModel):
    model_config = ConfigDict(extra="allow")

    key: str
    en: str
    fr: str
    questions: list[SurveyQuestion]


class PublishedBasis(BaseModel):
    """The sample size behind a bundled survey's published shares, and how it was chosen."""

    n: int
    n_basis: str | None = None
    name: dict[str, str] | None = None
