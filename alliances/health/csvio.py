"""CSV files of a plan history: one file per kind (`plan.csv`, `milestones.csv`…), formats in docs/health.md.

Parsing is all or nothing: the first bad cell raises InvalidInput as `file:line: field: message`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from alliances.errors import InvalidInput
from alliances.health.model import KINDS, History, Plan


def parse(text: str, kind: str, where: str) -> list[BaseModel]:
    """Rows of one CSV text as models of `kind`; `where` names the file in error messages."""
    return [row for _, row in parse_lines(text, kind, where)]


def parse_lines(text: str, kind: str, where: str) -> list[tuple[int, BaseModel]]:
    """(line number, model) of each row, so later checks can name the line too."""
    if kind not in KINDS:
        raise InvalidInput(f"unknown kind {kind!r} (expected one of: {', '.join(KINDS)})")
    model = KINDS[kind]
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    try:
        return _rows(reader, model, where)
    except csv.Error as exc:
        raise InvalidInput(f"{where}:{reader.line_num}: row: {exc}") from None


def _rows(reader: csv.DictReader[str], model: type[BaseModel], where: str) -> list[tuple[int, BaseModel]]:
    fields = set(model.model_fields)
    header = [h.strip() for h in reader.fieldnames or []]
    if not header:
        raise InvalidInput(f"{where}:1: header: the file is empty (expected columns: {', '.join(fields)})")
    unknown = [h for h in header if h not in fields]
    if unknown:
        raise InvalidInput(
            f"{where}:1: {unknown[0]}: unknown column (expected: {', '.join(model.model_fields)})"
        )
    required = [n for n, f in model.model_fields.items() if f.is_required()]
    missing = [n for n in required if n not in header]
    if missing:
        raise InvalidInput(f"{where}:1: {missing[0]}: required column missing")
    rows: list[tuple[int, BaseModel]] = []
    for row in reader:
        line = reader.line_num
        if None in row:
            raise InvalidInput(f"{where}:{line}: row: more cells than columns")
        values = {k.strip(): v.strip() for k, v in row.items() if k and v is not None and v.strip() != ""}
        if not values:
            continue
        try:
            rows.append((line, model.model_validate(values)))
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(p) for p in first["loc"]) or "row"
            message = str(first["msg"]).removeprefix("Value error, ")
            raise InvalidInput(f"{where}:{line}: {field}: {message}") from None
    return rows


def read(path: Path, kind: str) -> list[BaseModel]:
    return [row for _, row in read_lines(path, kind)]


def read_lines(path: Path, kind: str) -> list[tuple[int, BaseModel]]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InvalidInput(f"{path}:1: file: not UTF-8 text") from None
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot read: {exc.strerror}") from None
    return parse_lines(text, kind, str(path))


def load_history(folder: Path) -> History:
    """The history in `folder`: plan.csv (one row) and any of the other kinds' files."""
    if not folder.is_dir():
        raise InvalidInput(f"{folder}: not a folder of CSV files")
    plan_file = folder / "plan.csv"
    if not plan_file.is_file():
        raise InvalidInput(f"{plan_file}: missing (every history needs its plan)")
    plans = read(plan_file, "plan")
    if len(plans) != 1:
        raise InvalidInput(f"{plan_file}:2: plan: expected exactly one row, found {len(plans)}")
    parts: dict[str, Any] = {"plan": plans[0]}
    for kind in KINDS:
        path = folder / f"{kind}.csv"
        if kind != "plan" and path.is_file():
            parts[kind] = read(path, kind)
    history = History(**parts)
    check(history, str(folder))
    return history


def problems(history: History) -> Iterator[tuple[str, int, str, str]]:
    """Cross-file rules as (kind, index in its list, field, message): KPIs name known objectives,
    milestones are planned (with a date) before they change."""
    plan: Plan = history.plan
    if plan.end <= plan.start:
        yield "plan", 0, "end", "must be after start"
    objectives = {o.key for o in history.objectives}
    for i, r in enumerate(history.kpis):
        if r.objective not in objectives:
            yield "kpis", i, "objective", f"unknown objective {r.objective!r}"
    planned: set[str] = set()
    for i, e in enumerate(history.milestones):
        if e.event == "planned":
            if e.on is None:
                yield "milestones", i, "on", "a planned milestone needs its date"
            planned.add(e.milestone)
        elif e.milestone not in planned:
            yield "milestones", i, "milestone", f"{e.milestone!r} was never planned"
        elif e.event == "rebaselined" and e.on is None:
            yield "milestones", i, "on", "a re-baselined milestone needs its new date"


def check(history: History, folder: str) -> None:
    """Raise the first cross-file problem of a folder's history as `file:line: field: message`."""
    for kind, index, field, message in problems(history):
        raise InvalidInput(f"{folder}/{kind}.csv:{index + 2}: {field}: {message}")
