"""Export, import into an empty database, export again: identical; bad files change nothing."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from alliances.errors import InvalidInput
from alliances.store.db import Database
from alliances.store.filters import Filters
from alliances.store.io import export_csv, export_jsonl, import_records, read_records
from alliances.store.queries import iter_alliances, list_alliances


def test_jsonl_round_trip_is_identical(bundled_db: Database, any_db: Database, tmp_path: Path) -> None:
    with bundled_db.session() as s:
        first = "".join(export_jsonl(s))
    path = tmp_path / "export.jsonl"
    path.write_text(first, encoding="utf-8")
    with any_db.session() as s:
        report = import_records(s, read_records(path))
    assert report.added == 817 and not report.errors
    with any_db.session() as s:
        second = "".join(export_jsonl(s))
    assert second == first


def test_import_twice_skips_known_keys(bundled_db: Database, empty_db: Database, tmp_path: Path) -> None:
    with bundled_db.session() as s:
        path = tmp_path / "e.jsonl"
        path.write_text("".join(export_jsonl(s, Filters(origin="seed", sort="id"))), encoding="utf-8")
    for expected in (19, 0):
        with empty_db.session() as s:
            assert import_records(s, read_records(path)).added == expected


def test_csv_export_is_clean_utf8(bundled_db: Database) -> None:
    with bundled_db.session() as s:
        text = "".join(export_csv(iter_alliances(s, Filters(party="Théa"))))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and "Théa" in rows[0]["parties"] and rows[0]["kinds"]


def test_csv_round_trip(bundled_db: Database, empty_db: Database, tmp_path: Path) -> None:
    with bundled_db.session() as s:
        text = "".join(export_csv(iter_alliances(s, Filters(origin="real", sort="id"))))
    path = tmp_path / "a.csv"
    path.write_text(text, encoding="utf-8")
    with empty_db.session() as s:
        assert import_records(s, read_records(path)).added == 798
    with empty_db.session() as s:
        assert "".join(export_csv(iter_alliances(s, Filters(sort="id")))) == text


def write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["parties", "type", "announced"])
        writer.writeheader()
        writer.writerows(rows)


def test_unknown_type_names_the_line_and_writes_nothing(empty_db: Database, tmp_path: Path) -> None:
    path = tmp_path / "batch.csv"
    rows = [
        {"parties": f"Pharma {i}; Tech {i}", "type": "rd_collaboration", "announced": "2020"}
        for i in range(250)
    ]
    rows[210]["type"] = "merger"
    write_csv(path, rows)
    with pytest.raises(InvalidInput) as info, empty_db.session() as s:
        import_records(s, read_records(path))
    assert info.value.message.startswith(f"{path}:212: type: unknown alliance type 'merger'")
    with empty_db.session() as s:
        assert list_alliances(s, Filters()).total == 0


def test_skip_invalid_imports_the_rest(empty_db: Database, tmp_path: Path) -> None:
    path = tmp_path / "batch.csv"
    write_csv(
        path,
        [
            {"parties": "A; B", "type": "other", "announced": "2020"},
            {"parties": "C", "type": "other", "announced": "2020"},
            {"parties": "D; E", "type": "other", "announced": "2020-13"},
        ],
    )
    with empty_db.session() as s:
        report = import_records(s, read_records(path), skip_invalid=True)
    assert report.added == 1 and len(report.errors) == 2


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "bad.jsonl",
            '{"parties": ["A", "B"], "type": "other"}\n{"parties": [\n',
            "bad.jsonl:2: invalid JSON",
        ),
        ("bad.yaml", "- parties: [A, B\n  type: other\n", "invalid YAML"),
        ("bad.jsonl", '["A", "B"]\n', "bad.jsonl:1: expected a JSON object"),
    ],
)
def test_syntax_errors_name_file_and_line(tmp_path: Path, name: str, content: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InvalidInput) as info:
        list(read_records(path))
    assert message in info.value.message


def test_document_lines_of_schema_format_import_each_alliance(empty_db: Database, tmp_path: Path) -> None:
    doc = {
        "id": "x",
        "alliances": [
            {
                "parties": [{"name": "Sanofi SA", "canonical": "Sanofi"}, "Owkin"],
                "type": "rd_collaboration",
                "technologies": ["ai"],
                "stages": ["research"],
                "date": "2021-11",
                "evidence": "…",
                "confidence": 0.9,
            },
            {"parties": ["Servier", "Iktos"], "type": "rd_collaboration"},
        ],
    }
    path = tmp_path / "pred.jsonl"
    path.write_text(json.dumps(doc) + "\n", encoding="utf-8")
    with empty_db.session() as s:
        assert import_records(s, read_records(path)).added == 2


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"origin": 7}, "origin: expected a text"),
        ({"sources": "https://x.example"}, "sources: expected a list"),
    ],
)
def test_raw_json_values_of_the_wrong_kind_are_one_clear_error(
    empty_db: Database, tmp_path: Path, extra: dict[str, object], message: str
) -> None:
    """Raw records hold any JSON value (issue 10): origin and sources are checked before use."""
    path = tmp_path / "one.jsonl"
    good = {"parties": [{"name": "Alpha Bio"}, {"name": "Beta Pharma"}], "type": "other", "announced": "2020"}
    path.write_text(json.dumps({**good, **extra}) + "\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as info, empty_db.session() as s:
        import_records(s, read_records(path))
    assert info.value.message == f"{path}:1: {message}" or info.value.message.startswith(
        f"{path}:1: {message}"
    )
    with empty_db.session() as s:
        assert list_alliances(s, Filters()).total == 0
