"""The response cache (issue 13, load): served again only while nothing changed, and never around the
rules: a writer reads its write at once, private reads are audited every time, a revoked token fails."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from alliances.auth import accounts
from alliances.store import audit
from alliances.store.accounts import ApiToken
from alliances.store.db import Database
from alliances.store.models import Alliance, Organisation
from alliances.store.writes import add_alliance

PASSWORD = "a long enough password"


def token(db: Database, email: str, org: str, role: str) -> dict[str, str]:
    with db.session() as s:
        user = accounts.add_user(s, email, PASSWORD, organisation=org, role=role)
        return {"Authorization": f"Bearer {accounts.issue(s, user).secret}"}


def test_a_repeated_read_is_served_from_the_cache_until_a_write(web_db: Database, client_for: Any) -> None:
    client = client_for(web_db)
    store = client.app.state.response_cache
    first = client.get("/api/v1/alliances?per_page=100")
    hits = store.hits
    again = client.get("/api/v1/alliances?per_page=100")
    assert again.status_code == 200 and again.content == first.content and store.hits == hits + 1
    assert again.headers["x-frame-options"] == "DENY"  # security headers on cached answers too
    with web_db.session() as s:
        add_alliance(s, {"parties": [{"name": "Servier"}, {"name": "Owkin"}], "type": "rd_collaboration"})
    after = client.get("/api/v1/alliances?per_page=100")
    assert after.json()["total"] == first.json()["total"] + 1


def test_a_writer_reads_its_accept_at_once(web_db: Database, client_for: Any) -> None:
    from alliances.store.candidates import store_extraction

    record = {"parties": [{"name": "Servier"}, {"name": "Owkin"}], "type": "joint_venture", "confidence": 0.9}
    with web_db.session() as s:
        store_extraction(s, content_hash="cache-1", records=[record], title="Press release")
        sanofi = s.scalar(select(Organisation.id).where(Organisation.name == "Sanofi"))
    headers = token(web_db, "ana@example.org", str(sanofi), "analyst")
    client = client_for(web_db)
    pending = client.get("/api/v1/candidates?status=pending", headers=headers).json()
    cid = pending["items"][0]["id"]
    before = client.get("/api/v1/alliances?type=joint_venture", headers=headers).json()["total"]
    client.get("/api/v1/alliances?type=joint_venture", headers=headers)  # now cached
    done = client.post(f"/api/v1/candidates/{cid}/accept", json={}, headers=headers)
    assert done.status_code == 200, done.text
    after = client.get("/api/v1/alliances?type=joint_venture", headers=headers).json()["total"]
    assert after == before + 1


def test_private_reads_are_audited_each_time_and_kept_from_others(web_db: Database, client_for: Any) -> None:
    with web_db.session() as s:
        sanofi = s.scalar(select(Organisation.id).where(Organisation.name == "Sanofi"))
        servier = s.scalar(select(Organisation.id).where(Organisation.name == "Servier"))
        secret = add_alliance(
            s,
            {
                "parties": [{"name": "Sanofi"}, {"name": "Owkin"}],
                "type": "joint_venture",
                "title": "Cache-private plan",
                "visibility": "private",
                "owner_id": sanofi,
            },
        ).id
    member = token(web_db, "member@example.org", str(sanofi), "viewer")
    outsider = token(web_db, "outsider@example.org", str(servier), "viewer")
    client = client_for(web_db)
    for _ in range(2):
        with web_db.session() as s:
            logged = audit.count(s)
        assert client.get(f"/api/v1/alliances/{secret}", headers=member).status_code == 200
        with web_db.session() as s:
            assert audit.count(s) == logged + 1  # every read of private data, cache or not
    for headers in (outsider, {}):
        assert client.get(f"/api/v1/alliances/{secret}", headers=headers).status_code == 404
        assert "Cache-private plan" not in client.get("/api/v1/alliances?q=cache", headers=headers).text


def test_a_revoked_token_fails_at_once_even_on_a_cached_page(web_db: Database, client_for: Any) -> None:
    headers = token(web_db, "rev@example.org", "Sanofi", "viewer")
    client = client_for(web_db)
    for _ in range(2):
        assert client.get("/api/v1/overview", headers=headers).status_code == 200
    with web_db.session() as s:
        row = s.scalars(select(ApiToken).where(ApiToken.label.is_(None))).all()[-1]
        accounts.revoke(s, row.id)
    assert client.get("/api/v1/overview", headers=headers).status_code == 401


def test_a_role_change_counts_from_the_next_request(web_db: Database, client_for: Any) -> None:
    """A viewer promoted to the owner's organisation sees its private alliance on the next list."""
    with web_db.session() as s:
        servier = s.scalar(select(Organisation.id).where(Organisation.name == "Servier"))
        add_alliance(
            s,
            {
                "parties": [{"name": "Servier"}, {"name": "Owkin"}],
                "type": "joint_venture",
                "title": "Servier-only plan",
                "visibility": "private",
                "owner_id": servier,
            },
        )
    headers = token(web_db, "move@example.org", "Sanofi", "viewer")
    client = client_for(web_db)
    assert "Servier-only plan" not in client.get("/api/v1/alliances?per_page=100", headers=headers).text
    with web_db.session() as s:
        from alliances.store.accounts import Membership, User

        user = s.scalar(select(User).where(User.email == "move@example.org"))
        assert user is not None
        s.add(Membership(user_id=user.id, organisation_id=servier, role="viewer"))
    listed = client.get("/api/v1/alliances?per_page=100", headers=headers)
    assert "Servier-only plan" in listed.text
    with web_db.session() as s:
        assert s.scalar(select(Alliance.id).where(Alliance.title == "Servier-only plan")) is not None


