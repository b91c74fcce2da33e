"""Health pages and API through the real app: private to the parties, explained, in English and French.

Readers are real accounts made through the store: API calls send their bearer tokens, forms are posted
by a session opened at `/login`, with the CSRF token the page carries.
"""

from __future__ import annotations

import html
import re
import shutil
import socket
import threading
import time
import warnings
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from alliances.auth import accounts
from alliances.health.csvio import load_history
from alliances.health.model import KINDS, Plan
from alliances.settings import Settings
from alliances.store.db import Database
from alliances.store.health import get_history, save_entries
from alliances.store.models import Alliance, Organisation
from alliances.store.viewer import Viewer
from alliances.web import create_app

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "health"


PASSWORD = "a long enough password"
# who: (email, organisation, role). Alliance managers of each side, a Sanofi viewer, an outsider, an admin.
USERS = {
    "sanofi": ("am@sanofi.example", "Sanofi", "alliance_manager"),
    "google": ("am@google.example", "Google", "alliance_manager"),
    "reader": ("reader@sanofi.example", "Sanofi", "viewer"),
    "novartis": ("am@novartis.example", "Novartis", "alliance_manager"),
    "admin": ("admin@example.org", "Air Liquide", "admin"),
}


def seed_plans(db: Database) -> dict[str, Any]:
    """Attach the two example histories to two alliances of the web test observatory; make the accounts."""
    with db.session() as s:
        ids = {o.name: o.id for o in s.scalars(select(Organisation))}
        titles = {a.title: a.id for a in s.scalars(select(Alliance))}
        admin = Viewer(is_admin=True)
        plans = {"onduo": titles["Sanofi – Google"], "healthy": titles["Sanofi – Owkin"]}
        for folder, aid in (("onduo-like", plans["onduo"]), ("healthy", plans["healthy"])):
            history = load_history(EXAMPLES / folder)
            for kind in KINDS:
                rows = [history.plan] if kind == "plan" else getattr(history, kind)
                save_entries(s, aid, kind, rows, viewer=admin, owner_id=ids["Sanofi"], where=kind)
        tokens = {}
        for who, (email, org, role) in USERS.items():
            user = accounts.add_user(s, email, PASSWORD, organisation=org, role=role)
            tokens[f"token:{who}"] = accounts.issue(s, user).secret
    return {
        **plans,
        **tokens,
        "sanofi": ids["Sanofi"],
        "google": ids["Google"],
        "novartis": ids["Novartis"],
    }


def health_app(db: Database) -> Any:
    return create_app(Settings(db=db.url), database=db)


@pytest.fixture
def ids(web_db: Database) -> dict[str, Any]:
    return seed_plans(web_db)


