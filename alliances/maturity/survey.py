"""Survey results as shares with 95% Wilson intervals (scipy's binomtest), with breakdowns.

Imported responses give exact counts. For published figures where only a share and a sample size
are known, the count is rebuilt as round(share × n) and the interval computed from it — the page
says so. Breakdown groups under the anonymity threshold are not shown.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel
from scipy.stats import binomtest

from alliances.errors import InvalidInput
from alliances.maturity.model import load_model
from alliances.maturity.schemas import PublishedBasis, SurveyAnswers, SurveyDefinition, SurveyQuestion
from alliances.taxonomy import load_data_file

CONFIDENCE = 0.95


class Share(BaseModel):
    option: str
    k: int
    n: int
    share: float
    low: float
    high: float


class QuestionResult(BaseModel):
    key: str
    overall: list[Share]
    breakdown: dict[str, list[Share]]  # breakdown value (e.g. a sector) -> shares
    hidden_groups: int  # breakdown groups not shown because they are under the threshold


class SurveyResult(BaseModel):
    key: str
    n: int
    breakdown_by: str
    questions: list[QuestionResult]


class PublishedFigure(BaseModel):
    key: str
    label_en: str
    label_fr: str
    value: float
    k: int
    n: int
    low: float
    high: float


class PublishedSurvey(BaseModel):
    """A bundled survey known only by its published shares; intervals use the sample size `n`."""

    key: str
    name: str
    names: dict[str, str]  # en / fr
    publisher: str | None
    date: str | None
    n: int
    n_basis: str | None  # "smallest_consistent" when the source states no sample size
    smallest_consistent_n: int | None
    figures: list[PublishedFigure]


class Surveys(BaseModel):
    imported: list[SurveyResult]  # surveys with imported responses (at least min_group of them)
    published: list[PublishedSurvey]


def wilson(k: int, n: int) -> tuple[float, float]:
    """95% Wilson score interval of k successes out of n."""
    ci = binomtest(k, n).proportion_ci(confidence_level=CONFIDENCE, method="wilson")
    return float(ci.low), float(ci.high)


def share(option: str, k: int, n: int) -> Share:
    low, high = wilson(k, n)
    return Share(option=option, k=k, n=n, share=round(k / n, 4), low=round(low, 4), high=round(high, 4))


@cache
def definitions() -> dict[str, SurveyDefinition]:
    """The surveys of `data/maturity/surveys.yaml`, by key (checked once when first read)."""
    surveys = load_data_file("maturity/surveys.yaml")["surveys"]
    return {s["key"]: SurveyDefinition.model_validate(s) for s in surveys}


def published_basis() -> dict[str, PublishedBasis]:
    published = load_data_file("maturity/surveys.yaml").get("published", {})
    return {key: PublishedBasis.model_validate(value) for key, value in published.items()}


def definition(key: str) -> SurveyDefinition:
    found = definitions().get(key)
    if found is None:
        raise InvalidInput(f"no survey {key!r} (known: {', '.join(definitions())})")
    return found


def _shares(question: SurveyQuestion, responses: list[SurveyAnswers]) -> list[Share]:
    values = [v for r in responses if (v := r.answers.get(question.key)) is not None]
    if not values:
        return []
    return [share(opt, sum(1 for v in values if v == opt), len(values)) for opt in question.options]


def survey_result(key: str, responses: list[SurveyAnswers], breakdown_by: str = "sector") -> SurveyResult:
    if breakdown_by not in ("sector", "size", "country"):
        raise InvalidInput(f"breakdown must be sector, size or country, not {breakdown_by!r}")
    survey = definition(key)
    threshold = load_model().min_group
    groups: dict[str, list[SurveyAnswers]] = {}
    for r in responses:
        if group := getattr(r, breakdown_by):
            groups.setdefault(str(group), []).append(r)
    questions = []
    for q in survey.questions:
        shown = {g: _shares(q, rs) for g, rs in sorted(groups.items()) if len(rs) >= threshold}
        questions.append(
            QuestionResult(
                key=q.key,
                overall=_shares(q, responses) if len(responses) >= threshold else [],
                breakdown={g: s for g, s in shown.items() if s},
                hidden_groups=sum(1 for rs in groups.values() if len(rs) < threshold),
            )
        )
    n = len(responses) if len(responses) >= threshold else 0
    return SurveyResult(key=key, n=n, breakdown_by=breakdown_by, questions=questions)


def published_figures(figures: list[dict[str, Any]], n: int) -> list[PublishedFigure]:
    """Intervals for published percentages given a sample size (counts rebuilt by rounding)."""
    out = []
    for f in figures:
        if f.get("unit") != "percent":
            continue
        k = round(float(f["value"]) / 100 * n)
        low, high = wilson(k, n)
        out.append(
            PublishedFigure(
                key=f["key"],
                label_en=f["label_en"],
                label_fr=f["label_fr"],
                value=float(f["value"]),
                k=k,
                n=n,
                low=round(low, 4),
                high=round(high, 4),
            )
        )
    return out


def smallest_consistent_n(percentages: list[float], limit: int = 1000) -> int | None:
    """The smallest sample in which every published percentage is a whole count, once rounded.

    Percentages given to one decimal (33.3) must match to one decimal, whole ones to the unit.
    """
    for n in range(1, limit + 1):
        if all(
            any(round(100 * k / n, 1 if p != int(p) else 0) == p for k in range(n + 1)) for p in percentages
        ):
            return n
    return None