def test_a_candidate_correction_keeps_cached_pages_and_a_reject_refreshes_them(
    web_db: Database, client_for: Any
) -> None:
    """Correcting a candidate in review changes no page but the review page: the others stay cached
    (and the audit log names it `candidate.edit`); rejecting one changes the pending count at once."""
    from alliances.store.candidates import store_extraction

    record = {"parties": [{"name": "Servier"}, {"name": "Owkin"}], "type": "joint_venture", "confidence": 0.9}
    with web_db.session() as s:
        store_extraction(
            s, content_hash="cache-2", records=[record, {**record, "type": "licensing_commercialisation"}]
        )
        sanofi = s.scalar(select(Organisation.id).where(Organisation.name == "Sanofi"))
    headers = token(web_db, "edit@example.org", str(sanofi), "analyst")
    client = client_for(web_db)
    store = client.app.state.response_cache
    first, second = (
        c["id"] for c in client.get("/api/v1/candidates?status=pending", headers=headers).json()["items"][:2]
    )
    overview = client.get("/api/v1/overview", headers=headers).json()
    edited = client.patch(f"/api/v1/candidates/{first}", json={"type": "equity_investment"}, headers=headers)
    assert edited.status_code == 200, edited.text
    hits = store.hits
    again = client.get("/api/v1/overview", headers=headers)
    assert store.hits == hits + 1 and again.json() == overview
    with web_db.session() as s:
        assert [e.action for e in audit.entries(s, limit=1)] == [audit.EDIT]
    rejected = client.post(f"/api/v1/candidates/{second}/reject", json={}, headers=headers)
    assert rejected.status_code == 200, rejected.text
    after = client.get("/api/v1/overview", headers=headers).json()
    assert after["stats"]["candidates_pending"] == overview["stats"]["candidates_pending"] - 1


