"""The rollup behind matrix and trends: after every kind of write it counts what the live queries count,
for anonymous readers, members who see their organisation's private alliances, and administrators."""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

import pytest
from sqlalchemy import delete, func, select, update

from alliances.analytics.matrix import tech_stage_matrix
from alliances.analytics.trends import alliance_trends
from alliances.store.aggregates import alliance_cells, termination_counts, yearly_counts
from alliances.store.db import Database
from alliances.store.filters import Filters
from alliances.store.io import import_records
from alliances.store.merge import merge_organisations
from alliances.store.models import Alliance, AllianceTag, Event, Organisation, Party
from alliances.store.rollup import COUNTERS, Rollup, contributions, rebuild
from alliances.store.viewer import Viewer
from alliances.store.writes import add_alliance, add_organisation

TYPES = ["rd_collaboration", "licensing_commercialisation", "joint_venture", "acquisition"]
TECHS = ["ai", "cloud", "iot", "big_data"]
STAGES = ["research", "development", "production", "usage"]
KINDS = ["pharma", "startup", "big_tech", "academic", "tech", "biotech"]
FILTERS = [
    Filters(),
    Filters(type="rd_collaboration"),
    Filters(status="terminated"),
    Filters(status="active", year_from=2018),
    Filters(year_from=2017, year_to=2020),
    Filters(year_to=2019),
    Filters(technology="ai"),  # trends: tech.* measures; matrix: live. Both must agree all the same
    Filters(stage="research", type="rd_collaboration"),
    Filters(technology="cloud", status="terminated", year_from=2018),
    Filters(technology="ai", stage="research"),  # two tags: live everywhere
]


def _record(rng: random.Random, i: int, owners: list[int]) -> dict[str, Any]:
    year = rng.choice([None, 2015, 2017, 2018, 2019, 2020, 2022])
    status = rng.choice(["announced", "active", "terminated"])
    record: dict[str, Any] = {
        "title": f"Deal {i}",
        "parties": rng.sample([f"Org {k}" for k in range(8)], rng.choice([2, 2, 3])),
        "type": rng.choice(TYPES),
        "status": status,
        "announced": f"{year}-0{rng.randint(1, 9)}" if year else None,
        "technologies": rng.sample(TECHS, rng.randint(0, 2)),
        "stages": rng.sample(STAGES, rng.randint(0, 2)),
    }
    if status == "terminated" and year and rng.random() < 0.5:
        record["ended"] = f"{year + rng.randint(0, 3)}-06"
    if rng.random() < 0.3:
        record["visibility"] = "private"
        record["owner_id"] = rng.choice(owners)
    return record


def _viewers(owners: list[int]) -> list[Viewer | None]:
    return [None, Viewer(), Viewer(frozenset({owners[0]})), Viewer(frozenset(owners)), Viewer(is_admin=True)]


def _assert_rollup_equals_live(db: Database, owners: list[int]) -> None:
    with db.session() as s:
        rows = s.scalars(select(Rollup).where(Rollup.measure.not_in(COUNTERS)))
        stored = Counter({(r.measure, r.year, r.type, r.status, r.key, r.stage): r.n for r in rows})
        fresh: Counter[Any] = Counter()
        for stmt in contributions(None):
            for m, y, t, st, k, sg, n in s.execute(stmt):
                fresh[(m, int(y), t, st, str(k), sg)] += int(n)
        assert stored == fresh  # kept incrementally == recounted from scratch
        for viewer in _viewers(owners):
            for f in FILTERS:
                where = f"{viewer} {f}"
                assert alliance_cells(s, f, viewer) == alliance_cells(s, f, viewer, rollup=False), where
                assert yearly_counts(s, f, viewer) == yearly_counts(s, f, viewer, rollup=False), where
                live = termination_counts(s, f, viewer, rollup=False)
                assert termination_counts(s, f, viewer) == live, where


