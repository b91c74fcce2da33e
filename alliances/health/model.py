"""An alliance plan and its dated history, as pydantic models (the contract of CSV files, store and API).

Every entry is dated so that any review can be replayed from what was known at its date.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from alliances.health import vocab


def _known(group: str, value: str) -> str:
    keys = vocab.terms()[group]
    if value not in keys:
        raise ValueError(f"unknown value {value!r} (expected one of: {', '.join(keys)})")
    return value


class Plan(BaseModel):
    """The plan's frame: when it started, when it should end, its currency and review cadence."""

    name: str = Field(min_length=1)
    start: dt.date
    end: dt.date
    currency: str = "USD"
    stage: str = "launch_and_management"
    steering_months: int = Field(default=3, ge=1, le=24)

    @field_validator("stage")
    @classmethod
    def _stage(cls, value: str) -> str:
        return _known("lifecycle_stages", value)


class Budget(BaseModel):
    party: str = Field(min_length=1)
    amount: float = Field(ge=0)


class Objective(BaseModel):
    """An objective with one KPI: the target to reach by `due`, from `baseline` at the plan's start."""

    key: str = Field(min_length=1)
    objective: str = Field(min_length=1)
    kpi: str = Field(min_length=1)
    unit: str = ""
    baseline: float = 0
    target: float
    due: dt.date


class KpiReading(BaseModel):
    date: dt.date
    objective: str = Field(min_length=1)
    value: float


class MilestoneEvent(BaseModel):
    """One change to a milestone: planned, re-baselined to a new date (with reason), completed, dropped."""

    date: dt.date
    milestone: str = Field(min_length=1)
    event: str
    on: dt.date | None = None  # the planned date (planned, rebaselined) or actual date (completed)
    name: str = ""
    reason: str = ""

    @field_validator("event")
    @classmethod
    def _event(cls, value: str) -> str:
        return _known("milestone_events", value)


class SpendEntry(BaseModel):
    date: dt.date
    party: str = Field(min_length=1)
    amount: float
    note: str = ""


class GovernanceEvent(BaseModel):
    """A sponsor or manager named, a steering committee held, a decision logged or a stage reached."""

    date: dt.date
    event: str
    party: str = ""
    value: str = ""

    @field_validator("event")
    @classmethod
    def _event(cls, value: str) -> str:
        return _known("governance_events", value)


class HealthAnswer(BaseModel):
    date: dt.date
    party: str = Field(min_length=1)
    respondent: str = ""
    question: str
    score: int = Field(ge=1, le=5)

    @field_validator("question")
    @classmethod
    def _question(cls, value: str) -> str:
        keys = vocab.questions().questions
        if value not in keys:
            raise ValueError(f"unknown question {value!r} (expected one of: {', '.join(keys)})")
        return value


class ChecklistAnswer(BaseModel):
    item: str
    answer: Literal["yes", "partial", "no"]
    evidence: str = ""

    @field_validator("item")
    @classmethod
    def _item(cls, value: str) -> str:
        keys = vocab.checklist_items()
        if value not in keys:
            raise ValueError(f"unknown checklist item {value!r} (expected one of: {', '.join(keys)})")
        return value


class Obstacle(BaseModel):
    obstacle: str
    owner: str = ""
    mitigation: str = ""
    status: Literal["open", "mitigated", "closed"] = "open"

    @field_validator("obstacle")
    @classmethod
    def _obstacle(cls, value: str) -> str:
        keys = vocab.obstacles()
        if value not in keys:
            raise ValueError(f"unknown obstacle {value!r} (expected one of: {', '.join(keys)})")
        return value


class History(BaseModel):
    """Everything known about one alliance plan, each list in date order."""

    plan: Plan
    budget: list[Budget] = []
    objectives: list[Objective] = []
    kpis: list[KpiReading] = []
    milestones: list[MilestoneEvent] = []
    spend: list[SpendEntry] = []
    governance: list[GovernanceEvent] = []
    health_checks: list[HealthAnswer] = []
    checklist: list[ChecklistAnswer] = []
    obstacles: list[Obstacle] = []

    def last_date(self) -> dt.date:
        """The latest dated entry (the replay runs up to its quarter)."""
        dates = [
            e.date
            for group in (self.kpis, self.milestones, self.spend, self.governance, self.health_checks)
            for e in group
        ]
        return max(dates, default=self.plan.start)


# The kinds of entries a CSV file may hold, by name (file `<kind>.csv`), in import order.
KINDS: dict[str, type[BaseModel]] = {
    "plan": Plan,
    "budget": Budget,
    "objectives": Objective,
    "kpis": KpiReading,
    "milestones": MilestoneEvent,
    "spend": SpendEntry,
    "governance": GovernanceEvent,
    "health_checks": HealthAnswer,
    "checklist": ChecklistAnswer,
    "obstacles": Obstacle,
}
