"""What the CLI, the pages and the API show of a plan: one typed report built from its replayed reviews.

Every figure comes with its explanation in the reader's language, so each score and alert can be
explained where it is shown.
"""

from __future__ import annotations

from datetime import date

from alliances.health import vocab
from alliances.health.model import History
from alliances.health.replay import Review, replay
from alliances.health.schemas import (
    AlertOut,
    ChecklistItemOut,
    ChecklistStepOut,
    ComponentOut,
    GovernanceOut,
    HealthReport,
    MilestoneOut,
    ObstacleOut,
    PortfolioItem,
    QuestionOut,
    SignalOut,
    TrendPoint,
)


def _alerts(reviews: list[Review], lang: str) -> list[AlertOut]:
    out = []
    for alert in reviews[-1].alerts:
        since = reviews[-1].period
        for review in reversed(reviews):
            if alert.name not in {a.name for a in review.alerts}:
                break
            since = review.period
        out.append(
            AlertOut(
                name=alert.name,
                label=alert.label(lang),
                signals=alert.signals,
                triggers=alert.triggers,
                requires=alert.requires,
                since=since,
                ask=alert.ask(lang),
            )
        )
    return out


def _checklist(history: History, lang: str) -> list[ChecklistStepOut]:
    answers = {a.item: a for a in history.checklist}
    steps = []
    for step, body in vocab.checklist().steps.items():
        items = []
        for item, entry in body.items.items():
            a = answers.get(item)
            items.append(
                ChecklistItemOut(
                    item=item,
                    label=vocab.label(entry, lang),
                    answer=a.answer if a else None,
                    answer_label=vocab.term_label("checklist_answers", a.answer, lang) if a else "—",
                    evidence=a.evidence if a else "",
                )
            )
        steps.append(ChecklistStepOut(step=step, label=vocab.label(body, lang), items=items))
    return steps


def _governance(history: History, at: date) -> GovernanceOut:
    sponsors: dict[str, str] = {}
    managers: dict[str, str] = {}
    meetings = 0
    decisions = []
    for e in sorted(history.governance, key=lambda e: e.date):
        if e.date > at:
            continue
        if e.event == "sponsor":
            sponsors[e.party] = e.value
        elif e.event == "manager":
            managers[e.party] = e.value
        elif e.event == "steering_meeting":
            meetings += 1
        elif e.event == "decision":
            decisions.append({"date": e.date.isoformat(), "decision": e.value})
    return GovernanceOut(
        sponsors=sponsors,
        managers=managers,
        steering_months=history.plan.steering_months,
        steering_meetings=meetings,
        decisions=decisions,
    )


def build(
    history: History, lang: str = "en", alliance_id: int | None = None, title: str = ""
) -> HealthReport:
    """The report of the latest review of `history`, in `lang`."""
    reviews = replay(history)
    last = reviews[-1]
    m = last.measures
    questions = vocab.questions().questions
    parties = sorted(m.check_by_party)
    health_check = [
        QuestionOut(
            key=q,
            label=vocab.label(entry, lang),
            by_party={p: round(m.check_by_party[p][q], 2) for p in parties if q in m.check_by_party[p]},
            gap=(
                round(
                    max(m.check_by_party[p][q] for p in parties)
                    - min(m.check_by_party[p][q] for p in parties),
                    2,
                )
                if len(parties) > 1 and all(q in m.check_by_party[p] for p in parties)
                else None
            ),
        )
        for q, entry in questions.items()
    ]
    return HealthReport(
        alliance_id=alliance_id,
        title=title,
        name=history.plan.name,
        currency=history.plan.currency,
        stage=m.stage,
        stage_label=vocab.term_label("lifecycle_stages", m.stage, lang),
        period=last.period,
        date=last.date,
        score=last.score.total,
        level=last.score.level,
        level_label=vocab.term_label("levels", last.score.level, lang),
        budget=m.budget,
        spent=m.spent,
        components=[
            ComponentOut(
                name=c.name,
                label=c.label(lang),
                value=c.value,
                weight=c.weight,
                points=c.points,
                explanation=c.explain(lang),
            )
            for c in last.score.components
        ],
        signals=[
            SignalOut(
                name=s.name,
                label=s.label(lang),
                value=s.value,
                limit=s.limit,
                op=s.op,
                unit=s.unit,
                fired=s.fired,
                explanation=s.explain(lang),
            )
            for s in last.signals
        ],
        alerts=_alerts(reviews, lang),
        trend=[
            TrendPoint(
                period=r.period,
                date=r.date,
                score=r.score.total,
                level=r.score.level,
                alerts=[a.name for a in r.alerts],
                spent=r.measures.spent,
                planned=round(r.measures.budget * r.measures.time_share / 100, 2),
                milestone_share=r.measures.milestone_share,
            )
            for r in reviews
        ],
        milestones=[
            MilestoneOut(
                key=s.key,
                name=s.name,
                first_planned=s.first_planned,
                planned=s.planned,
                actual=s.actual,
                dropped=s.dropped,
                slip_days=s.slip_days(m.at),
                rebaselines=[
                    {"date": d.isoformat(), "on": on.isoformat() if on else "", "reason": r}
                    for d, on, r in s.rebaselines
                ],
            )
            for s in m.milestones
        ],
        checklist=_checklist(history, lang),
        health_check=health_check,
        parties=parties,
        obstacles=[
            ObstacleOut(
                obstacle=o.obstacle,
                label=vocab.label(vocab.obstacles()[o.obstacle], lang),
                owner=o.owner,
                mitigation=o.mitigation,
                status=o.status,
                status_label=vocab.term_label("obstacle_statuses", o.status, lang),
            )
            for o in history.obstacles
        ],
        governance=_governance(history, m.at),
    )


def portfolio_item(alliance_id: int, title: str, history: History, lang: str = "en") -> PortfolioItem:
    reviews = replay(history)
    last = reviews[-1]
    return PortfolioItem(
        alliance_id=alliance_id,
        title=title,
        name=history.plan.name,
        score=last.score.total,
        level=last.score.level,
        level_label=vocab.term_label("levels", last.score.level, lang),
        trend=[r.score.total for r in reviews[-8:]],
        alerts=[a.name for a in last.alerts],
        alert_labels=[a.label(lang) for a in last.alerts],
    )
