"""Typed contracts of what the CLI, pages and API show of a plan (FastAPI uses them as response models)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel


class ComponentOut(BaseModel):
    name: str
    label: str
    value: float
    weight: float
    points: float
    explanation: str


class SignalOut(BaseModel):
    name: str
    label: str
    value: float
    limit: float
    op: str
    unit: str
    fired: bool
    explanation: str


class AlertOut(BaseModel):
    name: str
    label: str
    signals: list[str]
    triggers: list[str]
    requires: list[str]  # signals that must fire as well (spending continues)
    since: str  # the first review of the current run of this alert
    ask: str


class TrendPoint(BaseModel):
    period: str
    date: date
    score: int
    level: str
    alerts: list[str]
    spent: float
    planned: float  # budget share of elapsed time, in money
    milestone_share: float | None


class MilestoneOut(BaseModel):
    key: str
    name: str
    first_planned: date | None
    planned: date | None
    actual: date | None
    dropped: bool
    slip_days: int
    rebaselines: list[dict[str, str]]


class ChecklistItemOut(BaseModel):
    item: str
    label: str
    answer: str | None
    answer_label: str
    evidence: str


class ChecklistStepOut(BaseModel):
    step: str
    label: str
    items: list[ChecklistItemOut]


class QuestionOut(BaseModel):
    key: str
    label: str
    by_party: dict[str, float]
    gap: float | None


class ObstacleOut(BaseModel):
    obstacle: str
    label: str
    owner: str
    mitigation: str
    status: str
    status_label: str


class GovernanceOut(BaseModel):
    sponsors: dict[str, str]
    managers: dict[str, str]
    steering_months: int
    steering_meetings: int
    decisions: list[dict[str, str]]


class HealthReport(BaseModel):
    alliance_id: int | None = None
    title: str = ""  # the alliance's title in the knowledge base
    name: str
    currency: str
    stage: str
    stage_label: str
    period: str
    date: date
    score: int
    level: str
    level_label: str
    budget: float
    spent: float
    components: list[ComponentOut]
    signals: list[SignalOut]
    alerts: list[AlertOut]
    trend: list[TrendPoint]
    milestones: list[MilestoneOut]
    checklist: list[ChecklistStepOut]
    health_check: list[QuestionOut]
    parties: list[str]
    obstacles: list[ObstacleOut]
    governance: GovernanceOut


class PortfolioItem(BaseModel):
    alliance_id: int
    title: str
    name: str
    score: int
    level: str
    level_label: str
    trend: list[int]
    alerts: list[str]
    alert_labels: list[str]
