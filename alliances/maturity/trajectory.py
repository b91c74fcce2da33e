"""Trajectory: an organisation's repeated assessments (T0, T1, …) and its progress per dimension."""

from __future__ import annotations

from pydantic import BaseModel

from alliances.maturity.model import Model, load_model
from alliances.maturity.schemas import Assessment
from alliances.maturity.scoring import score


class Point(BaseModel):
    id: int
    label: str
    assessed: str
    status: str
    overall_score: float | None
    overall_level: int | None
    scores: dict[str, float | None]
    levels: dict[str, int | None]


class Trajectory(BaseModel):
    organisation_id: int | None
    points: list[Point]
    progress: dict[str, float | None]  # last minus first complete score, per dimension and "overall"


def trajectory(assessments: list[Assessment], model: Model | None = None) -> Trajectory:
    """Points in date order; progress compares the first and the last point."""
    model = model or load_model()
    points = []
    for item in sorted(assessments, key=lambda a: (a.assessed, a.id)):
        s = score(item.answers, model)
        points.append(
            Point(
                id=item.id,
                label=item.label,
                assessed=item.assessed,
                status=item.status,
                overall_score=s.overall_score,
                overall_level=s.overall_level,
                scores={d.key: d.score for d in s.dimensions},
                levels={d.key: d.level for d in s.dimensions},
            )
        )
    progress: dict[str, float | None] = {}
    done = [p for p in points if p.status == "complete"]
    compared = done if len(done) >= 2 else [p for p in points if p.overall_score is not None]
    if len(compared) >= 2:  # a draft just started would show a fall to nothing
        first, last = compared[0], compared[-1]
        for key in [d.key for d in model.dimensions]:
            a, b = first.scores.get(key), last.scores.get(key)
            progress[key] = round(b - a, 4) if a is not None and b is not None else None
        if first.overall_score is not None and last.overall_score is not None:
            progress["overall"] = round(last.overall_score - first.overall_score, 4)
    return Trajectory(
        organisation_id=assessments[0].organisation_id if assessments else None,
        points=points,
        progress=progress,
    )
