"""Moving data between databases: `init --empty`, and `import` into a new database (SQLite or PostgreSQL)
gives back the same export."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from alliances.store.db import Database
from tests.conftest import REPO


def test_init_empty_creates_the_schema_only(cli: Any, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    out = cli("init", "--empty", "--db", url)
    assert out.code == 0 and "schema only" in out.out
    stats = json.loads(cli("stats", "--db", url, "--json").out)
    assert stats["alliances"] == 0 and stats["organisations"] == 0
    assert cli("list", "--db", url, "--q", "sanofi", "--json").code == 0


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """The real command in its own process (its connections close when it exits)."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-c", "from alliances.cli import main; main()", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def test_export_import_into_an_empty_database_round_trips(
    cli: Any, bundled_db: Database, any_db_url: str, tmp_path: Path
) -> None:
    first = tmp_path / "a.jsonl"
    assert cli("export", "--db", bundled_db.url, "-o", str(first)).code == 0
    moved = run("import", str(first), "--db", any_db_url)  # no `init` first
    assert moved.returncode == 0, moved.stderr
    exported = len(first.read_text(encoding="utf-8").splitlines())
    assert f"Imported {exported} alliance(s)" in moved.stdout
    second = tmp_path / "b.jsonl"
    assert run("export", "--db", any_db_url, "-o", str(second)).returncode == 0
    assert second.read_text(encoding="utf-8") == first.read_text(encoding="utf-8")
    found = json.loads(run("list", "--db", any_db_url, "--q", "Sanofi Google", "--json").stdout)
    assert found["total"] > 0  # the search index came with the schema
