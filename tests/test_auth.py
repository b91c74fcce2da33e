"""Accounts, roles, sessions, CSRF and bearer tokens: every write route refuses whoever may not write."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from alliances.auth import accounts
from alliances.auth.passwords import hash_password, verify_password
from alliances.auth.roles import at_least
from alliances.errors import Conflict, InvalidInput
from alliances.store.accounts import ApiToken
from alliances.store.candidates import store_extraction
from alliances.store.db import Database
from alliances.store.models import Alliance, Candidate

PASSWORD = "a long enough password"
CANDIDATE = {
    "parties": [{"name": "Servier"}, {"name": "Owkin"}],
    "type": "rd_collaboration",
    "technologies": ["ai"],
    "stages": ["research"],
    "date": "2024-03-01",
    "confidence": 0.9,
    "evidence": "Servier et Owkin signent un accord de recherche.",
}


def add(db: Database, email: str, role: str, org: str = "Sanofi") -> str:
    """An account and a bearer token for it."""
    with db.session() as s:
        user = accounts.add_user(s, email, PASSWORD, organisation=org, role=role)
        return accounts.issue(s, user).secret


@pytest.fixture
def site(web_db: Database, client_for: Any) -> dict[str, Any]:
    with web_db.session() as s:
        stored = store_extraction(s, content_hash="auth-1", records=[CANDIDATE], title="Communiqué")
        assert stored is not None
        candidate = stored[1][0].id
    tokens = {role: add(web_db, f"{role}@example.org", role) for role in ("viewer", "analyst")}
    private = plant_plan_and_assessment(web_db)
    return {"db": web_db, "client": client_for(web_db), "candidate": candidate, "tokens": tokens, **private}


def plant_plan_and_assessment(db: Database) -> dict[str, int]:
    """A private health plan (Sanofi – Google) and a draft maturity assessment of Sanofi."""
    from datetime import date

    from alliances.health.model import Plan
    from alliances.store import maturity
    from alliances.store.health import save_entries
    from alliances.store.organisations import find_organisation
    from alliances.store.viewer import Viewer

    admin = Viewer(is_admin=True)
    with db.session() as s:
        sanofi = find_organisation(s, "Sanofi").id
        plan_of = s.scalar(select(Alliance.id).where(Alliance.title == "Sanofi – Google"))
        assert plan_of is not None
        plan = Plan(name="Secret plan", start=date(2024, 1, 15), end=date(2026, 12, 31))
        save_entries(s, plan_of, "plan", [plan], viewer=admin, owner_id=sanofi, where="plan.csv")
        assessment = maturity.create_assessment(
            s, organisation_id=sanofi, sector="pharma", size_band="large", country="FR", viewer=admin
        )
    return {"plan_of": plan_of, "assessment": assessment, "sanofi": sanofi}


PRIVATE_TABLES = (
    "health_plan",
    "health_entry",
    "maturity_assessment",
    "maturity_answer",
    "maturity_sitting",
)


def state_of(db: Database, candidate_id: int) -> tuple[str, int, dict[str, Any], list[Any]]:
    """The candidate, the alliance count and every row of the private tables: what a write would change."""
    from sqlalchemy import text

    with db.session() as s:
        c = s.get(Candidate, candidate_id)
        assert c is not None
        rows = [sorted(map(tuple, s.execute(text(f"SELECT * FROM {t}"))), key=repr) for t in PRIVATE_TABLES]
        return c.state, s.scalar(select(func.count()).select_from(Alliance)) or 0, dict(c.record), rows


def sign_in(client: Any, email: str, password: str = PASSWORD) -> Any:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token.group(1)},
        follow_redirects=False,
    )


def csrf_of(client: Any) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/review").text)
    assert found is not None and found.group(1)
    return found.group(1)


# --- domain ------------------------------------------------------------------------------------------


def test_passwords_are_argon2_hashes_that_verify_only_the_right_password() -> None:
    stored = hash_password(PASSWORD)
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert verify_password(stored, PASSWORD) and not verify_password(stored, PASSWORD + "x")
    assert not verify_password(None, PASSWORD)
    with pytest.raises(InvalidInput, match="too short"):
        hash_password("short")


def test_roles_are_ordered() -> None:
    assert at_least("admin", "analyst") and at_least("analyst", "analyst")
    assert (
        not at_least("viewer", "analyst") and not at_least(None, "viewer") and not at_least("root", "viewer")
    )


def test_tokens_are_stored_hashed_and_refused_once_revoked_or_expired(web_db: Database) -> None:
    secret = add(web_db, "ana@example.org", "analyst")
    with web_db.session() as s:
        row = s.scalars(select(ApiToken)).one()
        assert secret not in (row.digest, row.label) and len(row.digest) == 64
        found = accounts.resolve(s, secret, "api")
        assert found is not None and found[1].role == "analyst" and found[1].email == "ana@example.org"
        assert accounts.resolve(s, secret, "session") is None  # a token is not a session
        row.expires = row.expires - timedelta(days=365)
    with web_db.session() as s:
        assert accounts.resolve(s, secret, "api") is None
        s.scalars(select(ApiToken)).one().expires += timedelta(days=730)
    with web_db.session() as s:
        assert accounts.resolve(s, secret, "api") is not None
        accounts.revoke(s, s.scalars(select(ApiToken)).one().id)
    with web_db.session() as s:
        assert accounts.resolve(s, secret, "api") is None


def test_add_user_refuses_duplicates_unknown_roles_and_organisations(web_db: Database) -> None:
    add(web_db, "ana@example.org", "analyst")
    with web_db.session() as s, pytest.raises(Conflict):
        accounts.add_user(s, "ANA@example.org", PASSWORD, organisation="Sanofi", role="viewer")
    with web_db.session() as s, pytest.raises(InvalidInput, match="unknown role"):
        accounts.add_user(s, "bob@example.org", PASSWORD, organisation="Sanofi", role="root")
    with web_db.session() as s, pytest.raises(InvalidInput, match="no organisation"):
        accounts.add_user(s, "bob@example.org", PASSWORD, organisation="Nowhere Inc", role="viewer")


# --- CLI -----------------------------------------------------------------------------------------------


def test_cli_users_and_tokens(web_db: Database, cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    done = cli(
        "users",
        "add",
        "Eve@Example.org",
        "--org",
        "Sanofi",
        "--role",
        "analyst",
        "--password-stdin",
        "--db",
        web_db.url,
    )
    assert done.code == 0, done.err
    listed = cli("users", "list", "--json", "--db", web_db.url)
    assert '"eve@example.org"' in listed.out and "Sanofi:analyst" in listed.out
    no_password = cli(
        "users", "add", "x@example.org", "--org", "Sanofi", "--role", "viewer", "--db", web_db.url
    )
    assert no_password.code == 2 and "--password-stdin" in no_password.err
    bad_role = cli(
        "users", "add", "x@example.org", "--org", "1", "--role", "god", "--password-stdin", "--db", web_db.url
    )
    assert bad_role.code == 2
    created = cli("tokens", "create", "eve@example.org", "--db", web_db.url)
    assert created.code == 0
    secret = created.out.split()[0]
    assert secret.startswith("ao_")
    with web_db.session() as s:
        found = accounts.resolve(s, secret, "api")
        assert found is not None
        token_id = found[0].id
    assert secret not in cli("tokens", "list", "eve@example.org", "--db", web_db.url).out
    assert cli("tokens", "revoke", str(token_id), "--db", web_db.url).code == 0
    with web_db.session() as s:
        assert accounts.resolve(s, secret, "api") is None
    assert cli("tokens", "create", "nobody@example.org", "--db", web_db.url).code == 3


# --- web: sessions, CSRF, bearer tokens ------------------------------------------------------------------


def test_login_sets_a_hardened_session_cookie_and_logout_revokes_it(site: dict[str, Any]) -> None:
    client = site["client"]
    response = sign_in(client, "analyst@example.org")
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert "alliances_session=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert client.get("/api/v1/me").json()["role"] == "analyst"
    assert "analyst@example.org" in client.get("/").text
    secret = client.cookies.get("alliances_session")
    client.post("/logout", data={"csrf_token": csrf_of(client)})
    assert client.get("/api/v1/me").json()["email"] is None
    client.cookies.set("alliances_session", secret)  # a stolen cookie replayed after logout
    assert client.get("/api/v1/me").json()["email"] is None


def test_wrong_password_and_rate_limit(site: dict[str, Any]) -> None:
    client = site["client"]
    for _ in range(5):
        assert sign_in(client, "analyst@example.org", "wrong password!").status_code == 401
    blocked = sign_in(client, "analyst@example.org")  # right password, but too many failures
    assert blocked.status_code == 429
    with site["db"].session() as s:
        from alliances.store.audit import entries

        assert sum(1 for e in entries(s, action="login.failed")) == 5


def test_login_form_needs_its_csrf_token(site: dict[str, Any]) -> None:
    client = site["client"]
    client.get("/login")
    response = client.post("/login", data={"email": "analyst@example.org", "password": PASSWORD})
    assert response.status_code == 403 and client.get("/api/v1/me").json()["email"] is None


def test_next_after_login_never_leaves_the_site(site: dict[str, Any]) -> None:
    client = site["client"]
    page = client.get("/login?next=//evil.example/x")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    response = client.post(
        "/login",
        data={
            "email": "analyst@example.org",
            "password": PASSWORD,
            "csrf_token": token.group(1),
            "next": "//evil.example",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


def test_signed_in_analyst_accepts_through_the_form_with_its_csrf_token(site: dict[str, Any]) -> None:
    client, db, cid = site["client"], site["db"], site["candidate"]
    sign_in(client, "analyst@example.org")
    without = client.post(f"/review/{cid}/accept", data={}, follow_redirects=False)
    assert without.status_code == 403 and state_of(db, cid)[0] == "pending"
    forged = client.post(f"/review/{cid}/accept", data={"csrf_token": "0" * 64}, follow_redirects=False)
    assert forged.status_code == 403 and state_of(db, cid)[0] == "pending"
    done = client.post(f"/review/{cid}/accept", data={"csrf_token": csrf_of(client)}, follow_redirects=False)
    assert done.status_code == 303 and state_of(db, cid)[0] == "accepted"


def flat_routes(routes: list[Any]) -> list[Any]:
    """Every route, looking inside included routers (FastAPI wraps them)."""
    found: list[Any] = []
    for route in routes:
        if hasattr(route, "original_router"):
            found += flat_routes(route.original_router.routes)
        else:
            found.append(route)
    return found


def write_routes(app: Any) -> list[tuple[str, str]]:
    """Every write route of the app except signing in and out, with a candidate id filled in."""
    found = []
    for route in flat_routes(app.routes):
        for method in sorted(getattr(route, "methods", None) or ()):
            if method in {"POST", "PUT", "PATCH", "DELETE"} and route.path not in ("/login", "/logout"):
                found.append((method, route.path))
    return found


def fill(path: str, candidate: int, site: dict[str, Any] | None = None) -> list[str]:
    path = path.replace("{candidate_id}", str(candidate))
    if site is not None:  # the planted private plan and assessment
        path = path.replace("{ref}", str(site["plan_of"])).replace("{kind}", "spend")
        path = path.replace("{assessment_id}", str(site["assessment"]))
    if "{action}" in path:
        return [path.replace("{action}", a) for a in ("accept", "reject", "edit")]
    return [path]


@pytest.mark.parametrize(
    "who", ["anonymous", "bad token", "viewer", "cross-origin analyst", "session without csrf"]
)
def test_every_write_route_refuses_and_writes_nothing(site: dict[str, Any], who: str) -> None:
    client, db, cid = site["client"], site["db"], site["candidate"]
    routes = write_routes(client.app)
    assert len(routes) >= 4  # the review form and the three API writes, at least
    headers: dict[str, str] = {}
    expected = {401}
    if who == "bad token":
        headers = {"Authorization": "Bearer ao_not-a-token"}
    elif who == "viewer":
        headers, expected = {"Authorization": f"Bearer {site['tokens']['viewer']}"}, {403}
    elif who == "cross-origin analyst":
        headers = {"Authorization": f"Bearer {site['tokens']['analyst']}", "Origin": "https://evil.example"}
        expected = {403}
    elif who == "session without csrf":
        sign_in(client, "analyst@example.org")
        expected = {403}
    before = state_of(db, cid)
    for method, template in routes:
        for path in fill(template, cid, site):
            body = valid_body(method, path, site)
            sent = {**headers, **body.pop("headers", {})}
            response = client.request(method, path, headers=sent, follow_redirects=False, **body)
            assert response.status_code in expected, (who, method, path, response.status_code)
    assert state_of(db, cid) == before


def valid_body(method: str, path: str, site: dict[str, Any]) -> dict[str, Any]:
    """A body the route would accept from whoever may write: the refusal is about who asks, not what."""
    if path.startswith("/api/v1/maturity/assessments") and method == "POST" and path.endswith("assessments"):
        return {
            "json": {"organisation_id": site["sanofi"], "sector": "pharma", "size": "large", "country": "FR"}
        }
    if path.endswith("/answers"):
        return {"json": {"answers": {"cell.ai.research": "3"}}}
    if path.startswith("/maturity/assessments"):
        fields = {
            "organisation_id": str(site["sanofi"]),
            "sector": "pharma",
            "size": "large",
            "country": "FR",
        }
        return {
            "data": fields
            if path.endswith("assessments")
            else {"cell.ai.research": "3", "action": "complete"}
        }
    if path.endswith("/health/import"):
        return {"data": {"kind": "spend"}, "files": {"file": ("spend.csv", SPEND)}}
    if "/health/import/" in path:
        return {"content": SPEND, "headers": {"Content-Type": "text/csv"}}
    if path.endswith("/health/checklist"):
        return {"data": {"answer.exit_readiness": "partial", "evidence.exit_readiness": "Draft terms"}}
    return {"json": {"type": "merger"}} if method == "PATCH" else {"data": {"type": "merger"}}


SPEND = "date,party,amount,note\n2024-02-20,Sanofi,2000000,Q1\n"


def test_analyst_token_writes_through_the_api(site: dict[str, Any]) -> None:
    client, db, cid = site["client"], site["db"], site["candidate"]
    headers = {"Authorization": f"Bearer {site['tokens']['analyst']}"}
    assert (
        client.patch(f"/api/v1/candidates/{cid}", json={"type": "joint_venture"}, headers=headers).status_code
        == 200
    )
    assert client.post(f"/api/v1/candidates/{cid}/accept", json={}, headers=headers).status_code == 200
    assert state_of(db, cid)[0] == "accepted"
    with db.session() as s:
        from alliances.store.audit import entries

        mine = list(entries(s, who="analyst@example.org"))
    assert {"candidate.update", "alliance.create"} <= {e.action for e in mine}


def test_anonymous_access_none_requires_sign_in(web_db: Database) -> None:
    from fastapi.testclient import TestClient

    from alliances.settings import Settings
    from alliances.web import create_app

    token = add(web_db, "ana@example.org", "viewer")
    client = TestClient(create_app(Settings(db=web_db.url, anonymous="none"), database=web_db))
    assert client.get("/api/v1/alliances").status_code == 401
    assert client.get("/alliances").status_code == 401
    assert client.get("/login").status_code == 200
    assert client.get("/api/v1/alliances", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_an_alliance_manager_acts_only_for_its_own_organisation(web_db: Database) -> None:
    from alliances.auth.roles import may_act_for
    from alliances.store.organisations import find_organisation

    with web_db.session() as s:
        sanofi, servier = find_organisation(s, "Sanofi").id, find_organisation(s, "Servier").id
        user = accounts.add_user(
            s, "am@example.org", PASSWORD, organisation="Sanofi", role="alliance_manager"
        )
        s.add(accounts.Membership(user_id=user.id, organisation_id=servier, role="viewer"))
        s.flush()
        viewer = accounts.viewer_of(s, user)
    assert viewer.role == "alliance_manager" and viewer.organisation_ids == {sanofi, servier}
    assert may_act_for(viewer, sanofi, "alliance_manager")
    assert not may_act_for(viewer, servier, "alliance_manager") and may_act_for(viewer, servier, "viewer")
    assert not may_act_for(viewer, None, "viewer")


def test_session_cookie_is_secure_over_https(site: dict[str, Any]) -> None:
    from fastapi.testclient import TestClient

    client = TestClient(site["client"].app, base_url="https://testserver")
    response = sign_in(client, "analyst@example.org")
    assert response.status_code == 303 and "Secure" in response.headers["set-cookie"]


def test_anonymous_setting_is_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    from alliances.settings import load_settings

    monkeypatch.setenv("ALLIANCES_ANONYMOUS", "none")
    assert load_settings().anonymous == "none"
    monkeypatch.setenv("ALLIANCES_ANONYMOUS", "everyone")
    with pytest.raises(InvalidInput, match="anonymous"):
        load_settings()
