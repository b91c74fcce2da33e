"""The escalation rule over consecutive reviews, and the score's levels and reweighting."""

from __future__ import annotations

from datetime import date

import pytest

from alliances.health import alerts, vocab
from alliances.health.measures import Measures
from alliances.health.score import score

RULE = vocab.thresholds().alerts["escalation_of_commitment"]
SPEND, AHEAD, REBASE = "spend_continuing", "spend_ahead_of_milestones", "repeated_rebaseline"


def names(history: list[set[str]]) -> list[str]:
    return [a.name for a in alerts.evaluate(history)]


@pytest.mark.parametrize(
    ("history", "fires"),
    [
        ([{SPEND, AHEAD}], False),  # one review ahead is not yet a trend
        ([{SPEND, AHEAD}, {SPEND, AHEAD}], True),  # two in a row
        ([{SPEND, AHEAD}, {SPEND}, {SPEND, AHEAD}], False),  # not consecutive
        ([{AHEAD}, {AHEAD}], False),  # spending stopped: nothing to escalate
        ([{SPEND, REBASE}], True),  # the same milestone re-baselined twice
        ([{SPEND}, {SPEND}, {SPEND}], False),
    ],
)
def test_escalation_needs_spend_and_a_lasting_trigger(history: list[set[str]], fires: bool) -> None:
    assert {t.signal: t.consecutive for t in RULE.any_of} == {AHEAD: 2, REBASE: 1}
    assert names(history) == (["escalation_of_commitment"] if fires else [])


def test_the_alert_names_triggers_then_the_signals_firing_with_it() -> None:
    (alert,) = alerts.evaluate([{SPEND, AHEAD}, {SPEND, AHEAD, REBASE, "kpi_behind", "health_check_low"}])
    assert alert.triggers == [AHEAD, REBASE]
    assert alert.signals == [AHEAD, REBASE, SPEND, "kpi_behind"]  # health_check_low is not part of this rule
    assert alert.label("fr") == "Escalade d'engagement" and "go / no-go" in alert.ask("en")


def bare(**values: object) -> Measures:
    base: dict[str, object] = dict(
        at=date(2020, 6, 30),
        budget=0.0,
        spent=0.0,
        period_spend=0.0,
        time_share=50.0,
        milestones=[],
        kpi_attainment=None,
        check_by_party={},
        sponsor_changes=[],
        governance_gaps=[],
        stage="launch_and_management",
    )
    base.update(values)
    return Measures(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("attainment", "total", "level"),
    [(100.0, 100, "green"), (47.0, 70, "green"), (46.0, 69, "amber"), (12.0, 50, "amber"), (10.0, 49, "red")],
)
def test_levels_at_their_limits(attainment: float, total: int, level: str) -> None:
    """KPIs (weight 20) and governance (15, perfect) only: score = (20 a + 15) / 35 with a = attainment."""
    result = score(bare(kpi_attainment=attainment))
    assert [c.name for c in result.components] == ["kpis", "governance"]
    assert result.total == round((20 * attainment / 100 + 15) / 35 * 100) == total
    assert vocab.thresholds().score.levels == {"green": 70, "amber": 50}
    assert result.level == level
    assert sum(c.weight for c in result.components) == pytest.approx(100)