def _write_everything(db: Database) -> list[int]:
    """Every kind of writer the product has, then edits behind them through the ORM and Core."""
    rng = random.Random(16)
    with db.session() as s:
        orgs = [add_organisation(s, f"Org {k}", kind=KINDS[k % len(KINDS)]).id for k in range(8)]
        owners = orgs[:2]
        for i in range(40):
            add_alliance(s, _record(rng, i, owners), create_missing=True)
    with db.session() as s:  # import, as `alliances import` does
        report = import_records(s, [(f"r{i}", _record(rng, 100 + i, owners)) for i in range(10)])
        assert report.added == 10
    with db.session() as s:  # savepoints rolled back after their writes were flushed: their counts go too
        report = import_records(
            s,
            [(f"b{i}", _record(rng, 200 + i, owners)) for i in range(3)]
            + [("bad", {**_record(rng, 203, owners), "announced": "not a date"})],
            skip_invalid=True,
        )
        assert report.added == 3
        nested = s.begin_nested()
        add_alliance(s, _record(rng, 300, owners), create_missing=True)
        s.flush()
        nested.rollback()
    with db.session() as s:  # a whole transaction rolled back: nothing of it is counted at the next commit
        add_alliance(s, _record(rng, 301, owners), create_missing=True)
        s.flush()
        s.rollback()
        add_alliance(s, _record(rng, 302, owners), create_missing=True)
    with db.session() as s:  # edits: year, status, type, visibility, tags, events, a party's kind
        first = s.scalars(select(Alliance).order_by(Alliance.id).limit(6)).all()
        first[0].year, first[0].status = 2021, "terminated"
        first[1].type = "open_innovation"
        first[2].visibility, first[2].owner_id = "private", owners[1]
        first[3].visibility, first[3].owner_id = "public", None
        first[4].tags.append(AllianceTag(facet="technology", value="robotics"))
        first[4].tags.append(AllianceTag(facet="stage", value="distribution"))
        first[5].status = "terminated"
        first[5].events.append(Event(kind="terminated", date="2023-02"))
        s.get_one(Organisation, orgs[3]).kind = "hospital"
    with db.session() as s:  # deletes through the ORM and through Core statements
        victims = s.scalars(select(Alliance).order_by(Alliance.id.desc()).limit(2)).all()
        for victim in victims:
            s.delete(victim)
        s.execute(delete(AllianceTag).where(AllianceTag.value == "iot"))
        s.execute(update(Alliance).where(Alliance.year == 2015).values(status="active"))
    with db.session() as s:  # merging organisations of different kinds moves parties
        merge_organisations(s, orgs[4], orgs[5])
    return owners


def test_rollup_matches_live_counts_after_every_writer(any_db: Database) -> None:
    owners = _write_everything(any_db)
    with any_db.session() as s:
        assert s.scalar(select(func.count()).select_from(Rollup)) > 0
        assert s.scalar(select(func.count()).select_from(Alliance).where(Alliance.visibility != "public")) > 3
    _assert_rollup_equals_live(any_db, owners)


def test_private_alliances_count_only_for_who_may_see_them(any_db: Database) -> None:
    owners = _write_everything(any_db)
    with any_db.session() as s:
        private = s.scalar(select(func.count()).select_from(Alliance).where(Alliance.visibility != "public"))
        everyone = s.scalar(select(func.count()).select_from(Alliance))
        anonymous = tech_stage_matrix(s, Filters()).records
        admin = tech_stage_matrix(s, Filters(), viewer=Viewer(is_admin=True)).records
        member = tech_stage_matrix(s, Filters(), viewer=Viewer(frozenset({owners[0]}))).records
        trends = alliance_trends(s, Filters(), viewer=Viewer(is_admin=True))
    assert admin == everyone and anonymous == everyone - private
    assert anonymous < member < admin
    assert sum(trends.total) == everyone - _undated(any_db)


def _undated(db: Database) -> int:
    with db.session() as s:
        return int(s.scalar(select(func.count()).select_from(Alliance).where(Alliance.year.is_(None))) or 0)


@pytest.mark.parametrize("filters", [Filters(technology="ai"), Filters(stage="research", year_to=2020)])
def test_trends_of_one_tag_are_read_from_the_rollup(any_db: Database, filters: Filters) -> None:
    """With one technology or stage filter, trends come from the tag measures: emptied, they count nothing
    (while the live count still finds alliances), so the rollup, not a live scan, answered above."""
    _write_everything(any_db)
    with any_db.session() as s:
        _, by_tech, by_kind = yearly_counts(s, filters, None)
        assert by_tech and by_kind and termination_counts(s, filters, None) != ({}, 0)
        prefix = "tech" if filters.technology else "stage"
        s.execute(delete(Rollup).where(Rollup.measure.like(f"{prefix}.%")))
        _, by_tech, by_kind = yearly_counts(s, filters, None)
        assert not by_tech and not by_kind
        assert termination_counts(s, filters, None) == ({}, 0)
        assert yearly_counts(s, filters, None, rollup=False)[1]  # the alliances are still there
        s.rollback()


def test_rebuild_after_a_bulk_load_behind_the_orm(any_db: Database) -> None:
    """Core INSERTs (bulk loads) are not tracked: the loader rebuilds, and counts agree again."""
    owners = _write_everything(any_db)
    with any_db.session() as s:
        top = s.scalar(select(func.max(Alliance.id))) or 0
        s.execute(
            Alliance.__table__.insert(),
            [
                {
                    "id": top + k,
                    "type": "acquisition",
                    "status": "active",
                    "year": 2019,
                    "title": f"bulk {k}",
                    "origin": "synthetic",
                    "visibility": "public",
                }
                for k in range(1, 4)
            ],
        )
        s.execute(
            Party.__table__.insert(),
            [{"alliance_id": top + 1, "organisation_id": owners[0], "role": "partner", "position": 0}],
        )
        rebuild(s)
    _assert_rollup_equals_live(any_db, owners)


