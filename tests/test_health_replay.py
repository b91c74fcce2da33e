"""The Onduo-like history raises the escalation-of-commitment alert before its end; the healthy one never.

Both histories are the documented examples in examples/health/, replayed quarter by quarter through the
real entry point (`alliances health replay DIR --json`) and through the library.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from alliances.health import replay
from alliances.health.csvio import load_history
from alliances.health.report import build

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "health"
ESCALATION = "escalation_of_commitment"


def replay_lines(cli: Any, folder: Path) -> list[dict[str, object]]:
    """Run the real entry point and parse its JSON lines."""
    result = cli("health", "replay", str(folder), "--json")
    assert result.code == 0, result.err
    return [json.loads(line) for line in result.out.splitlines()]


@pytest.fixture
def onduo(cli: Any) -> list[dict[str, object]]:
    return replay_lines(cli, EXAMPLES / "onduo-like")


@pytest.fixture
def healthy(cli: Any) -> list[dict[str, object]]:
    return replay_lines(cli, EXAMPLES / "healthy")


def test_one_line_per_quarter_with_the_contract_fields(onduo: list[dict[str, object]]) -> None:
    periods = [line["period"] for line in onduo]
    assert periods[0] == "2016-Q3" and periods[-1] == "2019-Q4"
    assert len(periods) == len(set(periods)) == 14
    for line in onduo:
        assert {"period", "score", "signals", "alerts"} <= set(line)
        assert 0 <= int(line["score"]) <= 100  # type: ignore[call-overload]
        for alert in line["alerts"]:  # type: ignore[attr-defined]
            assert set(alert) == {"name", "signals"} and alert["signals"]


def test_onduo_like_history_fires_escalation_before_the_end(onduo: list[dict[str, object]]) -> None:
    firing = [i for i, line in enumerate(onduo) if ESCALATION in {a["name"] for a in line["alerts"]}]  # type: ignore[attr-defined]
    assert firing, "the escalation alert never fired"
    first = firing[0]
    assert first < len(onduo) - 1, "it fired only at the very end"
    assert onduo[first]["period"] < "2019-Q3"  # well before the sponsor change and the exit
    alert = next(a for a in onduo[first]["alerts"] if a["name"] == ESCALATION)  # type: ignore[attr-defined]
    assert set(alert["signals"]) <= set(onduo[first]["signals"])  # type: ignore[arg-type]
    assert {"spend_continuing"} < set(alert["signals"])
    assert {"repeated_rebaseline", "spend_ahead_of_milestones"} & set(alert["signals"])
    last = next(a for a in onduo[-1]["alerts"] if a["name"] == ESCALATION)  # type: ignore[attr-defined]
    assert {"spend_ahead_of_milestones", "repeated_rebaseline", "kpi_behind", "sponsor_change"} <= set(
        last["signals"]
    )


def test_spend_ahead_of_milestones_fires_two_reviews_running_before_it_triggers(
    onduo: list[dict[str, object]],
) -> None:
    ahead = ["spend_ahead_of_milestones" in line["signals"] for line in onduo]  # type: ignore[operator]
    first = ahead.index(True)
    assert ahead[first + 1]
    triggered = [
        "spend_ahead_of_milestones" in a["signals"]
        for line in onduo
        for a in line["alerts"]  # type: ignore[attr-defined]
    ]
    assert any(triggered)
    alert = next(a for a in onduo[first]["alerts"] if a["name"] == ESCALATION)  # type: ignore[attr-defined]
    assert "spend_ahead_of_milestones" not in alert["signals"]  # one review is not yet a trend
    alert = next(a for a in onduo[first + 1]["alerts"] if a["name"] == ESCALATION)  # type: ignore[attr-defined]
    assert "spend_ahead_of_milestones" in alert["signals"]


def test_healthy_history_with_the_same_spend_never_fires(
    healthy: list[dict[str, object]], onduo: list[dict[str, object]]
) -> None:
    assert all(not line["alerts"] for line in healthy)
    same_spend = [line["signals"] and "spend_continuing" in line["signals"] for line in healthy]  # type: ignore[operator]
    assert same_spend == [line["signals"] and "spend_continuing" in line["signals"] for line in onduo]  # type: ignore[operator]
    assert min(int(line["score"]) for line in healthy[2:]) >= 70  # type: ignore[call-overload]
    assert int(onduo[-1]["score"]) < 50  # type: ignore[call-overload]


def test_both_examples_commit_the_same_500_million() -> None:
    a, b = (load_history(EXAMPLES / name) for name in ("onduo-like", "healthy"))
    assert sum(x.amount for x in a.budget) == sum(x.amount for x in b.budget) == 500_000_000
    assert [(s.date, s.amount) for s in a.spend] == [(s.date, s.amount) for s in b.spend]
    assert a.plan.start.year == 2016
    sanofi = [g for g in a.governance if g.event == "sponsor" and g.party == "Sanofi"]
    assert [g.date.year for g in sanofi] == [2016, 2019]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_score_component_and_alert_is_explained(lang: str) -> None:
    report = build(load_history(EXAMPLES / "onduo-like"), lang)
    assert report.score == replay(load_history(EXAMPLES / "onduo-like"))[-1].score.total
    assert round(sum(c.points for c in report.components)) == pytest.approx(report.score, abs=1)
    assert all(c.explanation and "{" not in c.explanation for c in report.components)
    assert all(s.explanation and "{" not in s.explanation for s in report.signals)
    (alert,) = report.alerts
    assert alert.name == ESCALATION and alert.ask and alert.since == "2018-Q2"
    word = "budget" if lang == "en" else "dépenses"
    assert (
        word in next(s for s in report.signals if s.name == "spend_ahead_of_milestones").explanation.lower()
    )


DOCS = EXAMPLES.parents[1] / "docs" / "health.md"


def test_documented_csv_formats_are_the_models() -> None:
    """Every file of docs/health.md's table lists the model's columns, required ones in bold."""
    from alliances.health.model import KINDS

    rows = re.findall(r"^\| `(\w+)\.csv` \| (.+?) \|", DOCS.read_text(encoding="utf-8"), flags=re.M)
    assert [kind for kind, _ in rows] == list(KINDS)
    for kind, cells in rows:
        columns = [c.strip() for c in cells.split(",")]
        names = [re.sub(r"\s*\(.*\)$", "", c).strip("*") for c in columns]
        model = KINDS[kind]
        assert names == list(model.model_fields), kind
        bold = {n for n, c in zip(names, columns, strict=True) if c.startswith("**")}
        assert bold == {n for n, f in model.model_fields.items() if f.is_required()}, kind


def test_documented_replay_lines_are_what_the_command_prints(onduo: list[dict[str, object]]) -> None:
    shown = [
        json.loads(line)
        for line in DOCS.read_text(encoding="utf-8").splitlines()
        if line.startswith('{"period"')
    ]
    assert shown and all(line in onduo for line in shown)
