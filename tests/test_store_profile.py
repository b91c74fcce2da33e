"""The cold organisation profile (issue 13, load): a fixed, small number of statements, whatever the
organisation, and the same profile whichever way its aggregates are counted."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event, select

from alliances.errors import NotFound
from alliances.store import organisations
from alliances.store.db import Database
from alliances.store.models import Organisation, Project, ProjectOwner
from alliances.store.organisations import get_organisation
from alliances.store.version import lean_version
from alliances.store.viewer import Viewer
from alliances.store.writes import add_alliance

# Row and aliases, latest-first alliance ids, the summaries' four reads (names, families and projects
# are kept per data version); one more for an organisation a non-public alliance names (may the reader
# see it?). The code before issue 13's pass read 18 to 22.
COLD_PROFILE = 6


@pytest.fixture
def planted(bundled_db: Database) -> Iterator[tuple[Database, dict[str, int]]]:
    """The bundled data (a real SQLite file) with a private alliance of Sanofi's and a new partner."""
    with bundled_db.session() as s:
        sanofi = s.scalar(select(Organisation.id).where(Organisation.name == "Sanofi"))
        assert sanofi is not None
        record = {
            "parties": [{"name": "Sanofi"}, {"name": "Zyxqar Therapeutics", "kind": "startup"}],
            "type": "joint_venture",
            "technologies": ["ai"],
            "date": "2025-02-01",
            "title": "Sanofi and Zyxqar",
            "visibility": "private",
            "owner_id": sanofi,
        }
        add_alliance(s, record, create_missing=True)
        secret = Project(name="Secret project", year=2024, visibility="private", owner_id=sanofi)
        secret.owners = [ProjectOwner(organisation_id=sanofi)]
        s.add(secret)
        ids = {
            name: s.scalar(select(Organisation.id).where(Organisation.name == name))
            for name in ("Sanofi", "Servier", "Alphabet", "Google", "Owkin", "Zyxqar Therapeutics")
        }
    assert all(ids.values())
    yield bundled_db, {k: v for k, v in ids.items() if v is not None}


def statements(db: Database, ref: str | int, viewer: Viewer | None) -> int:
    """Statements of one profile, in a session that has read the data version (as a web request's has)."""
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    with db.session() as s:
        lean_version(s)
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            get_organisation(s, ref, viewer=viewer)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
    return len(seen)


def test_a_cold_profile_reads_a_fixed_handful_of_statements(planted: tuple[Database, dict[str, int]]) -> None:
    db, ids = planted
    member = Viewer(frozenset({ids["Sanofi"]}))
    statements(db, ids["Owkin"], None)  # the per-version pieces other reads share (names, families)
    assert statements(db, ids["Servier"], None) <= COLD_PROFILE
    assert statements(db, "Alphabet", None) <= COLD_PROFILE  # a group, by name
    assert statements(db, ids["Google"], member) <= COLD_PROFILE  # a subsidiary, for a member
    # Named by a private alliance: whether the reader may see it costs a statement.
    assert statements(db, ids["Sanofi"], None) <= COLD_PROFILE + 1
    assert statements(db, ids["Sanofi"], member) <= COLD_PROFILE + 1
    assert statements(db, "Sanofi", member) <= 1  # kept for this data version: only who may see it


def test_the_counted_profile_is_the_one_sql_aggregates_give(
    planted: tuple[Database, dict[str, int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Up to PROFILE_ALLIANCES alliances the aggregates are counted from the summaries, beyond in SQL:
    the same partners, years, tags and counts (the summaries are cut to the latest)."""
    db, ids = planted
    member = Viewer(frozenset({ids["Sanofi"]}))
    cases = [
        (ids[name], viewer)
        for name in ("Sanofi", "Alphabet", "Google", "Servier")
        for viewer in (None, member)
    ]
    with db.session() as s:
        counted = [get_organisation(s, ref, viewer=viewer) for ref, viewer in cases]
    db.memo.clear()
    monkeypatch.setattr(organisations, "PROFILE_ALLIANCES", 3)
    with db.session() as s:
        in_sql = [get_organisation(s, ref, viewer=viewer) for ref, viewer in cases]
    for one, other in zip(counted, in_sql, strict=True):
        assert one.alliances_total > 3
        assert other.alliances == one.alliances[:3]
        assert other.model_dump(exclude={"alliances"}) == one.model_dump(exclude={"alliances"})
    assert "Secret project" in [p.name for p in counted[1].projects]
    assert "Secret project" not in [p.name for p in counted[0].projects]
    private = [a.title for a in counted[1].alliances]
    assert "Sanofi and Zyxqar" in private and "Sanofi and Zyxqar" not in [
        a.title for a in counted[0].alliances
    ]


def test_an_alliance_made_private_hides_its_only_partner_at_once(
    planted: tuple[Database, dict[str, int]],
) -> None:
    """Which organisations a non-public alliance names is kept per data version: a change of visibility
    moves the version, so the next read of the profile asks again."""
    db, ids = planted
    with db.session() as s:
        alliance = add_alliance(
            s,
            {
                "parties": [{"name": "Sanofi"}, {"name": "Plovrix Labs", "kind": "startup"}],
                "type": "licensing_commercialisation",
            },
            create_missing=True,
        )
        partner = s.scalar(select(Organisation.id).where(Organisation.name == "Plovrix Labs"))
        assert partner is not None
    with db.session() as s:
        assert get_organisation(s, partner).name == "Plovrix Labs"
    with db.session() as s:
        s.get_one(type(alliance), alliance.id).visibility = "private"
        s.get_one(type(alliance), alliance.id).owner_id = ids["Sanofi"]
    with db.session() as s, pytest.raises(NotFound):
        get_organisation(s, partner)
    with db.session() as s:
        assert get_organisation(s, partner, viewer=Viewer(frozenset({ids["Sanofi"]}))).alliances_total == 1