@pytest.mark.parametrize("viewer", [None, Viewer(is_admin=True)])
def test_unmigrated_database_counts_live(tmp_path: Any, viewer: Viewer | None) -> None:
    """A database still before 0009 has no rollup: readers count live and writers do not fail."""
    db = Database.open(f"sqlite:///{tmp_path / 'old.db'}")
    db.upgrade()
    db.downgrade("0003_fts")
    with db.session() as s:
        a, b = add_organisation(s, "Alpha"), add_organisation(s, "Beta")
        add_alliance(s, {"parties": [{"id": a.id}, {"id": b.id}], "type": "acquisition", "announced": "2020"})
    with db.session() as s:
        assert tech_stage_matrix(s, Filters(), viewer=viewer).records == 1
        assert alliance_trends(s, Filters(), viewer=viewer).total == [1]
    db.dispose()


def test_synthetic_bulk_load_leaves_the_rollup_current(any_db: Database) -> None:
    """`alliances synth` loads with COPY / executemany behind the ORM, then rebuilds the rollup."""
    from alliances.synth.generator import generate
    from alliances.synth.writer import write

    with any_db.session() as s:
        write(s, generate(60, 300, seed=3))
    with any_db.session() as s:
        synthetic = s.scalar(select(func.sum(Rollup.n)).where(Rollup.measure == "alliances"))
    assert synthetic == 300
    _assert_rollup_equals_live(any_db, [1, 2])


def test_one_organisation_visibility_agrees_with_the_hidden_set(any_db: Database) -> None:
    """The profile's indexed per-organisation check says what `hidden_organisations` says for everyone."""
    from alliances.store.viewer import may_see_organisation, visible_organisations

    owners = _write_everything(any_db)
    with any_db.session() as s:
        jv = {"parties": ["Org 0", "Org 1"], "type": "joint_venture", "vehicle": "Secret JV"}
        add_alliance(s, {**jv, "visibility": "private", "owner_id": owners[0]})
        add_alliance(
            s,
            {
                "parties": ["Org 1", "Lonely Co"],
                "type": "acquisition",
                "visibility": "private",
                "owner_id": owners[1],
            },
            create_missing=True,
        )
    with any_db.session() as s:
        every = list(s.scalars(select(Organisation.id)))
        for viewer in _viewers(owners):
            known = set(s.scalars(visible_organisations(select(Organisation.id), Organisation.id, viewer)))
            assert {i for i in every if may_see_organisation(s, i, viewer)} == known
            if viewer is None:
                assert len(known) < len(every)  # the vehicle and the lonely partner are hidden


@pytest.mark.parametrize(
    "filters",
    [
        Filters(per_page=7),
        Filters(technology="ai", per_page=5, page=2),
        Filters(stage="research", year_from=2018, per_page=4),
        Filters(technology="cloud", stage="development", per_page=3),
        Filters(status="terminated", type="rd_collaboration", page=99, per_page=2),  # past the end: last page
    ],
)
def test_list_page_and_total_from_the_rollup_equal_the_full_scan(any_db: Database, filters: Filters) -> None:
    """The list's fast path (total from the rollup, LIMIT for the page) returns what the full scan does."""
    from alliances.store.queries import last_page, list_alliances, matching_ids

    owners = _write_everything(any_db)
    with any_db.session() as s:
        for viewer in _viewers(owners):
            ids = matching_ids(s, filters, viewer)
            page = list_alliances(s, filters, viewer=viewer).model_dump()
            expected = last_page(filters, len(ids))
            start = (expected.page - 1) * expected.per_page
            assert page["total"] == len(ids), viewer
            assert [a["id"] for a in page["items"]] == ids[start : start + expected.per_page], viewer
            assert page["page"] == expected.page


def test_every_tracked_write_changes_the_data_version(any_db: Database) -> None:
    """The stamp caches are keyed by reads one rollup row instead of counting millions of rows."""
    from alliances.store.version import data_version

    owners = _write_everything(any_db)
    with any_db.session() as s:
        before = data_version(s)
        first = s.scalars(select(Alliance).order_by(Alliance.id).limit(1)).one()
        first.status = "terminated" if first.status == "active" else "active"  # no row count sees it
    with any_db.session() as s:
        edited = data_version(s)
        s.execute(delete(AllianceTag).where(AllianceTag.facet == "stage"))
    with any_db.session() as s:
        assert len({before, edited, data_version(s)}) == 3
    assert owners
