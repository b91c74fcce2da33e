"""Each signal alone, at, just under and just over its limit from thresholds.yaml (nothing else fires)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from alliances.health import vocab
from alliances.health.measures import measure
from alliances.health.model import (
    Budget,
    GovernanceEvent,
    HealthAnswer,
    History,
    KpiReading,
    MilestoneEvent,
    Objective,
    Plan,
    SpendEntry,
)
from alliances.health.signals import evaluate

START, END, AT = date(2020, 1, 1), date(2022, 12, 31), date(2021, 6, 30)
RULES = vocab.thresholds().signals
TIME_SHARE = 100 * (AT - START).days / (END - START).days


def limit(name: str) -> float:
    return RULES[name].limit


def history(**parts: Any) -> History:
    """A quiet plan: a recent steering committee and nothing else, unless parts are given."""
    governance = [GovernanceEvent(date=AT - timedelta(days=20), event="steering_meeting")]
    parts["governance"] = governance + parts.get("governance", [])
    return History(plan=Plan(name="Test plan", start=START, end=END), **parts)


def fired(h: History) -> set[str]:
    return {s.name for s in evaluate(measure(h, AT, AT - timedelta(days=90), RULES)) if s.fired}


def value(h: History, name: str) -> float:
    return next(s.value for s in evaluate(measure(h, AT, AT - timedelta(days=90), RULES)) if s.name == name)


def planned(key: str, on: date) -> MilestoneEvent:
    return MilestoneEvent(date=START, milestone=key, event="planned", on=on)


def completed(key: str, on: date) -> MilestoneEvent:
    return MilestoneEvent(date=on, milestone=key, event="completed", on=on)


def test_a_quiet_plan_fires_nothing() -> None:
    assert fired(history()) == set()


# (delta from the limit, fires?) for "strictly above" and "at or above" and "strictly below" limits
ABOVE = [(-0.1, False), (0.0, False), (0.1, True)]
AT_OR_ABOVE = [(-0.1, False), (0.0, True), (0.1, True)]
BELOW = [(-0.1, True), (0.0, False), (0.1, False)]


@pytest.mark.parametrize(("delta", "fires"), ABOVE)
def test_spend_ahead_of_milestones(delta: float, fires: bool) -> None:
    """One milestone of four done (25%), spend at 25% + limit + delta of the budget, spent last period."""
    spend_share = 25 + limit("spend_ahead_of_milestones") + delta
    h = history(
        budget=[Budget(party="A", amount=1000)],
        spend=[SpendEntry(date=AT - timedelta(days=200), party="A", amount=10 * spend_share)],
        milestones=[planned(f"m{i}", END) for i in range(4)] + [completed("m0", AT - timedelta(days=30))],
        governance=[
            GovernanceEvent(date=START, event="sponsor", party="A", value="S"),
            GovernanceEvent(date=START, event="manager", party="A", value="M"),
        ],
    )
    assert value(h, "spend_ahead_of_milestones") == pytest.approx(spend_share - 25)
    assert fired(h) == ({"spend_ahead_of_milestones"} if fires else set())


def _governed(**parts: Any) -> History:
    roles = [
        GovernanceEvent(date=START, event="sponsor", party="A", value="S"),
        GovernanceEvent(date=START, event="manager", party="A", value="M"),
    ]
    return history(budget=[Budget(party="A", amount=1000)], governance=roles, **parts)


@pytest.mark.parametrize(("delta", "fires"), ABOVE)
def test_spend_over_plan(delta: float, fires: bool) -> None:
    share = round(TIME_SHARE + limit("spend_over_plan") + delta, 1)
    h = _governed(spend=[SpendEntry(date=START, party="A", amount=10 * share)])
    assert value(h, "spend_over_plan") == pytest.approx(share - round(TIME_SHARE, 1), abs=0.051)
    assert fired(h) == ({"spend_over_plan"} if fires else set())


@pytest.mark.parametrize(("delta", "fires"), ABOVE)
def test_spend_continuing(delta: float, fires: bool) -> None:
    """Spend (or a refund) booked during the review period, as a share of the budget."""
    entries = [SpendEntry(date=START, party="A", amount=100)]
    entries.append(
        SpendEntry(date=AT - timedelta(days=5), party="A", amount=10 * (limit("spend_continuing") + delta))
    )
    h = _governed(spend=entries)
    assert fired(h) == ({"spend_continuing"} if fires else set())


@pytest.mark.parametrize(("late", "fires"), [(2, False), (3, False), (4, True)])
def test_milestones_slipping_share(late: int, fires: bool) -> None:
    """Ten milestones: 20%, 30% (the limit) and 40% of them done more than slip_days late."""
    assert limit("milestones_slipping") == 30
    days = int(RULES["milestones_slipping"].setting("slip_days"))
    first = AT - timedelta(days=200)
    events = [planned(f"m{i}", first) for i in range(10)]
    events += [completed(f"m{i}", first + timedelta(days=days + 1 if i < late else 0)) for i in range(10)]
    assert fired(history(milestones=events)) == ({"milestones_slipping"} if fires else set())


@pytest.mark.parametrize(("extra", "fires"), [(-1, False), (0, False), (1, True)])
def test_milestones_slipping_days(extra: int, fires: bool) -> None:
    """Four milestones of ten late: each by slip_days - 1, slip_days, slip_days + 1."""
    days = int(RULES["milestones_slipping"].setting("slip_days"))
    first = AT - timedelta(days=200)
    events = [planned(f"m{i}", first) for i in range(10)]
    events += [completed(f"m{i}", first + timedelta(days=days + extra if i < 4 else 0)) for i in range(10)]
    assert fired(history(milestones=events)) == ({"milestones_slipping"} if fires else set())


def test_an_overdue_milestone_slips_until_done() -> None:
    days = int(RULES["milestones_slipping"].setting("slip_days"))
    h = history(milestones=[planned("m0", AT - timedelta(days=days + 1))])
    assert value(h, "milestones_slipping") == 100
    assert fired(history(milestones=[planned("m0", AT - timedelta(days=days))])) == set()


@pytest.mark.parametrize(("times", "fires"), [(1, False), (2, True), (3, True)])
def test_repeated_rebaseline(times: int, fires: bool) -> None:
    """One milestone of ten re-baselined 30 days later each time (never more than slip_days)."""
    assert limit("repeated_rebaseline") == 2
    events = [planned(f"m{i}", END - timedelta(days=100)) for i in range(10)]
    events += [
        MilestoneEvent(
            date=START + timedelta(days=30 * n),
            milestone="m0",
            event="rebaselined",
            on=END - timedelta(days=100 - 30 * n),
            reason="scope",
        )
        for n in range(1, times + 1)
    ]
    h = history(milestones=events)
    assert value(h, "repeated_rebaseline") == times
    assert fired(h) == ({"repeated_rebaseline"} if fires else set())


@pytest.mark.parametrize(("delta", "fires"), BELOW)
def test_kpi_behind(delta: float, fires: bool) -> None:
    """A KPI due today with target 100: its reading is its attainment."""
    reading = limit("kpi_behind") + delta
    h = history(
        objectives=[Objective(key="k", objective="o", kpi="users", target=100, due=AT)],
        kpis=[KpiReading(date=AT - timedelta(days=10), objective="k", value=reading)],
    )
    assert value(h, "kpi_behind") == pytest.approx(reading)
    assert fired(h) == ({"kpi_behind"} if fires else set())


QUESTIONS = list(vocab.questions().questions)


def answers(
    party: str, scores: list[int], question: str = QUESTIONS[0], day: date = AT
) -> list[HealthAnswer]:
    return [
        HealthAnswer(date=day, party=party, respondent=f"{party}{i}", question=question, score=s)
        for i, s in enumerate(scores)
    ]


@pytest.mark.parametrize(("odd", "fires"), [(2, True), (3, False), (4, False)])
def test_health_check_low(odd: int, fires: bool) -> None:
    """Twenty answers of 3 (the limit) but one: mean 2.95, 3.0 or 3.05; partners one point apart at most."""
    assert limit("health_check_low") == 3.0
    scores = [3] * 10
    h = history(health_checks=answers("A", scores[:9] + [odd]) + answers("B", scores))
    assert value(h, "health_check_low") == pytest.approx(3 + (odd - 3) / 20)
    assert fired(h) == ({"health_check_low"} if fires else set())


@pytest.mark.parametrize(
    ("scores_a", "fires"),
    [([4, 4, 4, 5, 5], False), ([4, 5], True), ([4, 4, 5, 5, 5], True)],  # gaps 1.4, 1.5, 1.6
)
def test_partner_gap(scores_a: list[int], fires: bool) -> None:
    assert limit("partner_gap") == 1.5
    h = history(health_checks=answers("A", scores_a) + answers("B", [3]))
    assert value(h, "partner_gap") == pytest.approx(sum(scores_a) / len(scores_a) - 3)
    assert fired(h) == ({"partner_gap"} if fires else set())


def test_partner_gap_reads_each_partys_latest_check() -> None:
    old = answers("A", [5], day=AT - timedelta(days=200))
    h = history(health_checks=old + answers("A", [3]) + answers("B", [3]))
    assert value(h, "partner_gap") == 0


def sponsors(changes: list[float]) -> list[GovernanceEvent]:
    """A sponsor named at the start, then replaced `months` before the review for each entry."""
    events = [GovernanceEvent(date=START, event="sponsor", party="A", value="S0")]
    for n, months in enumerate(changes, start=1):
        when = AT - timedelta(days=round(months * 30.4375))
        events.append(GovernanceEvent(date=when, event="sponsor", party="A", value=f"S{n}"))
    return events


@pytest.mark.parametrize(("changes", "fires"), [([], False), ([3], True), ([6, 3], True)])
def test_sponsor_change(changes: list[float], fires: bool) -> None:
    assert limit("sponsor_change") == 1
    h = history(governance=sponsors(changes))
    assert value(h, "sponsor_change") == len(changes)
    assert fired(h) == ({"sponsor_change"} if fires else set())


@pytest.mark.parametrize(("months", "fires"), [(11.9, True), (12.1, False)])
def test_sponsor_change_window(months: float, fires: bool) -> None:
    assert RULES["sponsor_change"].within_months == 12
    h = history(governance=sponsors([months]))
    assert fired(h) == ({"sponsor_change"} if fires else set())


@pytest.mark.parametrize(
    ("roles", "fires"),
    [(("sponsor", "manager"), False), (("sponsor",), True), ((), True)],  # 0, 1 and 2 gaps
)
def test_governance_gap_roles(roles: tuple[str, ...], fires: bool) -> None:
    assert limit("governance_gap") == 1
    events = [GovernanceEvent(date=START, event=r, party="A", value="X") for r in roles]
    h = history(budget=[Budget(party="A", amount=1000)], governance=events)
    assert value(h, "governance_gap") == 2 - len(roles)
    assert fired(h) == ({"governance_gap"} if fires else set())


@pytest.mark.parametrize(("days", "fires"), [(180, False), (190, True)])
def test_governance_gap_steering_overdue(days: int, fires: bool) -> None:
    """The steering committee is overdue after grace x cadence (2 x 3 months)."""
    h = History(
        plan=Plan(name="p", start=START, end=END),
        governance=[GovernanceEvent(date=AT - timedelta(days=days), event="steering_meeting")],
    )
    assert fired(h) == ({"governance_gap"} if fires else set())


def test_every_signal_is_tested_and_explained_in_both_languages() -> None:
    tested = {name.removeprefix("test_") for name in globals() if name.startswith("test_")}
    for name in RULES:
        assert any(t.startswith(name) for t in tested), name
        assert RULES[name].explain.en and RULES[name].explain.fr
