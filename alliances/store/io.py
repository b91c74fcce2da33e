"""Import and export of alliances as JSON Lines (SCHEMA.md records plus KB fields) and CSV."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NotRequired, TypedDict

import yaml
from pydantic import JsonValue
from sqlalchemy import select
from sqlalchemy.orm import Session

from alliances.errors import AllianceError, InvalidInput
from alliances.schemas import AllianceSummary, RawRecord
from alliances.store.csvout import csv_chunks
from alliances.store.filters import Filters
from alliances.store.models import Alliance, Evidence, Source
from alliances.store.queries import get_alliance, iter_alliances
from alliances.store.resolve import Resolver
from alliances.store.viewer import Viewer
from alliances.store.writes import add_alliance

CSV_COLUMNS = [
    "key",
    "title",
    "parties",
    "kinds",
    "type",
    "technologies",
    "stages",
    "therapeutic_areas",
    "announced",
    "ended",
    "amount",
    "currency",
    "amount_kind",
    "status",
    "vehicle",
    "source",
    "source_title",
]
LIST_SEP = "; "


class ExchangeParty(TypedDict):
    name: str
    kind: str
    role: str | None


class ExchangeSource(TypedDict):
    url: str | None
    title: str | None
    date: str | None
    publisher: str | None
    quote: str | None
    start: int | None
    end: int | None


class ExchangeAmount(TypedDict):
    value: float
    currency: str | None
    kind: str | None


class ExchangeEvent(TypedDict):
    kind: str
    date: str | None
    note: str | None


class ExchangeRecord(TypedDict):
    """One line of a JSON Lines export: a JSON document written as it is, so a TypedDict, not a model."""

    key: str | None
    title: str
    parties: list[ExchangeParty]
    type: str
    technologies: list[str]
    stages: list[str]
    therapeutic_areas: list[str]
    date: str | None
    ended: str | None
    amount: ExchangeAmount | None
    status: str | None
    vehicle: str | None
    description: str | None
    events: list[ExchangeEvent]
    sources: list[ExchangeSource]
    origin: str
    visibility: NotRequired[str]  # only for private records, which stay private once imported back
    owner_id: NotRequired[int | None]


def export_record(record: dict[str, Any]) -> ExchangeRecord:
    """A stored alliance as an exchange record: no database ids, so it imports anywhere."""
    sources = [
        ExchangeSource(
            url=e["source"]["url"],
            title=e["source"]["title"],
            date=e["source"]["date"],
            publisher=e["source"]["publisher"],
            quote=e["quote"],
            start=e["start"],
            end=e["end"],
        )
        for e in record.get("evidence", [])
    ]
    out = ExchangeRecord(
        key=record["key"],
        title=record["title"],
        parties=[ExchangeParty(name=p["name"], kind=p["kind"], role=p["role"]) for p in record["parties"]],
        type=record["type"],
        technologies=record["technologies"],
        stages=record["stages"],
        therapeutic_areas=record["therapeutic_areas"],
        date=record["announced"],
        ended=record["ended"],
        amount=record["amount"],
        status=record["status"],
        vehicle=record["vehicle"],
        description=record.get("description"),
        events=record.get("events", []),
        sources=sources,
        origin=record["origin"],
    )
    if record.get("visibility", "public") != "public":  # stays private once imported back (issue 13)
        out["visibility"], out["owner_id"] = record["visibility"], record.get("owner_id")
    return out


def export_jsonl(
    session: Session, filters: Filters | None = None, *, viewer: Viewer | None = None
) -> Iterator[str]:
    for summary in iter_alliances(session, filters or Filters(sort="id"), viewer=viewer):
        record = get_alliance(session, summary.id, viewer=viewer)
        yield json.dumps(export_record(record.model_dump()), ensure_ascii=False) + "\n"


def csv_row(record: AllianceSummary) -> dict[str, str]:
    """An alliance summary as one CSV row, every cell text (lists joined with "; ")."""
    amount, source = record.amount, record.source
    return {
        "key": record.key or "",
        "title": record.title,
        "parties": LIST_SEP.join(p.name for p in record.parties),
        "kinds": LIST_SEP.join(p.kind for p in record.parties),
        "type": record.type,
        "technologies": LIST_SEP.join(record.technologies),
        "stages": LIST_SEP.join(record.stages),
        "therapeutic_areas": LIST_SEP.join(record.therapeutic_areas),
        "announced": record.announced or "",
        "ended": record.ended or "",
        "amount": _number(amount.value if amount else None),
        "currency": (amount.currency if amount else None) or "",
        "amount_kind": (amount.kind if amount else None) or "",
        "status": record.status or "",
        "vehicle": record.vehicle or "",
        "source": (source.url if source else None) or "",
        "source_title": (source.title if source else None) or "",
    }


def _number(value: Any) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)


def export_csv(records: Iterable[AllianceSummary], *, bom: bool = False) -> Iterator[str]:
    """CSV text in chunks: a header, then one row per alliance (RFC 4180; see store.csvout).

    Cells that a spreadsheet would run as a formula are neutralised (issue 13).
    """
    rows = ([neutralise(row[c]) for c in CSV_COLUMNS] for row in map(csv_row, records))
    return csv_chunks(CSV_COLUMNS, rows, bom=bom)


@dataclass
class ImportReport:
    added: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)


def read_records(path: Path) -> Iterator[tuple[str, RawRecord]]:
    """(location, record) pairs from a .jsonl, .json, .yaml/.yml or .csv file; bad syntax names its line."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{path}: not UTF-8 text (byte {exc.start})") from exc
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot read ({exc.strerror})") from exc
    suffix = path.suffix.lower()
    if suffix == ".csv":
        yield from _csv_records(path, text)
    elif suffix in (".yaml", ".yml", ".json"):
        try:
            data = json.loads(text) if suffix == ".json" else yaml.safe_load(text)
        except (json.JSONDecodeError, yaml.YAMLError) as exc:
            line = getattr(exc, "lineno", None) or getattr(getattr(exc, "problem_mark", None), "line", -1) + 1
            raise InvalidInput(f"{path}:{line}: invalid {suffix[1:].upper()} ({_first_line(exc)})") from exc
        items = data if isinstance(data, list) else [data]
        for i, item in enumerate(items, 1):
            yield from _expand(f"{path}: record {i}", item)
    else:
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InvalidInput(
                    f"{path}:{number}: invalid JSON ({exc.msg} at column {exc.colno})"
                ) from exc
            yield from _expand(f"{path}:{number}", item)


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _expand(where: str, item: Any) -> Iterator[tuple[str, RawRecord]]:
    """A document line of SCHEMA.md holds several alliances; a real-data line uses `ref` and `source`."""
    if isinstance(item, dict) and isinstance(item.get("alliances"), list):
        for i, alliance in enumerate(item["alliances"], 1):
            yield f"{where}: alliance {i}", alliance
    elif isinstance(item, dict):
        record = dict(item)
        if "ref" in record and "key" not in record:
            record["key"] = record.pop("ref")
        if isinstance(record.get("source"), str):
            record["sources"] = [
                {
                    "url": record.pop("source"),
                    "title": record.pop("source_title", None),
                    "date": record.pop("source_date", None),
                }
            ]
        yield where, record
    else:
        raise InvalidInput(f"{where}: expected a JSON object")


