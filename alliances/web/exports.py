"""Alliance exports for spreadsheets (CSV) and pipelines (JSON Lines), streamed in batches.

CSV is the same file as `alliances export --format csv` (one writer, `store.csvout`): RFC 4180 line
endings, multi-valued cells joined with "; ", UTF-8; `?bom=1` adds the byte-order mark Excel needs.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from typing import Annotated

from fastapi import Query
from fastapi.responses import StreamingResponse

from alliances.schemas import AllianceFilters, AllianceSummary
from alliances.store.db import Database
from alliances.store.io import export_csv
from alliances.store.queries import iter_alliances
from alliances.store.viewer import Viewer

Bom = Annotated[bool, Query(description="1 to start the file with a UTF-8 BOM (Excel on Windows)")]


def _records(
    db: Database, filters: AllianceFilters, viewer: Viewer | None = None
) -> Iterator[AllianceSummary]:
    # The session lives as long as the stream: the response is produced after the route returns.
    with db.session() as session:
        yield from iter_alliances(session, filters, viewer=viewer)


def alliances_csv(
    db: Database, filters: AllianceFilters, *, viewer: Viewer | None = None, bom: bool = False
) -> Iterator[str]:
    """The same CSV as `alliances export --format csv`, so a downloaded file imports back as it is."""
    return export_csv(_records(db, filters, viewer), bom=bom)


def alliances_jsonl(db: Database, filters: AllianceFilters, *, viewer: Viewer | None = None) -> Iterator[str]:
    for record in _records(db, filters, viewer):
        yield json.dumps(record.model_dump(), ensure_ascii=False, default=str) + "\n"


def primed(chunks: Iterator[str]) -> Iterator[str]:
    """Run the query before the response starts (issue 13): a bad filter is a clean error status,
    never a 200 whose body is cut short."""
    first = next(chunks, "")
    return itertools.chain([first], chunks)


def csv_response(chunks: Iterator[str], filename: str) -> StreamingResponse:
    """A CSV download (the BOM, when asked for, is written by the CSV writer itself)."""
    return StreamingResponse(
        chunks,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
