"""The store on SQLite and PostgreSQL: migrations, writes, filters, merges, visibility."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import inspect, select

from alliances.errors import InvalidInput
from alliances.schemas import AllianceFilters, OrganisationFilters
from alliances.store.db import Database
from alliances.store.filters import Filters
from alliances.store.merge import merge_organisations
from alliances.store.models import Alias, Organisation
from alliances.store.organisations import get_organisation, list_organisations
from alliances.store.queries import get_alliance, list_alliances
from alliances.store.viewer import Viewer
from alliances.store.writes import add_alliance, add_organisation


def seed(db: Database) -> dict[str, int]:
    with db.session() as s:
        alphabet = add_organisation(s, "Alphabet", kind="big_tech", country="US")
        google = add_organisation(
            s, "Google", kind="big_tech", country="us", parent_id=alphabet.id, aliases=["Google Cloud"]
        )
        verily = add_organisation(s, "Verily", kind="big_tech", country="US", parent_id=alphabet.id)
        sanofi = add_organisation(s, "Sanofi", kind="pharma", country="FR", aliases=["Sanofi France"])
        owkin = add_organisation(s, "Owkin", kind="startup", country="FR")
        a1 = add_alliance(
            s,
            {
                "parties": ["Sanofi", "Google Cloud"],
                "type": "rd_collaboration",
                "technologies": ["ai", "cloud"],
                "stages": ["research"],
                "date": "2019-06",
                "therapeutic_areas": ["Diabetes"],
                "status": "active",
            },
        )
        a2 = add_alliance(
            s,
            {
                "parties": [{"name": "Sanofi France", "role": "partner"}, "Verily"],
                "type": "joint_venture",
                "technologies": ["iot"],
                "stages": ["usage"],
                "date": "2016",
                "status": "terminated",
                "ended": "2019",
                "amount": {"value": 500e6, "currency": "usd"},
                "vehicle": "Onduo",
            },
        )
        a3 = add_alliance(
            s,
            {
                "parties": ["Owkin", "Sanofi"],
                "type": "equity_investment",
                "date": "2021-11-18",
                "amount": {"value": 180e6, "currency": "USD", "kind": "equity"},
                "visibility": "private",
                "owner_id": owkin.id,
            },
        )
        return {
            "google": google.id,
            "verily": verily.id,
            "sanofi": sanofi.id,
            "owkin": owkin.id,
            "alphabet": alphabet.id,
            "a1": a1.id,
            "a2": a2.id,
            "a3": a3.id,
        }


def test_migration_creates_every_table(any_db: Database) -> None:
    tables = set(inspect(any_db.engine).get_table_names())
    assert {
        "organisation",
        "alias",
        "alliance",
        "party",
        "alliance_tag",
        "event",
        "project",
        "source",
        "evidence",
        "survey",
        "survey_figure",
        "candidate",
        "alembic_version",
    } <= tables


def test_migrations_down_and_up_again(any_db: Database) -> None:
    any_db.downgrade("base")
    assert "alliance" not in inspect(any_db.engine).get_table_names()
    any_db.upgrade()
    assert any_db.is_initialised()


def test_alliance_round_trip(any_db: Database) -> None:
    ids = seed(any_db)
    with any_db.session() as s:
        onduo = get_alliance(s, ids["a2"]).model_dump()
    assert [p["name"] for p in onduo["parties"]] == ["Sanofi", "Verily"]
    assert onduo["amount"] == {"value": 500e6, "currency": "USD", "kind": "total"}
    assert onduo["vehicle"] == "Onduo" and onduo["vehicle_id"] is not None
    assert [(e["kind"], e["date"]) for e in onduo["events"]] == [
        ("announced", "2016"),
        ("terminated", "2019"),
    ]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"technology": "ai"}, ["a1"]),
        ({"stage": "usage"}, ["a2"]),
        ({"status": "terminated"}, ["a2"]),
        ({"party": "Alphabet"}, ["a1", "a2"]),
        ({"party": "Google"}, ["a1"]),
        ({"kind": "big_tech", "year_from": "2017"}, ["a1"]),
        ({"year_to": "2016"}, ["a2"]),
        ({"country": "us"}, ["a1", "a2"]),
        ({"q": "diabetes"}, ["a1"]),
        ({"q": "verily"}, ["a2"]),
        ({"area": "Diab"}, ["a1"]),
    ],
)
def test_filters(any_db: Database, params: dict[str, Any], expected: list[str]) -> None:
    ids = seed(any_db)
    with any_db.session() as s:
        page = list_alliances(s, AllianceFilters.model_validate(params)).model_dump()
    assert sorted(a["id"] for a in page["items"]) == sorted(ids[k] for k in expected)
    assert page["total"] == len(expected)


def test_private_alliance_only_for_its_owner(any_db: Database) -> None:
    ids = seed(any_db)
    with any_db.session() as s:
        public = list_alliances(s, Filters()).total
        owner = list_alliances(s, Filters(), viewer=Viewer(frozenset({ids["owkin"]}))).total
    assert (public, owner) == (2, 3)


def test_sort_and_pagination(any_db: Database) -> None:
    seed(any_db)
    with any_db.session() as s:
        first = list_alliances(s, Filters(sort="announced", per_page=1)).model_dump()
        second = list_alliances(s, Filters(sort="announced", per_page=1, page=2)).model_dump()
    assert first["total"] == 2
    assert [first["items"][0]["announced"], second["items"][0]["announced"]] == ["2016", "2019-06"]


def test_organisations_by_degree(any_db: Database) -> None:
    seed(any_db)
    with any_db.session() as s:
        items = list_organisations(s, OrganisationFilters(sort="-degree")).items
    assert items[0].name == "Sanofi" and items[0].degree == 2


def test_profile_lists_family_and_partners(any_db: Database) -> None:
    seed(any_db)
    with any_db.session() as s:
        profile = get_organisation(s, "Alphabet")
        google = get_organisation(s, "google cloud")
    assert {c.name for c in profile.subsidiaries} == {"Google", "Verily"}
    assert google.parent is not None and google.parent.name == "Alphabet"
    assert google.partners[0].name == "Sanofi" and google.technologies == {"ai": 1, "cloud": 1}


def test_merge_keeps_every_fact(any_db: Database) -> None:
    ids = seed(any_db)
    with any_db.session() as s:
        dup = add_organisation(s, "Owkin Inc. (duplicate)", kind="startup", wikidata="Q1")
        add_alliance(s, {"parties": [{"id": dup.id}, "Google"], "type": "supply_or_service"})
        add_alliance(s, {"parties": [{"id": dup.id}, "Owkin"], "type": "other"})
    with any_db.session() as s:
        merge_organisations(s, ids["owkin"], dup.id)
    with any_db.session() as s:
        owkin = s.get(Organisation, ids["owkin"])
        assert owkin is not None and owkin.wikidata == "Q1"
        aliases = set(s.scalars(select(Alias.name).where(Alias.organisation_id == ids["owkin"])))
        assert "Owkin Inc. (duplicate)" in aliases
        assert s.get(Organisation, dup.id) is None
        profile = get_organisation(s, ids["owkin"], viewer=Viewer(is_admin=True))
    names = sorted(p.name for p in profile.partners)
    assert names == ["Google", "Sanofi"]


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"parties": ["Sanofi"], "type": "rd_collaboration"}, "at least two parties"),
        ({"parties": ["Sanofi", "Sanofi France"], "type": "rd_collaboration"}, "two distinct organisations"),
        ({"parties": ["Sanofi", "Owkin"], "type": "merger"}, "unknown alliance type 'merger'"),
        (
            {"parties": ["Sanofi", "Owkin"], "type": "other", "technologies": ["quantum"]},
            "unknown technology",
        ),
        ({"parties": ["Sanofi", "Owkin"], "type": "other", "date": "2019-02-30"}, "impossible date"),
        ({"parties": ["Sanofi", "Owkin"], "type": "other", "date": "next year"}, "is not a date"),
        ({"parties": ["Sanofi", {"id": 99999}], "type": "other"}, "unknown organisation id 99999"),
        ({"parties": ["Sanofi", "Owkin"], "type": "other", "amount": {"value": "lots"}}, "not a number"),
    ],
)
def test_bad_records_are_rejected_whole(any_db: Database, record: dict[str, Any], message: str) -> None:
    seed(any_db)
    with pytest.raises(InvalidInput) as info, any_db.session() as s:
        add_alliance(s, record, where="f.json:3")
    assert message in info.value.message and info.value.message.startswith("f.json:3")
    with any_db.session() as s:
        assert list_alliances(s, Filters()).total == 2


def test_migrations_match_the_models(any_db: Database) -> None:
    """Alembic's autogenerate finds nothing to do: every model change has its migration."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from alliances.store.models import Base
    from alliances.store.search import is_index_table

    with any_db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": is_index_table})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []
