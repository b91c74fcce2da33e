"""Ingestion over a Dask cluster: the client reads, workers extract, the client stores in batches.

Documents are partitioned and submitted as Dask tasks (at most a few partitions per worker in flight, so
memory stays bounded); each worker runs the ordinary pipeline (`extract_docs`). Results are written by the
client, one transaction per batch. Exactly once: a document whose content hash is stored (or already seen in
this run) is never sent, and the unique content hash refuses a second copy written concurrently. Restartable:
a dead worker's tasks are re-run by Dask on the others; after a dead client, running the same command again
skips every committed batch.

Local clusters (`local:N`) are tuned for CPU-bound extraction on few cores: one process and one thread per
worker (no GIL sharing), numeric libraries on one thread each, Dask's statistical profiler off (it samples
spaCy's deep stacks every 10 ms), and glibc's default memory trimming (Dask's 64 KB trim threshold makes
spaCy's allocations return memory to the system over and over: ~10% more CPU per document, measured).
Workers of an existing cluster keep their own settings: start them with the same (see docs/scale.md).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from itertools import chain
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from alliances import store
from alliances.errors import AllianceError, InvalidInput
from alliances.extract.document import Doc
from alliances.extract.ingest import IngestReport, OnItem
from alliances.extract.readers import MAX_BYTES, ReadFailure, read_paths
from alliances.extract.run import Extraction, extract_docs
from alliances.schemas import OrganisationEntry
from alliances.store.candidates import store_extraction
from alliances.store.db import Database
from alliances.store.models import Source

PARTITION = 16  # documents per task: enough for spaCy batching, small enough to rebalance
BATCH = 64  # documents per database transaction
IN_FLIGHT = 3  # partitions queued per worker
WORKER_CONFIG: dict[str, Any] = {  # Dask settings of local clusters; see the module docstring
    "distributed.worker.profile.enabled": False,
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,  # None unsets it
    "distributed.nanny.pre-spawn-environ.BLIS_NUM_THREADS": 1,
}


def extract_partition(
    docs: list[Doc], organisations: list[OrganisationEntry]
) -> list[Extraction | ReadFailure]:
    """Run on a worker: the pipeline over one partition (spaCy stays loaded in the worker process)."""
    return list(extract_docs(docs, workers=1, extra_organisations=organisations))


def parse_address(spec: str) -> int | str:
    """`local:N` gives N (workers to start here); `tcp://host:port` (any scheme) is returned as it is."""
    if spec.startswith("local:"):
        n = spec.removeprefix("local:")
        if not n.isdigit() or int(n) < 1:
            raise InvalidInput(f"--dask {spec}: expected local:N with N >= 1 workers")
        return int(n)
    if "://" not in spec:
        raise InvalidInput(f"--dask {spec}: expected tcp://HOST:PORT or local:N")
    return spec


def local_cluster(workers: int) -> Any:
    """A `distributed.LocalCluster` of `workers` single-threaded processes with WORKER_CONFIG. A worker
    that its nanny restarts after a crash keeps the environment but gets Dask's profiler back."""
    import dask
    from distributed import LocalCluster

    with dask.config.set(WORKER_CONFIG):
        return LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.CRITICAL,
        )


@contextmanager
def dask_client(spec: str) -> Iterator[Any]:
    """A client for `tcp://host:port` (an existing scheduler) or `local:N` (a cluster of N processes here)."""
    target = parse_address(spec)
    try:
        from distributed import Client
    except ModuleNotFoundError as exc:
        raise InvalidInput("Dask is not installed: pip install 'alliance-observatory[scale]'") from exc
    if isinstance(target, int):
        cluster = local_cluster(target)
        try:
            with Client(cluster) as client:
                yield client
        finally:
            cluster.close()
        return
    try:
        client = Client(target, timeout="10s")
    except (OSError, TimeoutError) as exc:
        raise AllianceError(f"cannot reach the Dask scheduler at {spec}: {exc}") from exc
    try:
        yield client
    finally:
        client.close()


