"""Running the pipeline over many documents, in this process or in N worker processes.

Documents are read lazily and sent to workers in chunks (spaCy batches within a chunk); results
come back in input order, so memory stays bounded whatever the corpus size. A chunk closes at 16
documents or 100,000 characters, so a long document travels alone and progress moves per document
where documents take time. spaCy and the gazetteer are loaded once per process.

With N workers (where processes fork) the parent loads the models once and forks the workers, which
share them copy-on-write. Loading takes seconds on one core; meanwhile a light helper, forked before
the load, runs the steps that need no model (those before the first of MODEL_STEPS) on the first
chunks, and the workers run only the rest of the pipeline on those. The split changes no result:
the same steps run in the same order over the same chunks. No thread of ours is alive at the fork.

Each document has a time limit (`time_limit` seconds, 60 by default): a document that exceeds it is
given up as a failure with a one-line reason, and the run goes on. The limit is a real-time alarm
(SIGALRM), available where extraction runs in a process's main thread (the CLI and its worker
processes); elsewhere (threads, such as Dask workers) documents are bounded by their size alone.
"""

from __future__ import annotations

import gc
import multiprocessing as mp
import pickle
import signal
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain
from multiprocessing.pool import AsyncResult
from pathlib import Path
from typing import Any

from alliances.extract.document import Doc
from alliances.extract.gazetteer import default_gazetteer
from alliances.extract.pipeline import Pipeline
from alliances.extract.readers import MAX_BYTES, TIME_LIMIT, ReadFailure, read_paths
from alliances.extract.records import DocRecord
from alliances.schemas import OrganisationEntry

CHUNK = 16
CHUNK_CHARS = 100_000
MODEL_STEPS = frozenset({"recognise_entities", "recognise_english", "score_pairs"})  # load a model
AHEAD = 256  # chunks at most read (and held) while the models load, whatever the load takes


@dataclass
class Extraction:
    """What extraction found in one document, detached from the pipeline's working state."""

    id: str
    record: DocRecord
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
_TIME_LIMIT = TIME_LIMIT
_EXTRA: object = None  # the organisations _PIPELINE was built with (kept, so `is` is a safe test)


class TimeLimit(BaseException):
    """Raised by the alarm inside the pipeline when a document (or batch) runs out of time; a
    BaseException so that no step's `except Exception` swallows it."""


def _init(extra: Sequence[OrganisationEntry], time_limit: float = TIME_LIMIT) -> None:
    """Build the pipeline for these organisations, unless it was built for this very object: a Dask
    worker calls this for every partition with the same scattered list, and a gazetteer of a large
    knowledge base costs seconds to build."""
    global _PIPELINE, _TIME_LIMIT, _EXTRA
    if _PIPELINE is None or extra is not _EXTRA:
        _PIPELINE = Pipeline.from_config(default_gazetteer(extra))
        _EXTRA = extra
    _TIME_LIMIT = time_limit


@contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    """Raise TimeLimit in this thread after `seconds` (no-op off the main thread, or for 0)."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return

    def ring(signum: int, frame: object) -> None:
        raise TimeLimit

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _run_chunk(docs: list[Doc]) -> list[Extraction | ReadFailure]:
    """The chunk as one batch; if the batch fails or runs out of time, each document alone, so only
    the document at fault is lost (a batch gets the time limit of one document: a normal batch of
    press articles takes a small part of it)."""
    assert _PIPELINE is not None
    pipeline, limit = _PIPELINE, _TIME_LIMIT
    try:
        with _alarm(limit):
            batch: list[Extraction | ReadFailure] = [to_extraction(d) for d in pipeline.pipe(docs)]
        return batch
    except (Exception, TimeLimit):  # isolate the document that breaks the batch
        pass
    out: list[Extraction | ReadFailure] = []
    for d in docs:
        try:
            with _alarm(limit):
                item = to_extraction(pipeline(d))
            out.append(item)
        except TimeLimit:
            reason = f"extraction stopped at the time limit of {limit:g} s per document (--time-limit)"
            out.append(ReadFailure(d.id, d.path or d.id, reason))
        except Exception as exc:
            out.append(ReadFailure(d.id, d.path or d.id, f"extraction failed: {type(exc).__name__}: {exc}"))
    return out


WARM = {  # two short texts that make the pipeline load every model it loads lazily
    "fr": "Alpha Santé et Beta Données signent un partenariat de recherche.",
    "en": "Alpha Health and Beta Data signed a research partnership.",
}


def _warm() -> None:
    """Load the lazily loaded models (spaCy, the learned steps) now, before workers are forked."""
    assert _PIPELINE is not None
    list(_PIPELINE.pipe([Doc(id=f"warm-{lang}", text=text, language=lang) for lang, text in WARM.items()]))


def _chunks(items: Iterable[Doc | ReadFailure]) -> Iterator[list[Doc | ReadFailure]]:
    """Chunks of at most CHUNK documents and, past the first document, CHUNK_CHARS characters."""
    chunk: list[Doc | ReadFailure] = []
    size = 0
    for item in items:
        length = len(item.text) if isinstance(item, Doc) else 0
        if chunk and (len(chunk) >= CHUNK or size + length > CHUNK_CHARS):
            yield chunk
            chunk, size = [], 0
        chunk.append(item)
        size += length
    if chunk:
        yield chunk


def _work(chunk: list[Doc | ReadFailure]) -> list[Extraction | ReadFailure]:
    docs = [d for d in chunk if isinstance(d, Doc)]
    done = iter(_run_chunk(docs)) if docs else iter([])
    return [item if isinstance(item, ReadFailure) else next(done) for item in chunk]


def extract_docs(
    docs: Iterable[Doc | ReadFailure],
    workers: int = 1,
    extra_organisations: Sequence[OrganisationEntry] = (),
    time_limit: float = TIME_LIMIT,
) -> Iterator[Extraction | ReadFailure]:
    """Extractions (or failures) for `docs`, in order."""
    if workers <= 1:
        _init(extra_organisations, time_limit)
        for chunk in _chunks(docs):
            yield from _work(chunk)
        return
    forking = "fork" in mp.get_all_start_methods()
    ctx = mp.get_context("fork") if forking else mp.get_context()
    extra = list(extra_organisations)
    if not forking:  # each worker loads its own models
        with ctx.Pool(workers, initializer=_init, initargs=(extra, time_limit)) as pool:
            for result in pool.imap(_work, _chunks(docs), chunksize=1):
                yield from result
        return
    _init(extra, time_limit)  # load once here: forked workers share the models
    assert _PIPELINE is not None
    chunks = _chunks(docs)
    early: list[Task] = []
    if _split(_PIPELINE)[0].steps:
        early = _early_while_loading(ctx, chunks)
    else:
        _warm()
    gc.freeze()  # the loaded models stay out of every worker's collections: no pages copied for them
    try:
        with _start_pool(ctx, workers) as pool:
            tasks = chain(early, ((chunk, None) for chunk in chunks))
            for result in pool.imap(_work_task, tasks, chunksize=1):
                yield from result
    finally:
        gc.unfreeze()


def _start_pool(ctx: Any, workers: int) -> Any:
    """The worker pool, forked from this process once its models are loaded (a function of its own
    so that a test can check that no other thread is alive at the fork)."""
    return ctx.Pool(workers)


Early = tuple[bytes, float]  # a chunk's documents after the early steps (pickled), and the seconds these took
Task = tuple[list[Doc | ReadFailure], Early | None]


def _early_while_loading(ctx: Any, chunks: Iterator[list[Doc | ReadFailure]]) -> list[Task]:
    """Load the models here while a helper forked beforehand runs the early steps on the first
    chunks (read by a thread of this process, one chunk ahead of the helper); stop both when the
    models are loaded. A chunk the helper has not finished by then goes whole to the workers."""
    read: list[tuple[list[Doc | ReadFailure], AsyncResult[Early | None]]] = []
    stop, failed = threading.Event(), list[BaseException]()
    slots = threading.Semaphore(2)  # chunks at the helper: the one it works on and the next

    def free(_: object) -> None:
        slots.release()

    def feed() -> None:
        try:
            while slots.acquire() and not stop.is_set() and len(read) < AHEAD:
                chunk = next(chunks, None)
                if chunk is None:
                    return
                docs = [d for d in chunk if isinstance(d, Doc)]
                read.append((chunk, helper.apply_async(_early, (docs,), callback=free, error_callback=free)))
        except BaseException as exc:  # re-raised in the caller's thread
            failed.append(exc)

    with ctx.Pool(1) as helper:
        feeder = threading.Thread(target=feed, name="alliances-read-ahead", daemon=True)
        feeder.start()
        try:
            _warm()
        finally:
            stop.set()
            slots.release()  # wakes the feeder if it waits for a slot
            feeder.join()
        done = [
            (chunk, result.get() if result.ready() and result.successful() else None)
            for chunk, result in read
        ]
    if failed:
        raise failed[0]
    return done


def _split(pipeline: Pipeline) -> tuple[Pipeline, Pipeline]:
    """The steps before the first one that loads a model, and the others."""
    names = [name for name, _ in pipeline.steps]
    cut = next((i for i, name in enumerate(names) if name in MODEL_STEPS), len(names))
    steps = pipeline.steps
    return Pipeline(steps[:cut], pipeline.batch_size), Pipeline(steps[cut:], pipeline.batch_size)


def _early(docs: list[Doc]) -> Early | None:
    """The early steps over a chunk (in the helper); None if they fail or run out of time, so the
    workers run the whole pipeline on it, failures and time limit as usual."""
    assert _PIPELINE is not None
    start = time.perf_counter()
    try:
        with _alarm(_TIME_LIMIT):
            done = list(_split(_PIPELINE)[0].pipe(docs))
        return pickle.dumps(done, pickle.HIGHEST_PROTOCOL), time.perf_counter() - start
    except (Exception, TimeLimit):
        return None


def _work_task(task: Task) -> list[Extraction | ReadFailure]:
    """A chunk in a worker: the late steps where the helper ran the early ones, within what is left of
    the chunk's time limit, else the whole pipeline (also if the late steps fail or run out of time, so
    failures and the limit are those of _run_chunk)."""
    chunk, early = task
    left = _TIME_LIMIT - early[1] if early else 0.0
    if early is None or (_TIME_LIMIT > 0 and left <= 0):
        return _work(chunk)
    assert _PIPELINE is not None
    try:
        with _alarm(left if _TIME_LIMIT > 0 else 0):
            done = iter([to_extraction(d) for d in _split(_PIPELINE)[1].pipe(pickle.loads(early[0]))])
    except (Exception, TimeLimit):
        return _work(chunk)
    return [item if isinstance(item, ReadFailure) else next(done) for item in chunk]


def extract_paths(
    paths: Iterable[str | Path],
    workers: int = 1,
    extra_organisations: Sequence[OrganisationEntry] = (),
    max_bytes: int = MAX_BYTES,
    time_limit: float = TIME_LIMIT,
) -> Iterator[Extraction | ReadFailure]:
    """Read and extract every document under `paths`, in input order."""
    return extract_docs(read_paths(paths, max_bytes), workers, extra_organisations, time_limit)


def extract_text(
    text: str, doc_id: str = "doc", date: str | None = None, language: str | None = None
) -> DocRecord:
    """The SCHEMA.md record of one text (convenience for tests and the web page)."""
    global _PIPELINE
    if _PIPELINE is None:
        _init(())
    assert _PIPELINE is not None
    return _PIPELINE(Doc(id=doc_id, text=text, date=date, language=language)).to_record()
