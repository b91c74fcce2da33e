"""Ingestion: extraction stored as candidate alliances, one transaction per document.

Idempotent (a document whose content hash is stored is skipped before extraction) and resumable
(a killed run keeps every committed document and never half of one). Progress is reported through
a callback so the library does not depend on a terminal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from alliances import store
from alliances.extract.document import Doc
from alliances.extract.readers import MAX_BYTES, TIME_LIMIT, ReadFailure, read_paths
from alliances.extract.run import Extraction, extract_docs
from alliances.store.candidates import store_extraction
from alliances.store.db import Database
from alliances.store.models import Source

OnItem = Callable[..., None]


@dataclass
class IngestReport:
    documents: int = 0
    stored: int = 0
    skipped: int = 0
    failed: int = 0
    candidates: int = 0


def _fresh(
    items: Iterable[Doc | ReadFailure], known: set[str], report: IngestReport, on_item: OnItem
) -> Iterator[Doc | ReadFailure]:
    """Drop documents already stored (or seen earlier in this run) before the costly extraction."""
    for item in items:
        if isinstance(item, Doc):
            if item.raw_hash in known:
                report.documents += 1
                report.skipped += 1
                on_item("skipped", item.id)
                on_item("file", item.id)
                continue
            known.add(item.raw_hash)
        yield item


def ingest_paths(
    database: Database,
    paths: Iterable[str | Path],
    *,
    workers: int = 1,
    max_bytes: int = MAX_BYTES,
    time_limit: float = TIME_LIMIT,
    on_item: OnItem = lambda *args: None,
) -> IngestReport:
    """Extract every document under `paths` and store its candidates; see the module docstring."""
    report = IngestReport()
    with database.session() as session:
        known = set(session.scalars(select(Source.content_hash).where(Source.content_hash.is_not(None))))
        organisations = store.gazetteer(session)
    docs = _fresh(read_paths(paths, max_bytes), {k for k in known if k}, report, on_item)
    for item in extract_docs(docs, workers=workers, extra_organisations=organisations, time_limit=time_limit):
        report.documents += 1
        if isinstance(item, ReadFailure):
            report.failed += 1
            on_item("failed", item.id, item.message())
        else:
            stored = _store(database, item)
            if stored is None:
                report.skipped += 1
                on_item("skipped", item.id)
            else:
                report.stored += 1
                report.candidates += stored
                on_item("stored", item.id)
        on_item("file", item.id)
    return report


def _store(database: Database, item: Extraction) -> int | None:
    with database.session() as session:  # one transaction per document
        result = store_extraction(
            session,
            content_hash=item.content_hash,
            records=item.record["alliances"],
            spans=item.spans,
            title=item.title or item.id,
            date=item.date,
            path=item.path,
            language=item.language,
            key=None,
        )
        return None if result is None else len(result[1])
