"""Ingestion on a real Dask LocalCluster: the same candidates as single-process ingestion, each document
stored exactly once, and a run completes when a worker is killed mid-run or the client is killed and rerun."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from alliances.extract.ingest import ingest_paths
from alliances.extract.readers import ReadFailure
from alliances.store.db import Database
from alliances.store.models import Candidate, Source
from alliances.synth.documents import write_documents

distributed = pytest.importorskip("distributed")
from alliances.extract.distributed import ingest_dask, local_cluster  # noqa: E402

N_DOCS = 24


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("docs")
    write_documents(folder, N_DOCS, seed=7)
    return folder


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    """Two worker processes, one thread each, as `--dask local:2` starts them."""
    with local_cluster(2) as local:
        yield local


def contents(db: Database) -> list[tuple[str, str]]:
    """Every stored document and its candidates, independent of ids and order."""
    with db.session() as session:
        rows = session.execute(select(Source.content_hash, Candidate.record).join(Candidate.source)).all()
    return sorted((h, json.dumps(r, sort_keys=True)) for h, r in rows)


@pytest.fixture(scope="module")
def reference(docs: Path, tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, str]]:
    """What single-process `ingest` stores for the same documents."""
    db = Database.open(f"sqlite:///{tmp_path_factory.mktemp('ref') / 'ref.db'}")
    db.upgrade()
    report = ingest_paths(db, [docs])
    assert report.stored == N_DOCS and report.candidates >= N_DOCS // 2
    out = contents(db)
    db.dispose()
    return out


def counts(db: Database) -> tuple[int, int]:
    with db.session() as session:
        sources = session.scalar(select(func.count()).select_from(Source))
        distinct = session.scalar(select(func.count(func.distinct(Source.content_hash))))
    return int(sources or 0), int(distinct or 0)


def test_dask_ingest_stores_what_single_process_stores_once(
    any_db: Database, docs: Path, cluster: Any, reference: list[tuple[str, str]]
) -> None:
    seen: list[str] = []
    report = ingest_dask(
        any_db, [docs], address=cluster.scheduler_address, on_item=lambda what, *_: seen.append(what)
    )
    assert (report.stored, report.skipped, report.failed) == (N_DOCS, 0, 0)
    assert seen.count("file") == N_DOCS  # progress: one tick per document
    assert contents(any_db) == reference
    again = ingest_dask(any_db, [docs], address=cluster.scheduler_address)
    assert (again.stored, again.skipped) == (0, N_DOCS)
    assert counts(any_db) == (N_DOCS, N_DOCS) and contents(any_db) == reference


def _worker_settings(dask_worker: Any) -> tuple[str | None, str | None, int, bool]:
    """Run by `client.run` on each worker (Dask passes the worker as `dask_worker`)."""
    import dask

    return (
        os.environ.get("MALLOC_TRIM_THRESHOLD_"),
        os.environ.get("BLIS_NUM_THREADS"),
        dask_worker.state.nthreads,
        bool(dask.config.get("distributed.worker.profile.enabled")),
    )


def test_local_workers_are_tuned_for_extraction(cluster: Any) -> None:
    """One thread each, numeric libraries on one thread, glibc's own memory trimming (Dask's 64 KB
    threshold costs ~10% CPU per document), no statistical profiler: what `--dask local:N` starts."""
    with distributed.Client(cluster) as client:
        settings = client.run(_worker_settings)
    assert len(settings) == 2
    assert set(settings.values()) == {(None, "1", 1, False)}


def test_killed_worker_mid_run_completes_without_duplicates(
    any_db: Database, docs: Path, cluster: Any, reference: list[tuple[str, str]]
) -> None:
    killed: list[int] = []

    def kill_once(what: str, *_: Any) -> None:
        if what == "stored" and not killed:
            pid = next(iter(cluster.workers.values())).process.pid
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    report = ingest_dask(
        any_db, [docs], address=cluster.scheduler_address, on_item=kill_once, partition=2, batch=4
    )
    assert killed, "no worker was killed: the run stored nothing before its end"
    assert (report.stored, report.failed) == (N_DOCS, 0)
    assert counts(any_db) == (N_DOCS, N_DOCS) and contents(any_db) == reference


@pytest.mark.slow
def test_killed_client_is_resumed_by_running_again(
    tmp_path: Path, docs: Path, reference: list[tuple[str, str]]
) -> None:
    url = f"sqlite:///{tmp_path / 'resume.db'}"
    db = Database.open(url)
    db.upgrade()
    small = "import alliances.extract.distributed as d; d.BATCH = 4; d.PARTITION = 2; "
    argv = [sys.executable, "-c", small + "from alliances.cli import main; main()"]
    argv += ["ingest", "--dask", "local:2", "--db", url, str(docs)]
    client = subprocess.Popen(
        argv, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 240
        while counts(db)[0] == 0 and time.monotonic() < deadline and client.poll() is None:
            time.sleep(0.2)
    finally:
        os.killpg(client.pid, signal.SIGKILL)  # the client and its local cluster, as a machine failure
        client.wait()
    first = counts(db)[0]
    assert 0 < first < N_DOCS, f"the kill came at {first} of {N_DOCS} documents"
    rerun = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{N_DOCS - first} stored, {first} already ingested" in rerun.stdout
    assert counts(db) == (N_DOCS, N_DOCS) and contents(db) == reference
    db.dispose()


@pytest.mark.parametrize(("spec", "says"), [("local:zero", "expected local:N"), ("host:8786", "tcp://HOST")])
def test_bad_dask_address_is_one_line(cli: Any, tmp_path: Path, docs: Path, spec: str, says: str) -> None:
    db = str(tmp_path / "x.db")
    assert cli("db", "upgrade", "--db", db).code == 0
    result = cli("ingest", "--dask", spec, "--db", db, str(docs))
    assert result.code == 2 and says in result.err and len(result.err.strip().splitlines()) == 1
    assert counts(Database.open(f"sqlite:///{db}")) == (0, 0)


def test_a_worker_builds_its_pipeline_once_per_knowledge_base() -> None:
    """Every partition brings the same scattered organisations: the pipeline is built once for them,
    and again only for another list (whose organisations are then recognised)."""
    from alliances.extract import run
    from alliances.extract.distributed import extract_partition
    from alliances.extract.document import Doc

    text = "Le laboratoire Sanofi et la société Qwrtyx signent un partenariat de recherche en oncologie."

    def party_kinds(organisations: list[dict[str, Any]]) -> list[str | None]:
        [item] = extract_partition([Doc(id="d", text=text, language="fr")], organisations)
        assert not isinstance(item, ReadFailure)
        [alliance] = item.record["alliances"]
        return [p.get("kind") for p in alliance["parties"]]

    none: list[dict[str, Any]] = []
    assert party_kinds(none) == ["pharma", None]
    built = run._PIPELINE
    assert party_kinds(none) == ["pharma", None] and run._PIPELINE is built  # not rebuilt
    kb = [{"name": "Qwrtyx", "aliases": [], "kind": "company", "parent": None}]
    assert party_kinds(kb) == ["pharma", "company"] and run._PIPELINE is not built
