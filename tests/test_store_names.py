"""Name normalisation and entity resolution: one organisation per entity, near matches only proposed."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alliances.errors import Conflict
from alliances.store.db import Database
from alliances.store.names import normalise
from alliances.store.resolve import Resolver
from alliances.store.writes import add_organisation


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Sanofi SA", "sanofi"),
        ("GlaxoSmithKline plc", "GlaxoSmithKline"),
        ("Théa", "THEA"),
        ("Merck & Co., Inc.", "Merck & Co."),
        ("Owkin, Inc.", "Owkin"),
    ],
)
def test_same_entity_same_key(a: str, b: str) -> None:
    assert normalise(a) == normalise(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Merck KGaA", "Merck & Co."),
        ("Merck", "Merck & Co."),
        ("Nabla", "Nabla Bio"),
        ("Nuance Communications", "Nuance Hearing"),
    ],
)
def test_different_companies_stay_apart(a: str, b: str) -> None:
    assert normalise(a) != normalise(b)


@given(st.text(max_size=60))
def test_normalise_is_idempotent(name: str) -> None:
    assert normalise(normalise(name)) == normalise(name)


def test_resolver_exact_alias_and_suggestions(empty_db: Database) -> None:
    with empty_db.session() as s:
        gsk = add_organisation(s, "GSK", kind="pharma", aliases=["GlaxoSmithKline"])
        add_organisation(s, "Nabla", kind="startup")
        add_organisation(s, "Nabla Bio", kind="biotech")
        resolver = Resolver(s)
        assert resolver.resolve("GlaxoSmithKline plc").organisation_id == gsk.id
        near = resolver.resolve("GlaxoSmithKlein")
        assert near.organisation_id is None
        assert near.suggestions and near.suggestions[0][1] == "GSK"
        assert resolver.resolve("Nabla Bio Inc.").name == "Nabla Bio"
        assert resolver.resolve("Nabla").name == "Nabla"


def test_duplicate_name_or_alias_is_a_conflict(empty_db: Database) -> None:
    with empty_db.session() as s:
        add_organisation(s, "GSK", kind="pharma", aliases=["GlaxoSmithKline"])
        with pytest.raises(Conflict):
            add_organisation(s, "GlaxoSmithKline PLC", kind="pharma")
