"""Signals: each a figure of the review compared with its limit from thresholds.yaml, with why it fired.

Every signal is evaluated at every review (fired or not) so that pages can show how close each one is.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from alliances.health import vocab
from alliances.health.measures import Measures

OPS: dict[str, Callable[[float, float], bool]] = {">": operator.gt, ">=": operator.ge, "<": operator.lt}


class Signal(BaseModel):
    """One signal at one review: its value, limit, whether it fired, and the facts its explanation names."""

    name: str
    value: float
    limit: float
    op: str
    unit: str
    fired: bool
    facts: dict[str, Any] = {}

    def explain(self, lang: str = "en") -> str:
        rule = vocab.thresholds().signals[self.name]
        facts = {**rule.model_dump(), **self.facts, "value": self.value, "limit": self.limit}
        facts = {k: fmt(v, lang) for k, v in facts.items()}
        if "gap_keys" in self.facts:
            labels = rule.gap_labels
            gaps = [key.split(":", 1) for key in self.facts["gap_keys"]]
            text = "; ".join(vocab.label(labels[k], lang).format(party=p) for k, p in gaps)
            facts["gaps"] = text or vocab.label(labels["none"], lang)
        if "question_key" in self.facts:
            facts["question"] = vocab.label(vocab.questions().questions[self.facts["question_key"]], lang)
        return vocab.label(rule.explain, lang).format(**facts)

    def label(self, lang: str = "en") -> str:
        return vocab.label(vocab.thresholds().signals[self.name], lang)


def fmt(value: Any, lang: str = "en") -> Any:
    """Numbers as people write them: no useless decimals, a decimal comma in French."""
    if isinstance(value, float):
        text = str(int(value)) if value == int(value) else f"{value:.1f}".rstrip("0").rstrip(".")
        return text.replace(".", ",") if lang == "fr" else text
    return value


def rules() -> dict[str, vocab.SignalRule]:
    return vocab.thresholds().signals


def _values(m: Measures) -> dict[str, tuple[float, dict[str, Any]] | None]:
    """The measured value of each signal and the facts behind it (None: no data to judge)."""
    r = rules()
    spend = round(m.spend_share, 1)
    out: dict[str, tuple[float, dict[str, Any]] | None] = {}
    share = m.milestone_share
    out["spend_ahead_of_milestones"] = (
        None
        if share is None or not m.budget
        else (
            round(spend - share, 1),
            {"spend_share": spend, "milestone_share": round(share, 1)},
        )
    )
    out["spend_over_plan"] = (
        None
        if not m.budget
        else (
            round(spend - m.time_share, 1),
            {"spend_share": spend, "time_share": round(m.time_share, 1)},
        )
    )
    out["spend_continuing"] = None if not m.budget else (round(100 * m.period_spend / m.budget, 2), {})
    slipped = m.slipped_share(int(r["milestones_slipping"].setting("slip_days")))
    out["milestones_slipping"] = None if slipped is None else (round(slipped, 1), {})
    worst = max(m.active_milestones, key=lambda s: len(s.rebaselines), default=None)
    out["repeated_rebaseline"] = (
        None if worst is None else (float(len(worst.rebaselines)), {"milestone": worst.name})
    )
    out["kpi_behind"] = None if m.kpi_attainment is None else (round(m.kpi_attainment, 1), {})
    check = m.check_mean
    out["health_check_low"] = None if check is None else (round(check, 2), {})
    gap = m.widest_gap()
    out["partner_gap"] = None if gap is None else (round(gap[1], 2), {"question_key": gap[0]})
    out["sponsor_change"] = (
        float(len(m.sponsor_changes)),
        {"parties": f" ({', '.join(m.sponsor_changes)})" if m.sponsor_changes else ""},
    )
    out["governance_gap"] = (
        float(len(m.governance_gaps)),
        {"gap_keys": m.governance_gaps},
    )
    return out


def evaluate(m: Measures) -> list[Signal]:
    """Every signal with data at this review, in the order of thresholds.yaml."""
    values = _values(m)
    signals = []
    for name, rule in rules().items():
        measured = values.get(name)
        if measured is None:
            continue
        value, facts = measured
        limit = rule.limit
        signals.append(
            Signal(
                name=name,
                value=value,
                limit=limit,
                op=rule.op,
                unit=rule.unit,
                fired=OPS[rule.op](value, limit),
                facts=facts,
            )
        )
    return signals