def test_the_response_version_read_in_one_statement_is_the_stamp(web_db: Database) -> None:
    """The one-statement read before each cached answer gives what the separate queries give."""
    from alliances.store import rollup
    from alliances.store.models import Alliance, Organisation, Party
    from alliances.store.version import full_version, lean_version, memo_of, response_version

    with web_db.session() as s:
        add_alliance(s, {"parties": [{"name": "Servier"}, {"name": "Owkin"}], "type": "rd_collaboration"})
    with web_db.session() as s:
        combined = response_version(s)
        last = max(e.seq for e in audit.entries(s, limit=1000) if e.action != audit.EDIT)
        text, other = rollup.counter(s, rollup.TEXT), rollup.counter(s, rollup.OTHER)
        ids = [s.scalar(select(func.max(c))) for c in (Alliance.id, Party.id, Organisation.id)]
        stamp = (rollup.counter(s, rollup.WRITES), *ids)  # read apart, one statement each
        assert combined == ((*stamp, text, last), (*stamp, other), memo_of(s).commits)
        assert stamp[0] > 0 and stamp[1] > 0 and other  # writes counted, alliances there
    with web_db.session() as s:  # read apart, the memo versions agree with it
        assert full_version(s) == (*stamp, text, other) and lean_version(s) == (*stamp, other)


def test_workers_of_one_server_share_the_answers_they_built(web_db: Database, client_for: Any) -> None:
    """Two apps on one database (two uvicorn workers): a page one built is served by the other from
    the shared folder; after a write neither serves the old page; stopping sweeps the folder."""
    first, second = client_for(web_db), client_for(web_db)
    shared = first.app.state.response_cache.shared
    assert shared is not None and shared.folder == second.app.state.response_cache.shared.folder
    built = first.get("/api/v1/matrix")
    assert built.status_code == 200 and "x-cache" not in built.headers
    served = second.get("/api/v1/matrix")
    assert served.headers.get("x-cache") == "hit" and served.content == built.content
    assert second.app.state.response_cache.hits == 1
    with web_db.session() as s:
        add_alliance(
            s,
            {
                "parties": [{"name": "Servier"}, {"name": "Owkin"}],
                "type": "rd_collaboration",
                "technologies": ["ai"],
                "stages": ["research"],
            },
        )
    fresh = second.get("/api/v1/matrix")
    assert "x-cache" not in fresh.headers and fresh.content != built.content
    assert any(shared.folder.iterdir())
    shared.sweep(0)
    assert not shared.folder.exists()


def test_restating_a_known_alliance_keeps_lean_pages_and_shows_on_the_others(
    web_db: Database, client_for: Any
) -> None:
    """A second source of a known alliance changes its own page, searches and the headline counts, not
    the lists, profiles or matrix: those stay cached (issue 13, load), the others show it at once."""
    from alliances.store.candidates import store_extraction

    quote = "Servier and Owkin extend their research agreement on zorblaxine."
    record = {
        "parties": [{"name": "Servier"}, {"name": "Owkin"}],
        "type": "rd_collaboration",
        "confidence": 0.9,
        "evidence": quote,
    }
    first = {**record, "evidence": "Servier and Owkin sign a research agreement."}
    with web_db.session() as s:
        made = [
            store_extraction(s, content_hash=f"restate-{n}", records=[r], title=f"Note {n}")
            for n, r in enumerate((first, record))
        ]
        first_id, cid = (m[1][0].id for m in made if m is not None)
        sanofi = s.scalar(select(Organisation.id).where(Organisation.name == "Sanofi"))
        servier = s.scalar(select(Organisation.id).where(Organisation.name == "Servier"))
    headers = token(web_db, "restate@example.org", str(sanofi), "analyst")
    client = client_for(web_db)
    store = client.app.state.response_cache
    created = client.post(f"/api/v1/candidates/{first_id}/accept", json={}, headers=headers)
    assert created.status_code == 200 and not created.json()["restated"], created.text
    with web_db.session() as s:
        public = select(Alliance.id).where(
            Alliance.visibility == "public", Alliance.id != created.json()["alliance_id"]
        )
        other = f"/api/v1/alliances/{s.scalar(public.limit(1))}"  # another's page: kept by its own quotes
    lean = [
        "/api/v1/alliances?per_page=100",
        f"/api/v1/organisations/{servier}",
        "/api/v1/matrix",
        "/api/v1/projects",
        "/healthz",
        other,
    ]
    before = {path: client.get(path, headers=headers).content for path in lean}
    assert client.get("/api/v1/alliances?q=zorblaxine", headers=headers).json()["total"] == 0
    evidence = client.get("/api/v1/overview", headers=headers).json()["stats"]["evidence"]
    done = client.post(f"/api/v1/candidates/{cid}/accept", json={}, headers=headers)
    assert done.status_code == 200 and done.json()["restated"], done.text
    alliance = done.json()["alliance_id"]
    assert alliance == created.json()["alliance_id"]
    hits = store.hits
    assert {path: client.get(path, headers=headers).content for path in lean} == before
    assert store.hits == hits + len(lean)  # served from memory across the accept
    assert quote in client.get(f"/api/v1/alliances/{alliance}", headers=headers).text
    found = client.get("/api/v1/alliances?q=zorblaxine", headers=headers).json()
    assert [a["id"] for a in found["items"]] == [alliance]
    assert client.get("/api/v1/overview", headers=headers).json()["stats"]["evidence"] == evidence + 1


