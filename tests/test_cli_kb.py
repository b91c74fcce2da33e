"""The knowledge-base commands, driven through the real entry point."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from alliances.settings import database_url
from alliances.store.db import Database
from alliances.store.projects import count_alliances
from alliances.store.viewer import Viewer


@pytest.fixture
def dbfile(bundled_db: Database) -> str:
    return bundled_db.url.removeprefix("sqlite:///")


def test_init_then_stats(cli: Any, tmp_path: Path) -> None:
    path = str(tmp_path / "new.db")
    first = cli("init", "--db", path)
    assert first.code == 0 and "817 alliances" in first.out
    again = cli("init", "--db", path)
    assert "0 alliances" in again.out
    data = json.loads(cli("stats", "--db", path, "--json").out)
    assert data["alliances"] == 817 and data["projects"] >= 10


def test_env_variable_names_the_database(cli: Any, dbfile: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALLIANCES_DB", dbfile)
    assert json.loads(cli("stats", "--json").out)["alliances"] == 817


def test_list_ai_research(cli: Any, dbfile: str) -> None:
    result = cli(
        "list", "--technology", "ai", "--stage", "research", "--per-page", "500", "--db", dbfile, "--json"
    )
    pairs = {frozenset(p["name"] for p in a["parties"]) for a in json.loads(result.out)["items"]}
    assert {
        frozenset({"AstraZeneca", "BenevolentAI"}),
        frozenset({"Servier", "Numerate"}),
        frozenset({"Amgen", "Owkin"}),
    } <= pairs


def test_show_prints_evidence_and_source(cli: Any, dbfile: str) -> None:
    items = json.loads(cli("list", "--party", "Numerate", "--db", dbfile, "--json").out)["items"]
    servier = next(a for a in items if "Servier" in {p["name"] for p in a["parties"]})
    shown = cli("show", str(servier["id"]), "--db", dbfile)
    assert shown.code == 0
    assert "Evidence:" in shown.out and "Servier" in shown.out and "“" in shown.out


def test_orgs_commands(cli: Any, dbfile: str) -> None:
    listing = json.loads(cli("orgs", "list", "--kind", "big_tech", "--db", dbfile, "--json").out)
    assert listing["items"][0]["degree"] >= listing["items"][-1]["degree"]
    profile = json.loads(cli("orgs", "show", "Verily", "--db", dbfile, "--json").out)
    assert profile["parent"]["name"] == "Alphabet"
    found = json.loads(cli("orgs", "search", "glaxo", "--db", dbfile, "--json").out)
    assert found[0]["name"] == "GSK"


def test_unknown_organisation_suggests_closest(cli: Any, dbfile: str) -> None:
    result = cli("orgs", "show", "Servir", "--db", dbfile)
    assert result.code == 3 and "Servier" in result.err and "Traceback" not in result.err


def test_merge_by_name(cli: Any, dbfile: str, tmp_path: Path) -> None:
    before = len(json.loads(cli("orgs", "show", "Numerate", "--db", dbfile, "--json").out)["alliances"])
    record = tmp_path / "a.yaml"
    record.write_text(
        "parties: [Servier, Numerate Inc duplicate]\ntype: rd_collaboration\n", encoding="utf-8"
    )
    assert cli("add", str(record), "--db", dbfile).code == 0
    merged = cli("orgs", "merge", "Numerate", "Numerate Inc duplicate", "--db", dbfile)
    assert merged.code == 0, merged.err
    profile = json.loads(cli("orgs", "show", "Numerate", "--db", dbfile, "--json").out)
    assert "Numerate Inc duplicate" in profile["aliases"] and len(profile["alliances"]) == before + 1


def test_projects(cli: Any, dbfile: str) -> None:
    items = json.loads(cli("projects", "list", "--db", dbfile, "--json").out)["items"]
    darwin = next(p for p in items if p["name"] == "DARWIN")
    shown = cli("projects", "show", str(darwin["id"]), "--db", dbfile)
    assert "Sanofi" in shown.out and "Evidence" in shown.out


def test_export_import_export_through_the_cli(cli: Any, dbfile: str, tmp_path: Path) -> None:
    first = tmp_path / "one.jsonl"
    assert cli("export", "--db", dbfile, "-o", str(first)).code == 0
    target = str(tmp_path / "copy.db")
    cli("init", "--db", target)  # a fresh DB holds the bundle: import skips every known key
    assert "0 alliance(s)" in cli("import", str(first), "--db", target).out
    empty = str(tmp_path / "empty.db")
    Database.open(f"sqlite:///{empty}").upgrade()
    assert cli("import", str(first), "--db", empty).code == 0
    second = tmp_path / "two.jsonl"
    cli("export", "--db", empty, "-o", str(second))
    assert first.read_text(encoding="utf-8") == second.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("content", "suffix", "message"),
    [
        ('{"parties": ["Sanofi", "Owkin"], "type": "merger"}', ".json", "unknown alliance type 'merger'"),
        ("parties: [Sanofi]\ntype: other\n", ".yaml", "at least two parties"),
        (
            '{"parties": ["Sanofi", "Owkin"], "type": "other", "date": "2021-02-30"}',
            ".json",
            "impossible date",
        ),
        (
            '{"parties": ["Sanofi", {"id": 999999}], "type": "other"}',
            ".json",
            "unknown organisation id 999999",
        ),
        ("{not json", ".json", "invalid JSON"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    cli: Any, dbfile: str, tmp_path: Path, content: str, suffix: str, message: str
) -> None:
    path = tmp_path / f"record{suffix}"
    path.write_text(content, encoding="utf-8")
    before = cli("stats", "--db", dbfile, "--json").out
    result = cli("add", str(path), "--db", dbfile)
    assert result.code == 2
    assert message in result.err and str(path) in result.err
    assert len(result.err.strip().splitlines()) == 1, result.err
    assert cli("stats", "--db", dbfile, "--json").out == before


def test_invalid_filter_names_the_option_and_its_choices(cli: Any, dbfile: str) -> None:
    result = cli("list", "--technology", "quantum", "--db", dbfile)
    assert result.code == 2 and "Invalid value for '--technology'" in result.err
    assert "'quantum' is not one of" in result.err and "'ai'" in result.err


def test_missing_database_says_run_init(cli: Any, tmp_path: Path) -> None:
    result = cli("stats", "--db", str(tmp_path / "none.db"))
    assert result.code != 0 and "alliances init" in result.err


def test_read_only_database(cli: Any, dbfile: str, tmp_path: Path) -> None:
    """SQLite opened read-only (root ignores file modes, so the URL asks for it): one line, no write."""
    path = tmp_path / "ro.db"
    shutil.copy(dbfile, path)
    record = tmp_path / "a.yaml"
    record.write_text("parties: [Servier, Owkin]\ntype: other\n", encoding="utf-8")
    result = cli("add", str(record), "--db", f"sqlite:///file:{path}?mode=ro&uri=true")
    assert result.code == 6 and "read-only" in result.err and len(result.err.strip().splitlines()) == 1


def test_unwritable_file_is_refused_before_writing(
    cli: Any, dbfile: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "access", lambda *_: False)
    result = cli("init", "--db", dbfile)
    assert result.code == 6 and "is read-only" in result.err


def _run_cli(*args: str) -> Any:
    """The installed entry point in a real process (Typer's own exceptions must not leak)."""
    import subprocess
    import sys

    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-c", "from alliances.cli import main; main()", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (("list", "--bogus"), "No such option: --bogus"),
        (("show",), "Missing argument"),
        (("list", "--page", "x"), "'--page'"),
        (("export", "--format", "xml"), "'--format'"),
        (("list", "--page", "0"), "page"),
        (("list", "--per-page", "1" + "0" * 30), "per_page"),
        (("show", "²"), "alliance_id"),
    ],
)
def test_usage_errors_print_usage_and_exit_2(args: tuple[str, ...], names: str, dbfile: str) -> None:
    result = _run_cli(*args, "--db", dbfile)
    assert result.returncode == 2, result.stderr
    assert names in result.stderr
    assert "Traceback" not in result.stderr and "unexpected" not in result.stderr


def test_csv_export_with_bom_matches_the_download(cli: Any, dbfile: str, tmp_path: Path) -> None:
    path = tmp_path / "alliances.csv"
    assert cli("export", "--format", "csv", "--bom", "-o", str(path), "--db", dbfile).code == 0
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfkey,title,parties,kinds,type,") and b"\r\n" in data
    with Database.open(database_url(dbfile)).session() as session:
        total = count_alliances(session, viewer=Viewer(is_admin=True))
    assert data.decode("utf-8-sig").count("\r\n") == 1 + total  # header + every bundled alliance
