"""SIGKILL a real `alliances import` at random moments: the database stays consistent, nothing committed is
lost, nothing is duplicated, and the audit chain stays intact. Plus property tests: importers and filter
parsers never crash on arbitrary input (a clean InvalidInput at most)."""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alliances.errors import AllianceError
from alliances.schemas import AllianceFilters, build
from alliances.store.db import Database
from alliances.store.io import read_records

KINDS = ("pharma", "startup", "tech", "big_tech", "academic")


def records(prefix: str, n: int) -> str:
    lines = []
    for i in range(n):
        lines.append(
            json.dumps(
                {
                    "key": f"{prefix}-{i}",
                    "parties": [
                        {"name": f"{prefix} Pharma {i % 37}", "kind": "pharma"},
                        {"name": f"{prefix} Tech {i}", "kind": KINDS[i % len(KINDS)]},
                    ],
                    "type": "rd_collaboration",
                    "technologies": ["ai"],
                    "stages": ["research"],
                    "date": f"{2010 + i % 15}-0{1 + i % 9}",
                }
            )
        )
    return "\n".join(lines) + "\n"


def state(path: Path) -> tuple[str, dict[str, int], int]:
    """integrity_check, alliances per key prefix, and duplicated keys or parties."""
    with sqlite3.connect(path) as conn:
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        counts = dict(conn.execute("SELECT substr(key, 1, 1), count(*) FROM alliance GROUP BY 1").fetchall())
        dupes = conn.execute(
            "SELECT count(*) FROM (SELECT norm FROM organisation GROUP BY norm HAVING count(*) > 1)"
        ).fetchone()[0]
        dupes += conn.execute(
            "SELECT count(*) FROM (SELECT key FROM alliance GROUP BY key HAVING count(*) > 1)"
        ).fetchone()[0]
    return integrity, counts, dupes


def run_import(db: Path, file: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from alliances.cli import main; main()",
            "import",
            str(file),
            "--db",
            str(db),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.mark.slow
def test_sigkill_during_import_loses_nothing_committed_and_duplicates_nothing(
    empty_db: Database, tmp_path: Path, cli: object
) -> None:
    db_path = Path(empty_db.url.removeprefix("sqlite:///"))
    empty_db.dispose()
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_text(records("A", 150), encoding="utf-8")
    second.write_text(records("B", 400), encoding="utf-8")
    assert run_import(db_path, first).wait(timeout=120) == 0
    assert state(db_path) == ("ok", {"A": 150}, 0)
    rng = random.Random(13)
    kills = 0
    for _ in range(12):
        process = run_import(db_path, second)
        time.sleep(rng.uniform(0.3, 4.0))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills += 1
        process.wait(timeout=60)
        integrity, counts, dupes = state(db_path)
        assert integrity == "ok" and dupes == 0
        assert counts["A"] == 150  # committed before: never lost
        assert counts.get("B", 0) in (0, 400)  # one import is one transaction: all or nothing
        if counts.get("B"):
            break
    assert kills >= 1
    assert run_import(db_path, second).wait(timeout=120) == 0  # finishing (or re-running) adds no duplicate
    assert state(db_path) == ("ok", {"A": 150, "B": 400}, 0)
    verify = subprocess.run(
        [
            sys.executable,
            "-c",
            "from alliances.cli import main; main()",
            "audit",
            "verify",
            "--db",
            str(db_path),
        ],
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
        capture_output=True,
        text=True,
    )
    assert verify.returncode == 0, verify.stdout


# --- property tests: arbitrary input never crashes the readers or the filter parser ----------------------

FILTER_KEYS = ("q", "type", "technology", "stage", "status", "party", "kind", "country")
FILTER_KEYS += ("year_from", "year_to", "sort", "page", "per_page")
nasty_text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["²", "٣", "10" + "0" * 30, "-1", "0", "1e9", "\x00", "' OR 1=1 --", "%", "_"]),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.sampled_from(FILTER_KEYS), nasty_text, max_size=5))
def test_filter_parser_never_crashes(values: dict[str, str]) -> None:
    with contextlib.suppress(AllianceError):
        build(AllianceFilters, **values)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(json_values, max_size=4), st.binary(max_size=60))
def test_jsonl_and_csv_readers_never_crash(
    tmp_path_factory: pytest.TempPathFactory, items: list[object], raw: bytes
) -> None:
    folder = tmp_path_factory.mktemp("fuzz")
    jsonl = folder / "x.jsonl"
    jsonl.write_text("\n".join(json.dumps(i) for i in items) + "\n", encoding="utf-8")
    garbage = folder / "y.csv"
    garbage.write_bytes(b"parties,type\n" + raw)
    for path in (jsonl, garbage):
        with contextlib.suppress(AllianceError):
            list(read_records(path))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(json_values, min_size=1, max_size=3))
def test_importer_never_crashes_on_arbitrary_records(
    empty_db: Database, tmp_path_factory: pytest.TempPathFactory, items: list[object]
) -> None:
    from alliances.store.io import import_records

    path = tmp_path_factory.mktemp("fuzz") / "records.jsonl"
    path.write_text("\n".join(json.dumps(i) for i in items) + "\n", encoding="utf-8")
    try:
        with empty_db.session() as s:
            import_records(s, read_records(path))
    except AllianceError:
        pass
