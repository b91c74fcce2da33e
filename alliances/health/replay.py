"""Replay a plan's history review by review: the same engine serves the CLI, the pages and the API."""

from __future__ import annotations

from datetime import date, timedelta

from pydantic import BaseModel

from alliances.health import alerts, signals, vocab
from alliances.health.alerts import Alert
from alliances.health.measures import Measures, measure
from alliances.health.model import History
from alliances.health.score import Score, score
from alliances.health.signals import Signal


class Review(BaseModel):
    """One review period: its score, every signal (fired or not) and the alerts it raises."""

    model_config = {"arbitrary_types_allowed": True}

    period: str
    date: date
    score: Score
    signals: list[Signal]
    alerts: list[Alert]
    measures: Measures

    @property
    def fired(self) -> list[str]:
        return [s.name for s in self.signals if s.fired]

    def line(self) -> dict[str, object]:
        """The JSON line of `alliances health replay --json`."""
        return {
            "period": self.period,
            "date": self.date.isoformat(),
            "score": self.score.total,
            "level": self.score.level,
            "signals": self.fired,
            "alerts": [{"name": a.name, "signals": a.signals} for a in self.alerts],
        }


def quarter_end(day: date) -> date:
    month = 3 * ((day.month - 1) // 3 + 1)
    first_next = date(day.year + (month == 12), 1 if month == 12 else month + 1, 1)
    return first_next - timedelta(days=1)


def periods(start: date, last: date, months: int = 3) -> list[tuple[str, date]]:
    """Review periods (label, closing date) from the quarter of `start` to the quarter of `last`."""
    if months != 3:
        raise ValueError("only quarterly reviews are supported")
    out = []
    end = quarter_end(start)
    while True:
        out.append((f"{end.year}-Q{(end.month - 1) // 3 + 1}", end))
        if end >= last:
            return out
        end = quarter_end(end + timedelta(days=1))


def replay(history: History, until: date | None = None) -> list[Review]:
    """Every review from the plan's start to the last dated entry (or `until`)."""
    cfg = vocab.thresholds()
    last = until or history.last_date()
    reviews: list[Review] = []
    fired_so_far: list[set[str]] = []
    previous = date.min
    for label, closing in periods(history.plan.start, last, cfg.review_months):
        m: Measures = measure(history, closing, previous, cfg.signals)
        found = signals.evaluate(m)
        fired_so_far.append({s.name for s in found if s.fired})
        reviews.append(
            Review(
                period=label,
                date=closing,
                score=score(m),
                signals=found,
                alerts=alerts.evaluate(fired_so_far),
                measures=m,
            )
        )
        previous = closing
    return reviews
