"""Read assessments and survey responses from CSV or JSON files, all or nothing.

Each row is checked against the model (or the survey definition); the first bad row stops the
import with `FILE:LINE: what is wrong`, before anything is written.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

from alliances.errors import InvalidInput
from alliances.maturity.model import Model, load_model
from alliances.maturity.schemas import AssessmentIn, SurveyResponseIn
from alliances.maturity.scoring import check_answers
from alliances.maturity.survey import definition

PROFILE = ("organisation", "label", "assessed", "sector", "size", "country")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _rows(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """(line number, record) from CSV (header on line 1), JSON Lines, or a JSON array."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        raise InvalidInput(f"{path}: cannot read the file ({reason})") from exc
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{path}: not UTF-8 text (byte {exc.start})") from exc
    suffix = path.suffix.lower()
    if suffix == ".csv":
        reader = csv.DictReader(io.StringIO(text))
        out = []
        start = 2  # the line a record starts on (a quoted value may span several lines)
        for row in reader:
            if None in row:
                raise InvalidInput(f"{path}:{start}: more values than columns")
            out.append((start, {k: v for k, v in row.items() if k is not None}))
            start = reader.line_num + 1
        return out
    if suffix == ".jsonl":
        lines = [(i, line) for i, line in enumerate(text.splitlines(), 1) if line.strip()]
        try:
            return [(i, json.loads(line)) for i, line in lines]
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"{path}: invalid JSON Lines ({exc.msg})") from exc
    if suffix == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"{path}:{exc.lineno}: invalid JSON ({exc.msg})") from exc
        if not isinstance(data, list):
            raise InvalidInput(f"{path}: expected a JSON array of records")
        return [(i, record) for i, record in enumerate(data, 1)]
    raise InvalidInput(f"{path}: expected a .csv, .json or .jsonl file")


def _where(path: Path, line: int) -> str:
    return f"{path}:{line}" if path.suffix.lower() != ".json" else f"{path}: record {line}"


def read_assessments(path: Path, model: Model | None = None) -> list[AssessmentIn]:
    """Validated assessments: profile fields plus `answers` (question keys and importance.*)."""
    model = model or load_model()
    out = []
    for line, record in _rows(path):
        where = _where(path, line)
        if not isinstance(record, dict):
            raise InvalidInput(f"{where}: expected an object")
        answers = record.get("answers")
        if answers is None:  # flat CSV: every non-profile column is an answer
            answers = {k: v for k, v in record.items() if k not in PROFILE}
        if not isinstance(answers, dict):
            raise InvalidInput(f"{where}: answers must be an object of question: answer")
        try:
            profile = _profile(record, model)
            checked = check_answers({str(k): str(v) for k, v in answers.items() if v is not None}, model)
        except InvalidInput as exc:
            raise InvalidInput(f"{where}: {exc.message}") from exc
        out.append(AssessmentIn(**profile, answers=checked, where=where))
    if not out:
        raise InvalidInput(f"{path}: no assessment in the file")
    return out


def _profile(record: dict[str, Any], model: Model) -> dict[str, str | None]:
    missing = [
        k for k in ("organisation", "sector", "size", "country") if not str(record.get(k) or "").strip()
    ]
    if missing:
        raise InvalidInput(f"missing {', '.join(missing)}")
    sector, size, country = (str(record[k]).strip() for k in ("sector", "size", "country"))
    model.check_profile(sector, size, country)
    assessed = str(record.get("assessed") or "").strip() or None
    if assessed and not DATE.match(assessed):
        raise InvalidInput(f"assessed must be a date YYYY-MM-DD, not {assessed!r}")
    return {
        "organisation": str(record["organisation"]).strip(),
        "label": str(record.get("label") or "").strip() or None,
        "assessed": assessed,
        "sector": sector,
        "size": size,
        "country": country,
    }


def read_survey_responses(path: Path, survey_key: str) -> list[SurveyResponseIn]:
    """Validated responses: `respondent`, optional sector/size/country, answers per question."""
    survey = definition(survey_key)
    options = {q.key: [str(o) for o in q.options] for q in survey.questions}
    model = load_model()
    out, seen = [], set()
    for line, record in _rows(path):
        where = _where(path, line)
        respondent = str(record.get("respondent") or "").strip()
        if not respondent:
            raise InvalidInput(f"{where}: missing respondent")
        if respondent in seen:
            raise InvalidInput(f"{where}: respondent {respondent!r} appears twice")
        seen.add(respondent)
        answers: dict[str, str] = {}
        for key, value in record.items():
            if key in ("respondent", "sector", "size", "country") or value in (None, ""):
                continue
            if key not in options:
                raise InvalidInput(
                    f"{where}: unknown question {key!r} (expected one of: {', '.join(options)})"
                )
            if str(value) not in options[key]:
                raise InvalidInput(f"{where}: {key}: {value!r} is not one of {', '.join(options[key])}")
            answers[key] = str(value)
        sector = str(record.get("sector") or "").strip() or None
        if sector and sector not in model.sectors:
            raise InvalidInput(
                f"{where}: unknown sector {sector!r} (expected one of: {', '.join(model.sectors)})"
            )
        size = str(record.get("size") or "").strip() or None
        if size and size not in model.size_bands:
            raise InvalidInput(f"{where}: unknown size band {size!r}")
        country = str(record.get("country") or "").strip().upper() or None
        profile = {"sector": sector, "size": size, "country": country}
        out.append(SurveyResponseIn(respondent=respondent, **profile, answers=answers))
    if not out:
        raise InvalidInput(f"{path}: no response in the file")
    return out
