"""Running the pipeline over many documents, in this process or in N worker processes.

Documents are read lazily and sent to workers in chunks (spaCy batches within a chunk); results
come back in input order, so memory stays bounded whatever the corpus size. spaCy and the gazetteer
are loaded once per process.
"""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from alliances.extract.document import Doc
from alliances.extract.gazetteer import default_gazetteer
from alliances.extract.pipeline import Pipeline
from alliances.extract.readers import MAX_BYTES, ReadFailure, read_paths

CHUNK = 16


@dataclass
class Extraction:
    """What extraction found in one document, detached from the pipeline's working state."""

    id: str
    record: dict[str, Any]
    path: str | None = None
    title: str | None = None
    date: str | None = None
    language: str | None = None
    content_hash: str = ""
    spans: list[tuple[int, int]] = field(default_factory=list)  # evidence offsets in the cleaned text


def to_extraction(doc: Doc) -> Extraction:
    return Extraction(
        doc.id,
        doc.to_record(),
        doc.path,
        doc.title,
        doc.date,
        doc.language,
        doc.raw_hash,
        [(a.evidence.start, a.evidence.end) for a in doc.alliances],
    )


_PIPELINE: Pipeline | None = None


def _init(extra: Sequence[dict[str, Any]]) -> None:
    global _PIPELINE
    _PIPELINE = Pipeline.from_config(default_gazetteer(extra))


def _run_chunk(docs: list[Doc]) -> list[Extraction | ReadFailure]:
    assert _PIPELINE is not None
    try:
        return [to_extraction(d) for d in _PIPELINE.pipe(docs)]
    except Exception:  # isolate the document that breaks the batch
        out: list[Extraction | ReadFailure] = []
        for d in docs:
            try:
                out.append(to_extraction(_PIPELINE(d)))
            except Exception as exc:
                out.append(
                    ReadFailure(d.id, d.path or d.id, f"extraction failed: {type(exc).__name__}: {exc}")
                )
        return out


def _chunks(items: Iterable[Doc | ReadFailure]) -> Iterator[list[Doc | ReadFailure]]:
    it = iter(items)
    while chunk := list(islice(it, CHUNK)):
        yield chunk


def _work(chunk: list[Doc | ReadFailure]) -> list[Extraction | ReadFailure]:
    docs = [d for d in chunk if isinstance(d, Doc)]
    done = iter(_run_chunk(docs)) if docs else iter([])
    return [item if isinstance(item, ReadFailure) else next(done) for item in chunk]


def extract_docs(
    docs: Iterable[Doc | ReadFailure], workers: int = 1, extra_organisations: Sequence[dict[str, Any]] = ()
) -> Iterator[Extraction | ReadFailure]:
    """Extractions (or failures) for `docs`, in order."""
    if workers <= 1:
        _init(extra_organisations)
        for chunk in _chunks(docs):
            yield from _work(chunk)
        return
    ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context()
    with ctx.Pool(workers, initializer=_init, initargs=(list(extra_organisations),)) as pool:
        for result in pool.imap(_work, _chunks(docs), chunksize=1):
            yield from result


def extract_paths(
    paths: Iterable[str | Path],
    workers: int = 1,
    extra_organisations: Sequence[dict[str, Any]] = (),
    max_bytes: int = MAX_BYTES,
) -> Iterator[Extraction | ReadFailure]:
    """Read and extract every document under `paths`, in input order."""
    return extract_docs(read_paths(paths, max_bytes), workers, extra_organisations)


def extract_text(
    text: str, doc_id: str = "doc", date: str | None = None, language: str | None = None
) -> dict[str, Any]:
    """The SCHEMA.md record of one text (convenience for tests and the web page)."""
    global _PIPELINE
    if _PIPELINE is None:
        _init(())
    assert _PIPELINE is not None
    return _PIPELINE(Doc(id=doc_id, text=text, date=date, language=language)).to_record()
