"""Bulk loading at scale: COPY on PostgreSQL, executemany on SQLite, sources and evidence for every
synthetic alliance, and the id sequences left usable for ordinary writes afterwards."""

from __future__ import annotations

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
