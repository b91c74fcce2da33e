"""Scores of one assessment: per dimension, per technology × link cell and overall, with gating.

A dimension's level is 1 + floor(mean points), capped at (L - 1) when a must-have item gating level
L is not fully met; the overall level is capped by every failed must-have, so a high average never
hides a missing basic. Next steps rank dimensions by importance minus score.
"""

from __future__ import annotations

import math
from statistics import fmean

from pydantic import BaseModel

from alliances.errors import InvalidInput
from alliances.maturity.model import Model, load_model

IMPORTANCE = "importance."


class DimensionScore(BaseModel):
    key: str
    kind: str
    score: float | None  # mean points on 0-5; None when nothing was answered
    level: int | None  # 1-6
    uncapped_level: int | None
    blocked_by: list[str]  # must-have questions that cap the level
    importance: float


class NextStep(BaseModel):
    dimension: str
    gap: float  # importance minus score
    level: int
    next_level: int | None
    blocked_by: list[str]


class Scores(BaseModel):
    dimensions: list[DimensionScore]
    cells: dict[str, dict[str, float | None]]  # technology -> link -> points
    overall_score: float | None
    overall_level: int | None
    blocked_by: list[str]
    next_steps: list[NextStep]
    answered: int
    questions: int

    def by_key(self) -> dict[str, DimensionScore]:
        return {d.key: d for d in self.dimensions}


def check_answers(answers: dict[str, str], model: Model | None = None) -> dict[str, str]:
    """Validate answers (question keys and `importance.<dimension>` keys); return them as strings."""
    model = model or load_model()
    clean: dict[str, str] = {}
    for key, raw in answers.items():
        value = str(raw).strip()
        if value == "":
            continue
        if key.startswith(IMPORTANCE):
            model.dimension(key.removeprefix(IMPORTANCE))
            if value not in model.scales["adoption"]:
                raise InvalidInput(f"{key}: importance must be 0 to 5, not {value!r}")
        else:
            model.points(model.question(key), value)
        clean[key] = value
    return clean


def level_of(score: float, top: int) -> int:
    return min(top, 1 + math.floor(score + 1e-9))


def score(answers: dict[str, str], model: Model | None = None) -> Scores:
    """Score validated answers; unanswered questions count for nothing (and fail must-haves)."""
    model = model or load_model()
    top = len(model.levels)
    dims: list[DimensionScore] = []
    every_cap: list[tuple[int, str]] = []
    for dim in model.dimensions:
        qs = [q for q in model.questions if q.dimension == dim.key]
        points = [model.points(q, answers[q.key]) for q in qs if q.key in answers]
        caps = [(q.must_have, q.key) for q in qs if q.must_have and not model.is_met(q, answers.get(q.key))]
        every_cap.extend(caps)
        importance = float(answers.get(IMPORTANCE + dim.key, dim.importance))
        if not points:
            dims.append(
                DimensionScore(
                    key=dim.key,
                    kind=dim.kind,
                    score=None,
                    level=None,
                    uncapped_level=None,
                    blocked_by=[],
                    importance=importance,
                )
            )
            continue
        mean = round(fmean(points), 4)
        raw_level = level_of(mean, top)
        level = min([raw_level] + [gate - 1 for gate, _ in caps])
        blocked = [key for gate, key in caps if gate - 1 < raw_level]
        dims.append(
            DimensionScore(
                key=dim.key,
                kind=dim.kind,
                score=mean,
                level=level,
                uncapped_level=raw_level,
                blocked_by=blocked,
                importance=importance,
            )
        )
    scored = [d.score for d in dims if d.score is not None]
    overall_score = round(fmean(scored), 4) if scored else None
    overall_level = blocked_overall = None
    if overall_score is not None:
        raw = level_of(overall_score, top)
        overall_level = min([raw] + [gate - 1 for gate, _ in every_cap])
        blocked_overall = [key for gate, key in every_cap if gate - 1 < raw]
    cells = {
        tech: {
            link: (
                model.points(model.question(f"cell.{tech}.{link}"), answers[f"cell.{tech}.{link}"])
                if f"cell.{tech}.{link}" in answers
                else None
            )
            for link in model.links
        }
        for tech in model.technologies
    }
    asked = [q for q in model.questions]
    return Scores(
        dimensions=dims,
        cells=cells,
        overall_score=overall_score,
        overall_level=overall_level,
        blocked_by=blocked_overall or [],
        next_steps=next_steps(dims, top),
        answered=sum(1 for q in asked if q.key in answers),
        questions=len(asked),
    )


def next_steps(dims: list[DimensionScore], top: int, limit: int = 5) -> list[NextStep]:
    """Dimensions where importance most exceeds maturity; must-have blockers come with them."""
    steps = [
        NextStep(
            dimension=d.key,
            gap=round(d.importance - d.score, 2),
            level=d.level,
            next_level=d.level + 1 if d.level < top else None,
            blocked_by=d.blocked_by,
        )
        for d in dims
        if d.score is not None and d.level is not None and d.importance - d.score > 0
    ]
    steps.sort(key=lambda s: (-s.gap, s.dimension))
    return steps[:limit]
