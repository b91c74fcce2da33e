"""Alliance exports for spreadsheets (CSV) and pipelines (JSON Lines), streamed in batches.

CSV: one row per alliance, multi-valued cells joined with "; ", UTF-8 without a BOM so accents
survive any reader that assumes UTF-8.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from alliances.store.db import Database
from alliances.store.filters import Filters
from alliances.store.queries import iter_alliances

CSV_COLUMNS = (
    "id",
    "title",
    "parties",
    "kinds",
    "type",
    "technologies",
    "stages",
    "therapeutic_areas",
    "announced",
    "amount",
    "currency",
    "status",
    "source",
)


def csv_row(record: dict[str, Any]) -> list[str]:
    amount = record.get("amount") or {}
    value = amount.get("value")
    source = record.get("source") or {}
    return [
        str(record["id"]),
        record.get("title") or "",
        "; ".join(p["name"] for p in record["parties"]),
        "; ".join(p["kind"] for p in record["parties"]),
        record["type"],
        "; ".join(record["technologies"]),
        "; ".join(record["stages"]),
        "; ".join(record["therapeutic_areas"]),
        record.get("announced") or "",
        "" if value is None else f"{value:.0f}" if float(value).is_integer() else str(value),
        amount.get("currency") or "",
        record.get("status") or "",
        source.get("url") or "",
    ]


def _records(db: Database, filters: Filters) -> Iterator[dict[str, Any]]:
    # The session lives as long as the stream: the response is produced after the route returns.
    with db.session() as session:
        yield from iter_alliances(session, filters)


def alliances_csv(db: Database, filters: Filters) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for i, record in enumerate(_records(db, filters)):
        writer.writerow(csv_row(record))
        if i % 500 == 499:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def alliances_jsonl(db: Database, filters: Filters) -> Iterator[str]:
    for record in _records(db, filters):
        yield json.dumps(record, ensure_ascii=False, default=str) + "\n"
