"""The 0-100 health score: weighted components, each in 0..1 and explained by the figures behind it.

A component without data yet (no milestones, no health check) is left out and the others reweighted,
so a young alliance is not punished for what it has not measured.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from alliances.health import vocab
from alliances.health.measures import Measures
from alliances.health.signals import fmt


class Component(BaseModel):
    name: str
    value: float  # 0..1
    weight: float  # share of the score after reweighting, 0..100
    points: float
    facts: dict[str, Any]

    def explain(self, lang: str = "en") -> str:
        facts = {k: fmt(v, lang) for k, v in self.facts.items()}
        return vocab.label(vocab.thresholds().score.explain[self.name], lang).format(**facts)

    def label(self, lang: str = "en") -> str:
        return vocab.term_label("components", self.name, lang)


class Score(BaseModel):
    total: int
    level: str
    components: list[Component]


def _clamp(x: float) -> float:
    return max(0.0, min(1.0, x))


def _raw(m: Measures) -> dict[str, tuple[float, dict[str, Any]] | None]:
    cfg = vocab.thresholds()
    slip_days = int(cfg.signals["milestones_slipping"].setting("slip_days"))
    scale = cfg.score.burn_scale
    out: dict[str, tuple[float, dict[str, Any]] | None] = {}
    active = m.active_milestones
    slipped = sum(s.slip_days(m.at) > slip_days for s in active)
    out["milestones"] = (
        (
            _clamp(1 - slipped / len(active) - 0.05 * sum(len(s.rebaselines) for s in active)),
            {
                "done": sum(s.actual is not None for s in active),
                "total": len(active),
                "slipped": slipped,
                "slip_days": slip_days,
            },
        )
        if active
        else None
    )
    share = m.milestone_share
    ahead = max(m.spend_share - (share if share is not None else m.spend_share), m.spend_share - m.time_share)
    out["burn"] = (
        (
            _clamp(1 - max(0.0, ahead) / scale),
            {
                "spend_share": round(m.spend_share),
                "milestone_share": "—" if share is None else round(share),
                "time_share": round(m.time_share),
            },
        )
        if m.budget
        else None
    )
    out["kpis"] = (
        None
        if m.kpi_attainment is None
        else (m.kpi_attainment / 100, {"attainment": round(m.kpi_attainment)})
    )
    check, gap = m.check_mean, m.widest_gap()
    out["health_check"] = (
        None
        if check is None
        else (
            _clamp((check - 1) / 4 - (gap[1] / 8 if gap else 0)),
            {"mean": round(float(check), 1), "gap": round(float(gap[1]), 1) if gap else "—"},
        )
    )
    out["governance"] = (
        _clamp(1 - len(m.governance_gaps) / 3 - 0.25 * len(m.sponsor_changes)),
        {"gaps": len(m.governance_gaps), "changes": len(m.sponsor_changes)},
    )
    return out


def score(m: Measures) -> Score:
    """Weighted sum of the components that have data, rescaled to 0-100."""
    cfg = vocab.thresholds().score
    raw = {k: v for k, v in _raw(m).items() if v is not None}
    weights = {k: w for k, w in cfg.weights.items() if k in raw}
    total_weight = sum(weights.values()) or 1.0
    components = []
    for name, weight in weights.items():
        value, facts = raw[name]
        share = 100 * weight / total_weight
        components.append(
            Component(
                name=name,
                value=round(value, 3),
                weight=round(share, 1),
                points=round(value * share, 1),
                facts=facts,
            )
        )
    total = round(sum(c.value * c.weight for c in components))
    levels = cfg.levels
    level = "green" if total >= levels["green"] else "amber" if total >= levels["amber"] else "red"
    return Score(total=total, level=level, components=components)