def _csv_records(path: Path, text: str) -> Iterator[tuple[str, RawRecord]]:
    reader = csv.DictReader(io.StringIO(text))
    missing = {"parties", "type"} - set(reader.fieldnames or [])
    if missing:
        raise InvalidInput(f"{path}:1: missing column(s) {', '.join(sorted(missing))}")
    for row in reader:
        where = f"{path}:{reader.line_num}"
        row = {k: unneutralise(v) for k, v in row.items()}
        names, kinds = _split(row, "parties"), _split(row, "kinds")
        parties = [{"name": n, **({"kind": kinds[i]} if i < len(kinds) else {})} for i, n in enumerate(names)]
        amount = None
        if (row.get("amount") or "").strip():
            amount = {
                "value": row["amount"],
                "currency": row.get("currency") or None,
                "kind": row.get("amount_kind") or "total",
            }
        record: dict[str, Any] = {
            "key": row.get("key") or None,
            "title": row.get("title") or None,
            "parties": parties,
            "type": (row.get("type") or "").strip(),
            "technologies": _split(row, "technologies"),
            "stages": _split(row, "stages"),
            "therapeutic_areas": _split(row, "therapeutic_areas"),
            "date": row.get("announced") or None,
            "ended": row.get("ended") or None,
            "amount": amount,
            "status": row.get("status") or None,
            "vehicle": row.get("vehicle") or None,
        }
        if row.get("source"):
            record["sources"] = [{"url": row["source"], "title": row.get("source_title") or None}]
        yield where, record


def _split(row: dict[str, Any], name: str) -> list[str]:
    return [v.strip() for v in (row.get(name) or "").split(";") if v.strip()]


def import_records(
    session: Session,
    records: Iterable[tuple[str, RawRecord]],
    *,
    origin: str = "import",
    skip_invalid: bool = False,
) -> ImportReport:
    """Add every record; a known key is skipped. Strict mode stops at the first error (caller rolls back)."""
    report = ImportReport()
    resolver = Resolver(session)
    keys = set(session.scalars(select(Alliance.key)))
    for where, record in records:
        if record.get("key") and record["key"] in keys:
            report.skipped += 1
            continue
        try:
            with session.begin_nested():
                alliance = add_alliance(
                    session,
                    record,
                    origin=_origin(record, origin, where),
                    where=where,
                    create_missing=True,
                    resolver=resolver,
                )
                attach_sources(session, alliance, record.get("sources") or [], where)
        except AllianceError as exc:
            if not skip_invalid:
                raise
            resolver = Resolver(session)  # the savepoint rolled back organisations it had created
            report.errors.append(exc.message)
            continue
        keys.add(alliance.key)
        report.added += 1
    return report


def _origin(record: RawRecord, default: str, where: str) -> str:
    origin = record.get("origin") or default
    if not isinstance(origin, str):
        raise InvalidInput(f"{where}: origin: expected a text")
    return origin


def attach_sources(session: Session, alliance: Alliance, sources: JsonValue, where: str) -> None:
    if not isinstance(sources, list):
        raise InvalidInput(f"{where}: sources: expected a list of objects")
    for entry in sources:
        if not isinstance(entry, dict):
            raise InvalidInput(f"{where}: sources: each source must be an object")
        url, title = entry.get("url"), entry.get("title")
        stmt = select(Source).where(Source.url == url) if url else select(Source).where(Source.title == title)
        source = session.scalars(stmt).first() if (url or title) else None
        if source is None:
            source = Source(url=url, title=title, date=entry.get("date"), publisher=entry.get("publisher"))
            session.add(source)
            session.flush()
        session.add(
            Evidence(
                source_id=source.id,
                alliance_id=alliance.id,
                quote=entry.get("quote"),
                start=entry.get("start"),
                end=entry.get("end"),
            )
        )
    session.flush()


# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection): such cells are
# exported behind a quote mark, which the importer removes, so files still round-trip (issue 13).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        try:
            float(value)
            return value  # a plain negative number is data, not a formula
        except ValueError:
            return "'" + value
    return value


def unneutralise(value: Any) -> Any:
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_START):
        return value[1:]
    return value