@pytest.fixture
def client(web_db: Database, ids: dict[str, Any]) -> Iterator[Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    yield TestClient(health_app(web_db))


def as_user(ids: dict[str, Any], who: str) -> dict[str, str]:
    """The bearer token of one of the `USERS`."""
    return {"Authorization": f"Bearer {ids[f'token:{who}']}"}


def sign_in(client: Any, who: str) -> None:
    """Open a session through the login form, as a browser would."""
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    done = client.post(
        "/login",
        data={"email": USERS[who][0], "password": PASSWORD, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text


def csrf_on(client: Any, path: str) -> str:
    """The session's CSRF token, as the forms of a page carry it."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert found is not None and found.group(1)
    return found.group(1)


def test_anonymous_and_outsiders_get_404(client: Any, ids: dict[str, Any]) -> None:
    for path in (
        f"/alliances/{ids['onduo']}/health",
        f"/api/v1/alliances/{ids['onduo']}/health",
        f"/api/v1/alliances/{ids['onduo']}/health/reviews",
        f"/alliances/{ids['onduo']}/health/alerts/escalation_of_commitment",
    ):
        assert client.get(path).status_code == 404, path
        assert client.get(path, headers=as_user(ids, "novartis")).status_code == 404, path
    portfolio = client.get(f"/api/v1/organisations/{ids['sanofi']}/health", headers=as_user(ids, "novartis"))
    assert portfolio.status_code == 200 and portfolio.json()["items"] == []
    assert "No alliance plan is visible to you." in client.get("/health").text


def test_the_partner_sees_the_plan_and_its_alert(client: Any, ids: dict[str, Any]) -> None:
    body = client.get(f"/api/v1/alliances/{ids['onduo']}/health", headers=as_user(ids, "google")).json()
    assert body["alliance_id"] == ids["onduo"] and body["score"] < 50 and body["level"] == "red"
    assert [a["name"] for a in body["alerts"]] == ["escalation_of_commitment"]
    assert {c["name"] for c in body["components"]} == {
        "milestones",
        "burn",
        "kpis",
        "health_check",
        "governance",
    }
    reviews = client.get(
        f"/api/v1/alliances/{ids['onduo']}/health/reviews", headers=as_user(ids, "google")
    ).json()
    assert reviews[-1]["period"] == "2019-Q4" and reviews[-1]["alerts"][0]["signals"]


def test_portfolio_lists_scores_trends_and_alerts(client: Any, ids: dict[str, Any]) -> None:
    body = client.get(f"/api/v1/organisations/{ids['sanofi']}/health", headers=as_user(ids, "sanofi")).json()
    by_id = {i["alliance_id"]: i for i in body["items"]}
    assert by_id[ids["onduo"]]["alerts"] == ["escalation_of_commitment"]
    assert by_id[ids["healthy"]]["alerts"] == [] and by_id[ids["healthy"]]["level"] == "green"
    assert len(by_id[ids["onduo"]]["trend"]) == 8
    page = client.get(f"/organisations/{ids['sanofi']}/health", headers=as_user(ids, "sanofi"))
    assert page.status_code == 200 and f'href="/alliances/{ids["onduo"]}/health"' in page.text


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", ["Why this score", "Escalation of commitment", "Readiness checklist", "Internal preparation"]),
        ("fr", ["Pourquoi ce score", "Escalade d'engagement", "Liste de préparation", "Préparation interne"]),
    ],
)
def test_alliance_page_explains_everything_in_each_language(
    client: Any, ids: dict[str, Any], lang: str, words: list[str]
) -> None:
    page = client.get(f"/alliances/{ids['onduo']}/health?lang={lang}", headers=as_user(ids, "sanofi"))
    assert page.status_code == 200
    for word in words:
        assert word in html.unescape(page.text)
    assert 'id="health-radar"' in page.text and 'id="health-timeline"' in page.text
    assert "<script>" not in page.text  # scripts are files only
    alert = client.get(
        f"/alliances/{ids['onduo']}/health/alerts/escalation_of_commitment?lang={lang}",
        headers=as_user(ids, "sanofi"),
    )
    assert alert.status_code == 200
    assert alert.text.count('data-signal="') >= 5
    assert ("go / no-go" in alert.text) and (
        "limite" in alert.text if lang == "fr" else "limit" in alert.text
    )


def test_french_health_page_has_no_english_labels(client: Any, ids: dict[str, Any]) -> None:
    page = client.get(f"/alliances/{ids['onduo']}/health?lang=fr", headers=as_user(ids, "sanofi")).text
    for english in (
        "Why this score",
        "Milestones",
        "Signals",
        "Within limits",
        "Joint health check",
        "Obstacles register",
    ):
        assert english not in page


def test_import_form_is_all_or_nothing(client: Any, ids: dict[str, Any], web_db: Database) -> None:
    sign_in(client, "sanofi")
    page = f"/alliances/{ids['healthy']}/health"
    url = f"{page}/import"
    csrf = {"csrf_token": csrf_on(client, page)}
    good = "date,party,amount,note\n2020-01-20,Sanofi,2000000,Q1 2020\n"
    done = client.post(
        url, data={"kind": "spend", **csrf}, files={"file": ("spend.csv", good)}, follow_redirects=False
    )
    assert done.status_code == 303
    bad = "date,party,amount\n2020-04-20,Sanofi,1\n2020-04-31,Sanofi,1\n"
    refused = client.post(url, data={"kind": "spend", **csrf}, files={"file": ("q2.csv", bad)})
    assert refused.status_code == 422 and "q2.csv:3: date:" in refused.text
    unknown = "date,objective,value\n2020-03-31,members,99000\n2020-03-31,nothing,1\n"
    refused = client.post(url, data={"kind": "kpis", **csrf}, files={"file": ("k.csv", unknown)})
    assert refused.status_code == 422 and "k.csv:3: objective: unknown objective" in refused.text
    body = client.get(f"/api/v1/alliances/{ids['healthy']}/health").json()
    assert body["spent"] == 502_000_000  # the good file only
    assert body["trend"][-1]["period"] == "2020-Q1"
    with web_db.session() as s:
        history = get_history(s, ids["healthy"], viewer=Viewer(is_admin=True))
    assert len(history.kpis) == 36  # the valid first row of the refused file was not kept
    forged = client.post(url, data={"kind": "spend"}, files={"file": ("s.csv", good)})
    assert forged.status_code == 403  # the session without its CSRF token
    outsider = client.post(
        url, data={"kind": "spend"}, files={"file": ("s.csv", good)}, headers=as_user(ids, "novartis")
    )
    assert outsider.status_code == 404
    with web_db.session() as s:
        assert len(get_history(s, ids["healthy"], viewer=Viewer(is_admin=True)).spend) == len(history.spend)


def test_import_form_speaks_french(client: Any, ids: dict[str, Any]) -> None:
    """A French reader's refused file is explained in French; one imported row is singular."""
    sign_in(client, "sanofi")
    page = f"/alliances/{ids['healthy']}/health"
    csrf = {"csrf_token": csrf_on(client, page)}
    bad = "date,party,amount\n2020-04-20,Sanofi,abc\n"
    refused = client.post(
        f"{page}/import?lang=fr", data={"kind": "spend", **csrf}, files={"file": ("q2.csv", bad)}
    )
    assert refused.status_code == 422
    assert "q2.csv:2 : amount : un nombre est attendu" in html.unescape(refused.text)
    good = "date,party,amount\n2020-04-20,Sanofi,1000\n"
    done = client.post(f"{page}/import", data={"kind": "spend", **csrf}, files={"file": ("q2.csv", good)})
    assert done.status_code == 200 and "1 ligne importée." in done.text  # the language is remembered
    assert "1 row imported." in client.get(f"{page}?imported=1&lang=en").text
    assert "1 ligne importée." in client.get(f"{page}?imported=1&lang=fr").text
    assert "2 lignes importées." in client.get(f"{page}?imported=2&lang=fr").text
    assert "importée" not in client.get(f"{page}?imported=abc&lang=fr").text


def test_writes_need_an_alliance_manager_of_a_party(
    client: Any, ids: dict[str, Any], web_db: Database
) -> None:
    url = f"/api/v1/alliances/{ids['healthy']}/health/import/spend"
    body = "date,party,amount,note\n2020-01-20,Sanofi,2000000,Q1 2020\n"
    csv = {"Content-Type": "text/csv"}
    with web_db.session() as s:
        spent = len(get_history(s, ids["healthy"], viewer=Viewer(is_admin=True)).spend)
    assert client.post(url, content=body, headers=csv).status_code == 401
    reader = client.post(url, content=body, headers={**csv, **as_user(ids, "reader")})
    assert reader.status_code == 403 and "alliance_manager" in reader.json()["error"]
    assert client.get(url.rsplit("/import", 1)[0], headers=as_user(ids, "reader")).status_code == 200
    assert client.post(url, content=body, headers={**csv, **as_user(ids, "novartis")}).status_code == 404
    with web_db.session() as s:
        assert len(get_history(s, ids["healthy"], viewer=Viewer(is_admin=True)).spend) == spent
    done = client.post(url, content=body, headers={**csv, **as_user(ids, "admin")})
    assert done.status_code == 200 and done.json()["written"] == 1


def test_reads_and_writes_of_a_plan_are_audited(
    client: Any, ids: dict[str, Any], web_db: Database, cli: Any
) -> None:
    import json

    aid = ids["onduo"]
    client.get(f"/api/v1/alliances/{aid}/health", headers=as_user(ids, "google"))
    client.get(f"/alliances/{aid}/health", headers=as_user(ids, "sanofi"))
    client.get(f"/alliances/{aid}/health")  # anonymous: 404, nothing read, nothing logged
    url = f"/api/v1/alliances/{aid}/health/import/milestones"
    body = "date,milestone,event,on,reason\n2020-01-15,payer_pilot,rebaselined,2020-09-30,Fourth try\n"
    client.post(url, content=body, headers={"Content-Type": "text/csv", **as_user(ids, "google")})
    shown = cli("audit", "show", "--record", f"alliance:{aid}/health", "--json", "--db", web_db.url)
    assert shown.code == 0, shown.err
    entries = json.loads(shown.out)
    assert {(e["who"], e["action"]) for e in entries} == {
        ("am@google.example", "health.read"),
        ("am@sanofi.example", "health.read"),
        ("am@google.example", "health.write"),
    }
    assert cli("audit", "verify", "--db", web_db.url).code == 0


# --- in a real browser: portfolio → alliance → alert explanation, charts drawn, in English and French ----

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run"]  # fmt: skip


@pytest.fixture(scope="module")
def served(
    web_db_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, dict[str, int]]]:
    """The app with both example plans, served by uvicorn on a free port in a thread of this process."""
    import uvicorn

    path = tmp_path_factory.mktemp("health-browser") / "web.db"
    shutil.copy(web_db_file, path)
    db = Database.open(f"sqlite:///{path}")
    plan_ids = seed_plans(db)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(health_app(db), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 15
    while not server.started and time.time() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}", plan_ids
    server.should_exit = True
    thread.join(timeout=10)
    db.dispose()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("health-screenshots")
    print(f"\nscreenshots in {folder}")
    return folder


@pytest.mark.browser
@pytest.mark.parametrize(
    ("lang", "explain", "signal_label", "timeline_title", "january"),
    [
        (
            "en",
            "Why this alert",
            "Spend ahead of milestones",
            "Milestones and cumulative spend against plan",
            "Jan 2018",
        ),
        (
            "fr",
            "Pourquoi cette alerte",
            "Dépenses en avance sur les jalons",
            "Jalons et dépenses cumulées face au plan",
            "janv. 2018",
        ),
    ],
)
def test_browser_walks_portfolio_to_alert_explanation(
    served: tuple[str, dict[str, int]],
    shots: Path,
    lang: str,
    explain: str,
    signal_label: str,
    timeline_title: str,
    january: str,
) -> None:
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (apt-get install chromium); browser tests need it")
    from playwright.sync_api import sync_playwright

    base_url, plan_ids = served
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        context = browser.new_context(base_url=base_url, viewport={"width": 1366, "height": 900})
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"/organisations/{plan_ids['sanofi']}/health?lang={lang}")
        assert page.locator("#portfolio tr[data-alliance]").count() == 0  # anonymous: no plan at all
        page.goto(f"/login?lang={lang}")
        page.fill('input[name="email"]', USERS["sanofi"][0])
        page.fill('input[name="password"]', PASSWORD)
        with page.expect_navigation():
            page.locator('form[action="/login"] button[type="submit"]').click()
        assert USERS["sanofi"][0] in page.content()  # signed in: the header names the account
        page.goto(f"/organisations/{plan_ids['sanofi']}/health?lang={lang}")
        page.screenshot(path=str(shots / f"portfolio-{lang}.png"), full_page=True)
        row = page.locator(f'#portfolio tr[data-alliance="{plan_ids["onduo"]}"]')
        assert int(row.locator(".level").inner_text()) < 50
        assert page.locator(f'#portfolio tr[data-alliance="{plan_ids["healthy"]}"] .alert-link').count() == 0
        row.locator("td").first.get_by_role("link").click()
        page.wait_for_url(f"**/alliances/{plan_ids['onduo']}/health")
        page.wait_for_selector('#health-timeline[data-rendered="true"]')
        page.wait_for_selector('#health-radar[data-rendered="true"]')
        assert page.locator("#health-timeline .gtitle").text_content() == timeline_title
        assert page.locator("#health-radar .polarlayer .trace").count() == 2  # one polygon per partner
        assert page.locator("#health-timeline .scatterlayer .trace").count() == 5
        months = page.locator("#health-timeline .xtick text").all_text_contents()
        assert january in months, months  # the date axis speaks the page's language
        page.screenshot(path=str(shots / f"health-{lang}.png"), full_page=True)
        page.get_by_role("link", name=explain).click()
        page.wait_for_url("**/health/alerts/escalation_of_commitment")
        rows = page.locator("#alert-signals tr[data-signal]")
        assert rows.count() >= 5
        assert (
            signal_label
            in page.locator('#alert-signals tr[data-signal="spend_ahead_of_milestones"]').inner_text()
        )
        assert "go / no-go" in page.locator("#ask").inner_text()
        page.screenshot(path=str(shots / f"alert-{lang}.png"), full_page=True)
        context.close()
        browser.close()
    assert not errors, errors


def test_a_plan_without_history_yet_renders(client: Any, ids: dict[str, Any], web_db: Database) -> None:
    with web_db.session() as s:
        aid = s.scalar(select(Alliance.id).where(Alliance.title == "Novartis – Microsoft"))
        assert aid is not None
        plan = Plan(name="Fresh plan", start=date(2024, 1, 15), end=date(2026, 12, 31))
        save_entries(s, aid, "plan", [plan], viewer=Viewer(is_admin=True), where="plan.csv")
    page = client.get(f"/alliances/{aid}/health?lang=fr", headers=as_user(ids, "admin"))
    assert (
        page.status_code == 200
        and "Fresh plan" in page.text
        and "2024-T1" in page.text
        and "2024-Q1" not in page.text
    )


def test_checklist_answered_on_the_page(client: Any, ids: dict[str, Any], web_db: Database) -> None:
    sign_in(client, "sanofi")
    page = f"/alliances/{ids['healthy']}/health"
    url = f"{page}/checklist"
    form = {
        "answer.exit_readiness": "partial",
        "evidence.exit_readiness": "Draft exit terms",
        "answer.partner_ecosystem": "",
        "csrf_token": csrf_on(client, page),
    }
    done = client.post(url, data=form, follow_redirects=False)
    assert done.status_code == 303
    with web_db.session() as s:
        checklist = get_history(s, ids["healthy"], viewer=Viewer(is_admin=True)).checklist
    assert [(c.item, c.answer, c.evidence) for c in checklist] == [
        ("exit_readiness", "partial", "Draft exit terms")
    ]
    bad = client.post(url, data={**form, "answer.exit_readiness": "maybe"})
    assert bad.status_code == 422 and "unknown answer 'maybe'" in html.unescape(bad.text)
    client.cookies.clear()
    assert client.post(url, data=form, headers=as_user(ids, "novartis")).status_code == 404


def test_api_import_of_a_csv_body(client: Any, ids: dict[str, Any]) -> None:
    url = f"/api/v1/alliances/{ids['onduo']}/health/import/milestones"
    body = "date,milestone,event,on,reason\n2020-01-15,payer_pilot,rebaselined,2020-09-30,Fourth try\n"
    headers = {**as_user(ids, "google"), "Content-Type": "text/csv"}
    assert client.post(url, content=body, headers=headers).json() == {
        "ok": True,
        "kind": "milestones",
        "written": 1,
    }
    again = client.post(url, content=body, headers=headers).json()
    assert again["written"] == 0
    wrong = client.post(url, content="date,milestone,event\n2020-01-15,x,completed\n", headers=headers)
    assert wrong.status_code == 422 and wrong.json()["error"].startswith("milestones.csv:2: milestone:")
    assert client.post(url, content=body, headers={"Content-Type": "text/csv"}).status_code == 401
    outsider = {"Content-Type": "text/csv", **as_user(ids, "novartis")}
    assert client.post(url, content=body, headers=outsider).status_code == 404
