"""`alliances data check`: the bundle has no error; each kind of bad record is named on its own line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from alliances.store.check import Finding, check_curated, check_records

GOOD = {"ref": "X1", "parties": [{"name": "Sanofi"}, {"name": "Owkin"}], "type": "rd_collaboration"}


def findings(*records: dict[str, Any]) -> list[Finding]:
    return check_records([(f"f.jsonl:{i}", r) for i, r in enumerate(records, 1)])


def test_the_bundle_has_no_error(cli: Any) -> None:
    result = cli("data", "check", "--bundle")
    errors = [line for line in result.out.splitlines() if not line.endswith("(warning)")]
    assert result.code == 0 and errors == []
    assert "0 error(s)" in result.err


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"type": "merger"}, "type", "unknown alliance type 'merger'"),
        ({"technologies": ["ai", "quantum"]}, "technologies", "unknown technology 'quantum'"),
        ({"stages": ["sales"]}, "stages", "unknown stage 'sales'"),
        ({"status": "ongoing"}, "status", "unknown status 'ongoing'"),
        ({"date": "2021-02-30"}, "date", "impossible date"),
        ({"date": "March 2021"}, "date", "is not a date"),
        ({"date": "2021-05", "end_date": "2020"}, "end_date", "before the announcement"),
        ({"parties": [{"name": "Sanofi"}]}, "parties", "at least two parties"),
        ({"parties": [{"name": "Sanofi"}, {"name": "Owkin", "kind": "robot"}]}, "parties", "kind 'robot'"),
        ({"amount": {"value": 5, "currency": "EURO"}}, "amount", "three-letter code"),
    ],
)
def test_each_bad_field_is_an_error(change: dict[str, Any], field: str, message: str) -> None:
    errors = [f for f in findings({**GOOD, **change}) if f.level == "error"]
    assert [f.field for f in errors] == [field]
    assert message in errors[0].message and errors[0].line().startswith(f"f.jsonl:1: {field}: ")


def test_a_good_record_has_no_finding() -> None:
    assert findings(GOOD) == []


def test_two_spellings_of_one_organisation_are_a_warning() -> None:
    other = {**GOOD, "ref": "X2", "parties": [{"name": "SANOFI SA"}, {"name": "Iktos"}], "date": "2015"}
    (found,) = findings(GOOD, other)
    assert found.level == "warning" and "'SANOFI SA' is written 'Sanofi' at f.jsonl:1" in found.message


def test_two_names_of_one_organisation_in_a_record_are_an_error() -> None:
    record = {**GOOD, "parties": [{"name": "Google"}, {"name": "Google Cloud"}]}
    index = {"google": "Google", "google cloud": "Google"}
    messages = [f.message for f in check_records([("f:1", record)], index) if f.level == "error"]
    assert messages == [
        "'Google' and 'Google Cloud' are one organisation",
        "the parties name fewer than two distinct organisations",
    ]


@pytest.mark.parametrize(("second", "duplicate"), [("2020-11-20", True), ("2022-03", False)])
def test_same_parties_and_type_within_a_year_is_a_probable_duplicate(second: str, duplicate: bool) -> None:
    first = {**GOOD, "date": "2020-03-01"}
    again = {**GOOD, "ref": "X2", "parties": [{"name": "Owkin"}, {"name": "Sanofi"}], "date": second}
    found = [f for f in findings(first, again) if "probable duplicate" in f.message]
    assert bool(found) is duplicate
    if duplicate:
        assert found[0].where == "f.jsonl:2" and "X1" in found[0].message and found[0].level == "warning"


def test_curated_names_used_twice_and_bad_fields() -> None:
    entries = [
        {"name": "Merck KGaA", "kind": "pharma", "country": "DE", "aliases": ["Merck"]},
        {"name": "MSD", "kind": "pharma", "country": "us", "aliases": ["Merck"], "parent": "Merck Inc"},
        {"name": "Shop", "kind": "shop", "country": None},
    ]
    lines = [f.line() for f in check_curated(entries, lambda name: f"orgs.yaml:{name}")]
    assert lines == [
        "orgs.yaml:MSD: country: 'us' is not an ISO 3166 alpha-2 code",
        "orgs.yaml:MSD: parent: unknown parent 'Merck Inc'",
        "orgs.yaml:MSD: aliases: 'Merck' also names 'Merck KGaA'",
        "orgs.yaml:Shop: kind: unknown organisation kind 'shop'",
    ]


def test_a_file_with_errors_exits_1_with_one_line_each(cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "new.jsonl"
    rows = [
        GOOD,
        {**GOOD, "ref": "X2", "type": "merger"},
        {**GOOD, "ref": "X3", "date": "2020-13", "type": "licensing_commercialisation"},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    result = cli("data", "check", str(path))
    assert result.code == 1
    assert result.out.splitlines() == [
        f"{path}:2: type: unknown alliance type 'merger'",
        f"{path}:3: date: '2020-13' is an impossible date (month must be in 1..12)",
    ]


def test_a_clean_file_exits_0(cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "ok.jsonl"
    path.write_text(json.dumps(GOOD) + "\n", encoding="utf-8")
    assert cli("data", "check", str(path)).code == 0


@pytest.mark.parametrize("args", [(), ("x.jsonl", "--bundle")])
def test_file_or_bundle_exactly_one(cli: Any, args: tuple[str, ...]) -> None:
    result = cli("data", "check", *args)
    assert result.code == 2 and "FILE or --bundle" in result.err
