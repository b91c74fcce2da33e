"""`extract --workers N`: the early steps run in a helper while the parent loads the models, the
workers run the rest; records stay those of one worker, and no thread is alive when workers fork."""

from __future__ import annotations

import json
import pickle
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from alliances.extract import run
from alliances.extract.document import Doc
from alliances.extract.ingest import ingest_paths
from alliances.extract.readers import TIME_LIMIT, ReadFailure, read_paths
from alliances.store.db import Database
from alliances.store.models import Candidate, Source

CORPUS = Path(__file__).parent / "corpus"
SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "seeds"


def _folders() -> list[Path]:
    return [CORPUS / "articles", CORPUS / "fresh", CORPUS / "heldout", *([SEEDS] if SEEDS.is_dir() else [])]


def _records(items: Iterator[run.Extraction | ReadFailure]) -> list[Any]:
    return [
        (i.record, i.spans, i.content_hash) if isinstance(i, run.Extraction) else i.message() for i in items
    ]


def test_split_covers_every_step_once_and_puts_models_late() -> None:
    run._init(())
    assert run._PIPELINE is not None
    early, late = run._split(run._PIPELINE)
    names = [n for n, _ in run._PIPELINE.steps]
    assert [n for n, _ in early.steps] + [n for n, _ in late.steps] == names
    assert early.steps and not run.MODEL_STEPS & {n for n, _ in early.steps}
    assert late.steps[0][0] in run.MODEL_STEPS


def test_early_then_late_across_a_pickle_equals_the_whole_pipeline() -> None:
    """What the helper and a worker do to a chunk, with the pickling between them, done by hand."""
    run._init(())
    docs = [d for d in read_paths(_folders()) if isinstance(d, Doc)]
    whole, split = [], []
    for chunk in run._chunks(docs):
        whole += _records(iter(run._work(pickle.loads(pickle.dumps(chunk)))))
        early = run._early([d for d in pickle.loads(pickle.dumps(chunk)) if isinstance(d, Doc)])
        assert early is not None
        split += _records(iter(run._work_task((chunk, pickle.loads(pickle.dumps(early))))))
    assert len(docs) > 100 and split == whole
    assert sum(len(r[0]["alliances"]) for r in whole) > 50


def test_two_workers_give_the_records_of_one_with_early_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """The model load is made to last, so the helper surely runs the early steps on some chunks."""
    one = _records(run.extract_paths(_folders(), workers=1))
    warm = run._warm
    seen: list[run.Task] = []
    threads: list[list[str]] = []

    def slow_warm() -> None:
        warm()
        threading.Event().wait(3)

    def spy(ctx: Any, chunks: Iterator[Any]) -> list[run.Task]:
        tasks = early_while_loading(ctx, chunks)
        seen.extend(tasks)
        return tasks

    def start_pool(ctx: Any, workers: int) -> Any:
        threads.append([t.name for t in threading.enumerate()])
        return start(ctx, workers)

    early_while_loading, start = run._early_while_loading, run._start_pool
    monkeypatch.setattr(run, "_warm", slow_warm)
    monkeypatch.setattr(run, "_early_while_loading", spy)
    monkeypatch.setattr(run, "_start_pool", start_pool)
    before = {t.name for t in threading.enumerate()}
    two = _records(run.extract_paths(_folders(), workers=2))
    assert two == one and len(one) > 100
    assert sum(early is not None for _, early in seen) >= 2, "the helper ran no chunk"
    assert threads and set(threads[0]) <= before, "a thread was alive when the workers forked"


def test_a_reading_error_during_the_load_reaches_the_caller() -> None:
    def docs() -> Iterator[Doc]:
        yield Doc(id="a", text="Sanofi et Google signent un partenariat.", language="fr")
        raise ValueError("disk gone")

    with pytest.raises(ValueError, match="disk gone"):
        list(run.extract_docs(docs(), workers=2))


def test_failures_keep_their_place_with_two_workers(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Sanofi s'associe à Google pour analyser les données de santé.")
    (tmp_path / "b.txt").write_text("")
    (tmp_path / "c.txt").write_text("Roche and Microsoft signed a research collaboration on imaging.")
    one = _records(run.extract_paths([tmp_path], workers=1))
    assert _records(run.extract_paths([tmp_path], workers=2)) == one
    assert isinstance(one[1], str) and "b.txt" in one[1]


def _stored(db: Database) -> list[Any]:
    with db.session() as s:
        rows = s.execute(select(Source.title, Source.content_hash, Candidate.record).join(Candidate.source))
        return sorted((title, digest, json.dumps(record, sort_keys=True)) for title, digest, record in rows)


def test_ingest_with_two_workers_stores_what_one_stores(tmp_path: Path) -> None:
    dbs = []
    for workers in (1, 2):
        db = Database.open(f"sqlite:///{tmp_path / f'w{workers}.db'}")
        db.upgrade()
        report = ingest_paths(db, [CORPUS / "articles", CORPUS / "fresh"], workers=workers)
        dbs.append((report, _stored(db)))
        db.dispose()
    (one, rows), (two, rows2) = dbs
    assert (two, rows2) == (one, rows)
    assert one.stored == 93 and one.candidates == len(rows) > 50


def test_late_steps_get_what_is_left_of_the_time_limit() -> None:
    """Early steps that took longer than the limit send the chunk down the whole pipeline again: the
    late steps alone on these unprocessed documents would find nothing, the whole pipeline finds the pair."""
    text = "Sanofi s'associe à Google pour analyser les données de santé."
    chunk: list[Doc | ReadFailure] = [Doc(id="a", text=text, language="fr")]
    bare = [Doc(id="a", text=text, language="fr")]
    try:
        run._init((), time_limit=30)
        over = _records(iter(run._work_task((chunk, (pickle.dumps(bare), 31.0)))))
        within = _records(iter(run._work_task((chunk, (pickle.dumps(bare), 1.0)))))
    finally:
        run._init((), TIME_LIMIT)
    assert len(over[0][0]["alliances"]) == 1 and within[0][0]["alliances"] == []
