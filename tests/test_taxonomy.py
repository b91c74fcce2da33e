"""The vocabularies are data, match SCHEMA.md, and reject unknown terms with a clear message."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from alliances.errors import InvalidInput
from alliances.taxonomy import FACETS, vocab

SCHEMA_FACETS = {
    "alliance_types": "type",
    "technologies": "technologies",
    "stages": "stages",
    "statuses": "status",
}


def schema_terms(shared: Path, field: str) -> set[str]:
    """The backquoted terms listed after a field's bullet in shared/corpus/SCHEMA.md."""
    text = (shared / "corpus" / "SCHEMA.md").read_text(encoding="utf-8")
    block = re.search(rf"^- `{field}`.*?(?=^- `|\Z)", text, re.S | re.M)
    assert block, field
    return set(re.findall(r"`([a-z_]+)`", block.group(0))) - {field}


@pytest.mark.parametrize("facet", ["alliance_types", "technologies", "stages"])
def test_vocabulary_matches_schema(shared_dir: Path, facet: str) -> None:
    assert set(vocab(facet).keys) == schema_terms(shared_dir, SCHEMA_FACETS[facet])


def test_statuses_match_schema() -> None:
    assert vocab("statuses").keys == ("announced", "active", "terminated")


def test_organisation_kinds_are_the_fifteen_of_the_issues() -> None:
    assert set(vocab("organisation_kinds").keys) == {
        "pharma",
        "biotech",
        "medtech",
        "diagnostics",
        "big_tech",
        "tech",
        "startup",
        "cro",
        "academic",
        "hospital",
        "public_body",
        "investor",
        "insurer",
        "distributor",
        "other",
    }


@pytest.mark.parametrize("facet", FACETS)
def test_every_term_has_french_and_english_labels(facet: str) -> None:
    for term in vocab(facet).terms:
        assert term.en.strip() and term.fr.strip(), term
    assert len(set(vocab(facet).keys)) == len(vocab(facet).terms)


@pytest.mark.parametrize(
    ("facet", "noun"),
    [
        ("alliance_types", "alliance type"),
        ("technologies", "technology"),
        ("stages", "stage"),
        ("organisation_kinds", "organisation kind"),
    ],
)
def test_unknown_term_is_one_clear_line(facet: str, noun: str) -> None:
    with pytest.raises(InvalidInput) as info:
        vocab(facet).check("nonsense", "file.csv:212: field")
    message = info.value.message
    assert message.startswith(f"file.csv:212: field: unknown {noun} 'nonsense'")
    assert "\n" not in message


def test_labels_in_both_languages() -> None:
    assert vocab("technologies").label("iot", "fr") == "Objets connectés (IoT)"
    assert vocab("stages").label("research", "en") == "Research"
