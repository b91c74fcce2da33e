"""Alerts: rules over consecutive reviews' signals (thresholds.yaml `alerts`), each naming its signals."""

from __future__ import annotations

from pydantic import BaseModel

from alliances.health import vocab


class Alert(BaseModel):
    name: str
    signals: list[str]  # triggers, then required and context signals that fired with them
    triggers: list[str]
    requires: list[str] = []

    def label(self, lang: str = "en") -> str:
        return vocab.label(vocab.thresholds().alerts[self.name], lang)

    def ask(self, lang: str = "en") -> str:
        return vocab.label(vocab.thresholds().alerts[self.name].ask, lang)


def _streak(history: list[set[str]], signal: str) -> int:
    """How many reviews in a row, ending with the latest, `signal` fired."""
    n = 0
    for fired in reversed(history):
        if signal not in fired:
            break
        n += 1
    return n


def evaluate(history: list[set[str]]) -> list[Alert]:
    """The alerts of the latest review, given the fired signal names of every review so far."""
    if not history:
        return []
    now = history[-1]
    alerts = []
    for name, rule in vocab.thresholds().alerts.items():
        if not set(rule.requires) <= now:
            continue
        triggers = [t.signal for t in rule.any_of if _streak(history, t.signal) >= t.consecutive]
        if triggers:
            named = triggers + rule.requires + rule.context
            signals = [s for s in dict.fromkeys(named) if s in now or s in triggers]
            required = list(rule.requires)
            alerts.append(Alert(name=name, signals=signals, triggers=triggers, requires=required))
    return alerts
