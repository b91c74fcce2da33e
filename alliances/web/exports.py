"""Alliance exports for spreadsheets (CSV) and pipelines (JSON Lines), streamed in batches.

CSV: one row per alliance, multi-valued cells joined with "; ", UTF-8 without a BOM so accents
survive any reader that assumes UTF-8.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from typing import Any

from alliances.store.db import Database
from alliances.store.filters import Filters
from alliances.store.io import export_csv
from alliances.store.queries import iter_alliances
from alliances.store.viewer import Viewer


def _records(db: Database, filters: Filters, viewer: Viewer | None = None) -> Iterator[dict[str, Any]]:
    # The session lives as long as the stream: the response is produced after the route returns.
    with db.session() as session:
        yield from iter_alliances(session, filters, viewer=viewer)


def alliances_csv(db: Database, filters: Filters, *, viewer: Viewer | None = None) -> Iterator[str]:
    """The same CSV as `alliances export --format csv`, so a downloaded file imports back as it is."""
    return export_csv(_records(db, filters, viewer))


def alliances_jsonl(db: Database, filters: Filters, *, viewer: Viewer | None = None) -> Iterator[str]:
    for record in _records(db, filters, viewer):
        yield json.dumps(record, ensure_ascii=False, default=str) + "\n"


def primed(chunks: Iterator[str]) -> Iterator[str]:
    """Run the query before the response starts (issue 13): a bad filter is a clean error status,
    never a 200 whose body is cut short."""
    first = next(chunks, "")
    return itertools.chain([first], chunks)
