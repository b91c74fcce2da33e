"""What a review measures from the history known at its date: spend, milestones, KPIs, checks, governance.

Pure arithmetic over the pydantic history; signals and the score read these figures.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from statistics import mean

from alliances.health import vocab
from alliances.health.model import History


@dataclass
class MilestoneState:
    key: str
    name: str
    first_planned: date | None = None
    planned: date | None = None
    actual: date | None = None
    dropped: bool = False
    rebaselines: list[tuple[date, date | None, str]] = field(default_factory=list)

    def slip_days(self, at: date) -> int:
        """Days behind the first plan: to the actual date if done, to today if overdue, else to the plan."""
        if self.first_planned is None:
            return 0
        if self.actual is not None:
            reached = self.actual
        elif self.planned is not None and self.planned < at:
            reached = at
        else:
            reached = self.planned or self.first_planned
        return max(0, (reached - self.first_planned).days)


@dataclass
class Measures:
    """The figures of one review (None where the history has no data yet)."""

    at: date
    budget: float
    spent: float
    period_spend: float
    time_share: float
    milestones: list[MilestoneState]
    kpi_attainment: float | None
    check_by_party: dict[str, dict[str, float]]
    sponsor_changes: list[str]
    governance_gaps: list[str]
    stage: str

    @property
    def spend_share(self) -> float:
        return 100 * self.spent / self.budget if self.budget else 0.0

    @property
    def active_milestones(self) -> list[MilestoneState]:
        return [m for m in self.milestones if not m.dropped]

    @property
    def milestone_share(self) -> float | None:
        active = self.active_milestones
        return 100 * sum(m.actual is not None for m in active) / len(active) if active else None

    def slipped_share(self, slip_days: int) -> float | None:
        active = self.active_milestones
        if not active:
            return None
        return 100 * sum(m.slip_days(self.at) > slip_days for m in active) / len(active)

    @property
    def check_mean(self) -> float | None:
        scores = [v for answers in self.check_by_party.values() for v in answers.values()]
        return mean(scores) if scores else None

    def widest_gap(self) -> tuple[str, float] | None:
        """The question on which the parties' mean answers differ most, and by how much."""
        if len(self.check_by_party) < 2:
            return None
        questions = set.intersection(*(set(a) for a in self.check_by_party.values()))
        gaps = {
            q: max(a[q] for a in self.check_by_party.values())
            - min(a[q] for a in self.check_by_party.values())
            for q in questions
        }
        return max(gaps.items(), key=lambda kv: (kv[1], kv[0])) if gaps else None


def months_between(start: date, end: date) -> float:
    return (end - start).days / 30.4375


def milestone_states(history: History, at: date) -> list[MilestoneState]:
    states: dict[str, MilestoneState] = {}
    for e in sorted(history.milestones, key=lambda e: e.date):
        if e.date > at:
            continue
        state = states.setdefault(e.milestone, MilestoneState(e.milestone, e.name or e.milestone))
        if e.name:
            state.name = e.name
        if e.event == "planned":
            state.first_planned = state.first_planned or e.on
            state.planned = e.on
        elif e.event == "rebaselined":
            state.rebaselines.append((e.date, e.on, e.reason))
            state.planned = e.on
        elif e.event == "completed":
            state.actual = e.on or e.date
        elif e.event == "dropped":
            state.dropped = True
    return list(states.values())


def kpi_attainment(history: History, at: date) -> float | None:
    """Mean attainment (0-100) of the measured KPIs against targets pro-rated from start to due date."""
    latest: dict[str, float] = {}
    for r in sorted(history.kpis, key=lambda r: r.date):
        if r.date <= at:
            latest[r.objective] = r.value
    shares: list[float] = []
    for o in history.objectives:
        span = max(1, (o.due - history.plan.start).days)
        expected_share = min(1.0, max(0.0, (at - history.plan.start).days / span))
        expected = o.baseline + (o.target - o.baseline) * expected_share
        if expected == o.baseline or o.key not in latest:
            continue  # nothing expected yet, or not measured yet
        value = latest[o.key]
        shares.append(100 * min(1.0, max(0.0, (value - o.baseline) / (expected - o.baseline))))
    return mean(shares) if shares else None


def health_check(history: History, at: date) -> dict[str, dict[str, float]]:
    """Each party's mean answer per question in its latest health check at or before `at`."""
    last: dict[str, date] = {}
    for a in history.health_checks:
        if a.date <= at and a.date > last.get(a.party, date.min):
            last[a.party] = a.date
    scores: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for a in history.health_checks:
        if last.get(a.party) == a.date:
            scores[a.party][a.question].append(a.score)
    return {p: {q: mean(v) for q, v in qs.items()} for p, qs in scores.items()}


def governance(
    history: History, at: date, within_months: int, grace: float
) -> tuple[list[str], list[str], str]:
    """Sponsor changes within `within_months`, governance gaps ("role:party"), and the lifecycle stage."""
    roles: dict[tuple[str, str], str] = {}
    changes: list[str] = []
    meetings: list[date] = []
    stage = history.plan.stage
    since = at - timedelta(days=round(within_months * 30.4375))
    for e in sorted(history.governance, key=lambda e: e.date):
        if e.date > at:
            continue
        if e.event in ("sponsor", "manager"):
            previous = roles.get((e.event, e.party))
            if e.event == "sponsor" and previous and previous != e.value and e.date > since:
                changes.append(e.party)
            roles[(e.event, e.party)] = e.value
        elif e.event == "steering_meeting":
            meetings.append(e.date)
        elif e.event == "stage":
            stage = e.value
    gaps = [
        f"{role}:{party}"
        for party in dict.fromkeys(b.party for b in history.budget)
        for role in ("sponsor", "manager")
        if not roles.get((role, party))
    ]
    due_after = months_between(history.plan.start, at) > grace * history.plan.steering_months
    last_meeting = max(meetings, default=None)
    if due_after and (
        last_meeting is None or months_between(last_meeting, at) > grace * history.plan.steering_months
    ):
        gaps.append("steering:")
    return changes, gaps, stage


def measure(history: History, at: date, period_start: date, rules: dict[str, vocab.SignalRule]) -> Measures:
    """The figures of the review at `at` covering the period from `period_start` (exclusive)."""
    plan = history.plan
    budget = sum(b.amount for b in history.budget)
    spent = sum(e.amount for e in history.spend if e.date <= at)
    period_spend = sum(e.amount for e in history.spend if period_start < e.date <= at)
    duration = max(1, (plan.end - plan.start).days)
    time_share = 100 * min(1.0, max(0.0, (at - plan.start).days / duration))
    changes, gaps, stage = governance(
        history,
        at,
        int(rules["sponsor_change"].setting("within_months")),
        rules["governance_gap"].setting("grace"),
    )
    return Measures(
        at=at,
        budget=budget,
        spent=spent,
        period_spend=period_spend,
        time_share=time_share,
        milestones=milestone_states(history, at),
        kpi_attainment=kpi_attainment(history, at),
        check_by_party=health_check(history, at),
        sponsor_changes=changes,
        governance_gaps=gaps,
        stage=stage,
    )
