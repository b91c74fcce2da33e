"""Bulk loading at scale: COPY on PostgreSQL, executemany on SQLite, sources and evidence for every
synthetic alliance, and the id sequences left usable for ordinary writes afterwards."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from alliances.store.db import Database
from alliances.store.models import Alliance, Evidence, Organisation, Party, Source
from alliances.store.writes import add_organisation
from alliances.synth import generate, write


def count(db: Database, model: object) -> int:
    with db.session() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)  # type: ignore[arg-type]


def test_bulk_synth_writes_sources_and_keeps_ids_usable(any_db: Database) -> None:
    network = generate(300, 2000, seed=3)
    with any_db.session() as s:
        written = write(s, network)
    assert (written.organisations, written.alliances, written.sources) == (300, 2000, 1000)
    assert count(any_db, Alliance) == 2000 and count(any_db, Party) == written.parties
    assert count(any_db, Source) == 1000 and count(any_db, Evidence) == 2000
    with any_db.session() as s:
        per_source = s.execute(select(Evidence.source_id, func.count()).group_by(Evidence.source_id)).all()
        assert {n for _, n in per_source} == {2}  # every source states two alliances
        dated = s.scalar(select(func.count()).select_from(Source).where(Source.date.is_not(None)))
        assert dated == 1000
        org = add_organisation(s, "A real one after the load", kind="pharma")  # the sequence moved on
        assert org.id == 301
    assert count(any_db, Organisation) == 301


def test_synth_cli_reports_sources(cli: object, tmp_path: object) -> None:
    result = cli("synth", "--organisations", "50", "--alliances", "120", "--db", f"{tmp_path}/s.db", "--json")  # type: ignore[operator]
    assert result.code == 0 and '"sources": 60' in result.out


def test_neighbourhood_matches_the_graph(any_db: Database) -> None:
    import networkx as nx

    from alliances.store.scale import neighbourhood
    from alliances.store.viewer import Viewer

    with any_db.session() as s:
        write(s, generate(200, 1500, seed=5))
        pairs = s.execute(
            select(Party.alliance_id, Party.organisation_id).order_by(Party.alliance_id, Party.position)
        ).all()
    by_alliance: dict[int, list[int]] = {}
    for aid, oid in pairs:
        by_alliance.setdefault(aid, []).append(oid)
    graph = nx.MultiGraph()
    for members in by_alliance.values():
        graph.add_edges_from((x, y) for i, x in enumerate(members) for y in members[i + 1 :])
    org = max(graph.nodes, key=lambda n: len(set(graph[n])) if len(set(graph[n])) < 15 else 0)
    near = set(graph[org])
    far = {m for n in near for m in graph[n]} - near - {org}
    with any_db.session() as s:
        result = neighbourhood(s, org, viewer=Viewer(is_admin=True), limit=10_000)
        public = neighbourhood(s, org, limit=5)
    assert {p.id for p in result.partners} == near and result.partners_total == len(near)
    assert {p.id for p in result.second} == far and result.second_total == len(far)
    strongest = max(near, key=lambda n: (graph.number_of_edges(org, n), -n))
    assert result.partners[0].id == strongest
    assert result.partners[0].alliances == graph.number_of_edges(org, strongest)
    assert public.second_total == len(far) and len(public.second) == min(5, len(far))  # all public


def _graph(db: Database) -> tuple[dict[int, list[int]], dict[int, int]]:
    """Parties of each alliance, and each organisation's number of party rows (its alliances)."""
    with db.session() as s:
        pairs = s.execute(
            select(Party.alliance_id, Party.organisation_id).order_by(Party.alliance_id, Party.position)
        ).all()
    by_alliance: dict[int, list[int]] = {}
    rows: dict[int, int] = {}
    for aid, oid in pairs:
        by_alliance.setdefault(aid, []).append(oid)
        rows[oid] = rows.get(oid, 0) + 1
    return by_alliance, rows