def _partitions(
    items: Iterable[Doc | ReadFailure], known: set[str], report: IngestReport, on_item: OnItem, size: int
) -> Iterator[list[Doc]]:
    """Fresh documents in partitions; stored or repeated ones and unreadable files are reported here."""
    part: list[Doc] = []
    for item in items:
        if isinstance(item, ReadFailure):
            report.documents += 1
            report.failed += 1
            on_item("failed", item.id, item.message())
            on_item("file", item.id)
        elif item.raw_hash in known:
            report.documents += 1
            report.skipped += 1
            on_item("skipped", item.id)
            on_item("file", item.id)
        else:
            known.add(item.raw_hash)
            part.append(item)
            if len(part) == size:
                yield part
                part = []
    if part:
        yield part


def _key(part: list[Doc]) -> str:
    """A task key from the partition's content: a re-run sends the same key for the same documents."""
    return "alliances-extract-" + hashlib.sha256("".join(d.raw_hash for d in part).encode()).hexdigest()[:24]


def _save(session: Any, item: Extraction) -> int | None:
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


def write_batch(
    database: Database, items: list[Extraction | ReadFailure], report: IngestReport, on_item: OnItem
) -> None:
    """Store a batch in one transaction; if another writer stored one of its documents meanwhile, store
    them one by one so that only the duplicate is skipped."""
    done = [i for i in items if isinstance(i, Extraction)]
    try:
        with database.session() as session:
            outcomes = [_save(session, one) for one in done]
    except IntegrityError:
        outcomes = []
        for one in done:
            try:
                with database.session() as session:
                    outcomes.append(_save(session, one))
            except IntegrityError:
                outcomes.append(None)
    stored = iter(outcomes)
    for item in items:
        report.documents += 1
        if isinstance(item, ReadFailure):
            report.failed += 1
            on_item("failed", item.id, item.message())
        elif (count := next(stored)) is None:
            report.skipped += 1
            on_item("skipped", item.id)
        else:
            report.stored += 1
            report.candidates += count
            on_item("stored", item.id)
        on_item("file", item.id)


def ingest_dask(
    database: Database,
    paths: Iterable[str | Path],
    *,
    address: str,
    max_bytes: int = MAX_BYTES,
    on_item: OnItem = lambda *args: None,
    partition: int | None = None,
    batch: int | None = None,
) -> IngestReport:
    """Like `ingest_paths`, with extraction on the Dask cluster at `address`; see the module docstring.
    `partition` and `batch` default to PARTITION and BATCH (read at call time, so tests can shrink them)."""
    parse_address(address)  # a bad address fails before any work
    partition, batch = partition or PARTITION, batch or BATCH
    report = IngestReport()
    with database.session() as session:
        known = {h for h in session.scalars(select(Source.content_hash)) if h}
        organisations = store.gazetteer(session)
    parts = _partitions(read_paths(paths, max_bytes), known, report, on_item, partition)
    first = next(parts, None)
    if first is None:  # nothing new: no cluster to start
        return report
    with dask_client(address) as client:
        from distributed import as_completed

        [orgs] = client.scatter([organisations], broadcast=True, hash=False)  # one object, not a list
        limit = IN_FLIGHT * max(1, len(client.scheduler_info().get("workers", {})))
        running = as_completed()
        pending: list[Extraction | ReadFailure] = []

        def collect(future: Any) -> None:
            pending.extend(future.result())
            if len(pending) >= batch:
                write_batch(database, pending, report, on_item)
                pending.clear()

        for part in chain([first], parts):
            running.add(client.submit(extract_partition, part, orgs, key=_key(part), retries=2))
            while running.count() >= limit:
                collect(next(running))
        for future in running:
            collect(future)
        write_batch(database, pending, report, on_item)
    return report