def test_only_a_first_quote_of_an_alliance_moves_the_data_version(web_db: Database) -> None:
    """Lists show an alliance's first source: its first quote changes them, a later one does not."""
    from alliances.store.models import Evidence, Source
    from alliances.store.version import data_version, full_version

    with web_db.session() as s:
        bare = add_alliance(s, {"parties": [{"name": "Servier"}, {"name": "Owkin"}], "type": "joint_venture"})
        source = Source(title="First note", content_hash="first-quote")
        s.add(source)
    versions = []
    for n in range(3):
        with web_db.session() as s:
            versions.append((data_version(s), full_version(s)))
            if n < 2:
                found = s.get(Alliance, bare.id)
                assert found is not None
                found.evidence.append(Evidence(source_id=source.id, quote=f"quote {n}"))
    (d0, f0), (d1, f1), (d2, f2) = versions
    assert d1 != d0 and f1 != f0  # the first quote: a list changes
    assert d2 == d1 and f2 != f1  # the second: only what reads quotes


def test_which_pages_are_kept_across_a_restatement() -> None:
    """Lists, profiles and analytics without a text search are lean; alliance pages and searches not."""
    from alliances.web.cache import lean

    def page(path: str, query: bytes = b"") -> bool:
        return lean({"type": "http", "path": path, "query_string": query})

    assert page("/alliances", b"technology=ai&page=2") and page("/api/v1/organisations/12")
    assert page("/organisations/Sanofi") and page("/api/v1/matrix", b"seq=1")
    assert not page("/alliances", b"q=owkin") and not page("/api/v1/alliances", b"page=1&q=")
    assert page("/projects") and page("/api/v1/projects", b"page=2") and page("/healthz")
    assert not page("/api/v1/alliances/7") and not page("/api/v1/overview") and not page("/projects/3")
    assert not page("/api/v1/organisations/12/recommend")


def test_an_alliance_page_is_keyed_by_its_own_quotes() -> None:
    """One alliance's page (API or HTML, by number) is kept by its own evidence, other pages are not."""
    from alliances.web.cache import alliance_of

    def of(path: str) -> int | None:
        return alliance_of({"type": "http", "path": path})

    assert of("/api/v1/alliances/7") == 7 and of("/alliances/12") == 12
    assert of("/alliances/7/edit") is None and of("/alliances/servier-owkin") is None
    assert of("/api/v1/alliances/٣") is None and of("/alliances/" + "9" * 19) is None
    assert of("/api/v1/alliances") is None and of("/api/v1/alliances/7.csv") is None
