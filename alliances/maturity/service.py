"""What the CLI, the pages and the report ask of the observatory, over a session and a viewer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from alliances.errors import InvalidInput
from alliances.maturity.benchmark import OVERALL, Benchmark, Row, benchmark_rows, scored_panel
from alliances.maturity.io import read_assessments, read_survey_responses
from alliances.maturity.model import load_model
from alliances.maturity.schemas import Assessment
from alliances.maturity.scoring import Scores, check_answers, score
from alliances.maturity.survey import (
    PublishedSurvey,
    Surveys,
    definitions,
    published_basis,
    published_figures,
    smallest_consistent_n,
    survey_result,
)
from alliances.maturity.synth import synth_panel
from alliances.maturity.trajectory import Trajectory, trajectory
from alliances.store import maturity as store
from alliances.store.projects import list_surveys
from alliances.store.viewer import Viewer

ADMIN = Viewer(is_admin=True)
_PANELS: dict[tuple[str, int, int, int], tuple[list[Row], int]] = {}


def scored(session: Session) -> tuple[list[Row], int]:
    """The anonymous panel scored once per state of the complete assessments (and its synthetic count)."""
    stamp = store.panel_stamp(session)
    if stamp not in _PANELS:
        panel = store.panel_answers(session)
        if len(_PANELS) > 8:
            _PANELS.clear()
        _PANELS[stamp] = (scored_panel(panel), sum(1 for p in panel if p.origin == "synthetic"))
    return _PANELS[stamp]


def check_filters(sector: str | None, size: str | None, country: str | None) -> tuple[str | None, ...]:
    model = load_model()
    if sector and sector not in model.sectors:
        raise InvalidInput(f"unknown sector {sector!r} (expected one of: {', '.join(model.sectors)})")
    if size and size not in model.size_bands:
        raise InvalidInput(f"unknown size band {size!r} (expected one of: {', '.join(model.size_bands)})")
    if country and (len(country) != 2 or not country.isalpha()):
        raise InvalidInput(f"country must be a two-letter code such as FR, not {country!r}")
    return sector or None, size or None, country.upper() if country else None


def peer_benchmark(
    session: Session,
    *,
    sector: str | None = None,
    size: str | None = None,
    country: str | None = None,
    own: dict[str, float] | None = None,
) -> Benchmark:
    """Aggregates of the panel (latest complete assessment per organisation); groups of >= min_group."""
    sector, size, country = check_filters(sector, size, country)
    rows, synthetic = scored(session)
    return benchmark_rows(rows, synthetic, sector=sector, size=size, country=country, own=own)


def own_scores(scores: Scores) -> dict[str, float]:
    values = {d.key: d.score for d in scores.dimensions if d.score is not None}
    if scores.overall_score is not None:
        values[OVERALL] = scores.overall_score
    return values


class Results(BaseModel):
    """One assessment, its scores and where it stands among its peers."""

    assessment: Assessment
    scores: Scores
    benchmark: Benchmark


def results(session: Session, assessment_id: int, *, viewer: Viewer) -> Results:
    """One assessment with its scores and where it stands among its peers."""
    record = store.get_assessment(session, assessment_id, viewer=viewer)
    scores = score(record.answers)
    peers = peer_benchmark(
        session,
        sector=record.sector,
        size=record.size_band,
        country=record.country,
        own=own_scores(scores),
    )
    return Results(assessment=record, scores=scores, benchmark=peers)


def save(session: Session, assessment_id: int, answers: dict[str, Any], *, viewer: Viewer) -> int:
    return store.save_answers(session, assessment_id, check_answers(answers), viewer=viewer)


def complete(session: Session, assessment_id: int, *, viewer: Viewer) -> Scores:
    """Close a draft once every question has an answer."""
    record = store.get_assessment(session, assessment_id, viewer=viewer)
    missing = [q.key for q in load_model().questions if q.key not in record.answers]
    if missing:
        raise InvalidInput(f"{len(missing)} question(s) still unanswered, first {missing[0]}")
    store.mark_complete(session, assessment_id, viewer=viewer)
    return score(record.answers)


def org_trajectory(session: Session, organisation_id: int, *, viewer: Viewer) -> Trajectory:
    items = store.list_assessments(session, viewer=viewer, organisation_id=organisation_id)
    full = [store.get_assessment(session, a.id, viewer=viewer) for a in items]
    return trajectory(full)


def import_assessments(session: Session, path: Path, *, viewer: Viewer) -> dict[str, int]:
    items = read_assessments(path)
    return store.write_assessments(session, items, viewer=viewer, complete_when=len(load_model().questions))


def write_synthetic_panel(
    session: Session, respondents: int, *, seed: int = 15, year: int = 2026
) -> dict[str, int]:
    """A documented synthetic panel (see `maturity.synth`), every row marked synthetic."""
    if respondents < 1:
        raise InvalidInput("--respondents must be at least 1")
    return store.write_assessments(
        session,
        synth_panel(respondents, seed=seed, year=year),
        viewer=ADMIN,
        complete_when=len(load_model().questions),
        origin="synthetic",
        create_organisations=True,
    )


def import_survey(session: Session, path: Path, survey_key: str) -> int:
    return store.add_survey_responses(session, survey_key, read_survey_responses(path, survey_key))


def surveys(session: Session, breakdown_by: str = "sector") -> Surveys:
    """Imported surveys (exact counts) and bundled published figures (intervals from share and n)."""
    imported = [survey_result(key, store.survey_answers(session, key), breakdown_by) for key in definitions()]
    basis = published_basis()
    published = []
    for s in list_surveys(session):
        if s.key not in basis:
            continue
        percents = [f.value for f in s.figures if f.unit == "percent" and f.value is not None]
        n = basis[s.key].n
        published.append(
            PublishedSurvey(
                key=s.key,
                name=s.name,
                names=basis[s.key].name or {"en": s.name, "fr": s.name},
                publisher=s.publisher,
                date=s.date,
                n=n,
                n_basis=basis[s.key].n_basis,
                smallest_consistent_n=smallest_consistent_n(percents),
                figures=published_figures([f.model_dump() for f in s.figures], n),
            )
        )
    return Surveys(imported=[r for r in imported if r.n], published=published)