def test_neighbourhood_of_a_hub_goes_through_its_strongest_partners(
    any_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    import alliances.store.scale as scale
    from alliances.store.viewer import Viewer

    with any_db.session() as s:
        write(s, generate(200, 1500, seed=5))
    by_alliance, rows = _graph(any_db)
    ties: dict[tuple[int, int], int] = {}  # (x, y): alliances of both
    for members in by_alliance.values():
        for x in members:
            for y in members:
                if x != y:
                    ties[(x, y)] = ties.get((x, y), 0) + 1
    hub = max(rows, key=lambda o: (rows[o], -o))
    ranked = sorted(((y, n) for (x, y), n in ties.items() if x == hub), key=lambda r: (-r[1], r[0]))
    budget = sum(rows[y] for y, _ in ranked[:5])  # exactly the five strongest partners fit
    monkeypatch.setattr(scale, "HOP2_BUDGET", budget)
    with any_db.session() as s:
        result = scale.neighbourhood(s, hub, viewer=Viewer(is_admin=True), limit=10_000)
    near = {y for y, _ in ranked}
    chosen = [y for y, _ in ranked[:5]]
    paths: dict[int, int] = {}
    for (x, y), n in ties.items():
        if x in chosen and y not in near and y != hub:
            paths[y] = paths.get(y, 0) + n
    assert result.second_truncated and result.second_through == 5 < result.partners_total == len(near)
    assert result.second_total == len(paths)
    assert [(p.id, p.paths) for p in result.second] == sorted(paths.items(), key=lambda kv: (-kv[1], kv[0]))
    monkeypatch.setattr(scale, "HOP2_BUDGET", 10**9)  # nothing truncated: every partner is followed
    with any_db.session() as s:
        whole = scale.neighbourhood(s, hub, limit=3)
    assert not whole.second_truncated and whole.second_through == whole.partners_total == len(near)
    assert len(whole.second) == 3 and whole.second_total > result.second_total


def test_neighbourhood_leaves_out_what_the_viewer_may_not_read(any_db: Database) -> None:
    from alliances.store.models import Alliance
    from alliances.store.scale import neighbourhood
    from alliances.store.viewer import Viewer

    with any_db.session() as s:
        write(s, generate(200, 1500, seed=5))
    by_alliance, rows = _graph(any_db)
    org = max(rows, key=lambda o: (rows[o], -o))
    mine = [aid for aid, members in by_alliance.items() if org in members]
    with any_db.session() as s:
        for alliance in s.scalars(select(Alliance).where(Alliance.id.in_(mine))):
            alliance.visibility, alliance.owner_id = "private", org
        s.commit()
    with any_db.session() as s:
        public = neighbourhood(s, org)
        owner = neighbourhood(s, org, viewer=Viewer(organisation_ids=frozenset({org})))
        admin = neighbourhood(s, org, viewer=Viewer(is_admin=True))
    assert public.partners_total == public.second_total == 0 and public.partners == public.second == []
    assert owner == admin and admin.partners_total > 0 and admin.second_total > 0


@pytest.mark.parametrize(
    ("query", "index"),
    [
        ("SELECT 1 FROM alliance WHERE vehicle_id = 7 AND visibility = 'public'", "ix_alliance_vehicle"),
        ("SELECT id FROM organisation WHERE parent_id = 7 ORDER BY name", "ix_organisation_parent"),
    ],
)
def test_lookups_of_rare_columns_use_their_index(empty_db: Database, query: str, index: str) -> None:
    """ANALYZE over a column that is NULL nearly everywhere made SQLite scan the table (0011_scale2)."""
    with empty_db.session() as s:
        write(s, generate(200, 1500, seed=5))
    with empty_db.engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
        plan = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {query}").all()
    assert any(index in str(row[-1]) for row in plan), plan


def test_profile_callers_get_their_own_lists(any_db: Database) -> None:
    from alliances.store.organisations import get_organisation

    with any_db.session() as s:
        write(s, generate(200, 1500, seed=5))
    with any_db.session() as s:
        first = get_organisation(s, 1)
        partners, alliances = list(first.partners), list(first.alliances)
        assert partners and alliances
        first.partners.clear()
        first.alliances.pop()
        first.technologies.clear()
        again = get_organisation(s, 1)
    assert again.partners == partners and again.alliances == alliances and again.technologies


def test_neighbourhood_leaves_the_planner_as_it_found_it(any_db: Database) -> None:
    """The index walk forced for the second hop on PostgreSQL is undone in the caller's transaction."""
    from sqlalchemy import text

    from alliances.store.scale import neighbourhood

    with any_db.session() as s:
        write(s, generate(200, 1500, seed=5))
    names = ("enable_hashjoin", "enable_mergejoin", "max_parallel_workers_per_gather", "jit")
    postgres = any_db.engine.dialect.name == "postgresql"
    with any_db.session() as s:
        before = [s.execute(text(f"SHOW {name}")).scalar() for name in names] if postgres else []
        assert neighbourhood(s, 1).second_through > 0
        after = [s.execute(text(f"SHOW {name}")).scalar() for name in names] if postgres else []
    assert after == before
