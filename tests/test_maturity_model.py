"""The maturity model as data, and scoring: levels, must-have gating, next steps, answer checks."""

from __future__ import annotations

import pytest

from alliances.analytics.matrix import MATRIX_STAGES, MATRIX_TECHNOLOGIES
from alliances.errors import InvalidInput
from alliances.maturity.model import load_model
from alliances.maturity.scoring import check_answers, score

ACATECH = [
    "computerisation",
    "connectivity",
    "visibility",
    "transparency",
    "predictive_capacity",
    "adaptability",
]


def full_answers(adoption: str = "4") -> dict[str, str]:
    """Every question answered: adoption scales at `adoption`, every must-have met."""
    model = load_model()
    return {q.key: adoption if q.type == "adoption" else model.met[q.type] for q in model.questions}


def test_model_covers_the_study_grid_and_organisation() -> None:
    model = load_model()
    assert [lvl.key for lvl in model.levels] == ACATECH
    assert set(model.technologies) == set(MATRIX_TECHNOLOGIES) and set(model.links) == set(MATRIX_STAGES)
    cells = [q for q in model.questions if q.key.startswith("cell.")]
    assert len(cells) == 8 * 5
    org = [d.key for d in model.dimensions if d.kind == "organisation"]
    assert org == ["digital_unit", "partnering", "skills", "governance", "data_management"]
    assert {q.type for q in model.questions} == {"adoption", "done_planned", "ynp"}
    assert [q.key for q in model.questions if q.must_have]  # gating items exist


def test_every_dimension_has_a_descriptor_per_level_in_both_languages() -> None:
    model = load_model()
    for dim in model.dimensions:
        for level in range(1, 7):
            en, fr = dim.descriptor(level, "en"), dim.descriptor(level, "fr")
            assert en and fr and en != fr, (dim.key, level)
        assert dim.label("fr") and dim.label("en")
    for q in model.questions:
        assert q.label("en") and q.label("fr")


def test_full_marks_reach_adaptability() -> None:
    s = score(full_answers("5"))
    assert s.overall_level == 6 and s.overall_score == 5.0 and s.blocked_by == []
    assert all(d.level == 6 for d in s.dimensions)
    assert s.answered == s.questions


@pytest.mark.parametrize(
    ("question", "answer", "dimension", "cap"),
    [
        ("org.exec_owner", "partial", "governance", 1),  # must-have for connectivity (2)
        ("org.data_catalogue", "no", "data_management", 2),  # must-have for visibility (3)
        ("tech.security_plan", "planned", "cybersecurity_blockchain", 2),
        ("tech.ai_validation", "partial", "ai", 4),
    ],
)
def test_a_missing_must_have_caps_its_dimension_and_the_overall_level(
    question: str, answer: str, dimension: str, cap: int
) -> None:
    answers = full_answers("5")
    answers[question] = answer
    s = score(answers)
    d = s.by_key()[dimension]
    assert d.level == cap and (d.uncapped_level or 0) > cap and d.blocked_by == [question]
    assert (s.overall_score or 0) >= 4.5  # a high average…
    assert s.overall_level == cap and question in s.blocked_by  # …never hides a missing basic
    assert all(x.level == 6 for x in s.dimensions if x.key != dimension)


def test_unanswered_must_have_also_gates() -> None:
    answers = full_answers("5")
    del answers["org.exec_owner"]
    assert score(answers).by_key()["governance"].level == 1


def test_levels_follow_the_mean_score() -> None:
    answers = full_answers("2")
    s = score(answers)
    ai = s.by_key()["ai"]
    # ai: five cells at 2 and the validation item met (5 points): mean 2.5 -> visibility (3)
    assert ai.score == pytest.approx((5 * 2 + 5) / 6, abs=1e-4) and ai.level == 3
    assert s.cells["ai"]["research"] == 2


def test_next_steps_rank_importance_minus_maturity() -> None:
    answers = full_answers("3")
    answers["cell.robotics.production"] = "0"
    answers["importance.robotics"] = "5"
    answers["importance.cloud"] = "0"
    steps = score(answers).next_steps
    assert steps[0].dimension == "robotics" and steps[0].gap == pytest.approx(5 - 2.4, abs=0.01)
    assert "cloud" not in [s.dimension for s in steps]
    assert [s.gap for s in steps] == sorted((s.gap for s in steps), reverse=True)


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"cell.ai.research": "7"}, "cell.ai.research: '7' is not an answer"),
        ({"org.digital_bu": "maybe"}, "org.digital_bu: 'maybe' is not an answer"),
        ({"cell.quantum.research": "1"}, "unknown maturity question 'cell.quantum.research'"),
        ({"importance.ai": "9"}, "importance must be 0 to 5"),
        ({"importance.nothing": "1"}, "unknown maturity dimension 'nothing'"),
    ],
)
def test_bad_answers_are_refused(answers: dict[str, str], message: str) -> None:
    with pytest.raises(InvalidInput) as info:
        check_answers(answers)
    assert message in info.value.message
