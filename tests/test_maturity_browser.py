"""Maturity pages in a real browser: the form saved as you go survives a reload; results, benchmark,
trajectory and surveys draw their charts, in English and in French."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from alliances.maturity import service
from alliances.store.db import Database
from alliances.store.organisations import find_organisation
from tests.test_maturity_store import PASSWORD, member_email, member_headers

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def served(bundled_db_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The bundled observatory with a synthetic panel, served by uvicorn; Sanofi is the member."""
    import uvicorn

    from alliances.settings import Settings
    from alliances.web import create_app

    path = tmp_path_factory.mktemp("mbrowser") / "observatory.db"
    shutil.copy(bundled_db_file, path)
    db = Database.open(f"sqlite:///{path}")
    with db.session() as s:
        service.write_synthetic_panel(s, 200, seed=7)
        sanofi = find_organisation(s, "Sanofi").id
    member_headers(db, sanofi)  # Sanofi's analyst, who signs in at /login
    app = create_app(Settings(db=db.url), database=db)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 15
    while not server.started and time.time() < deadline:
        time.sleep(0.05)
    assert server.started
    yield {"url": f"http://127.0.0.1:{port}", "sanofi": sanofi}
    server.should_exit = True
    thread.join(timeout=10)
    db.dispose()


@pytest.fixture
def page(browser: Any, served: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    context = browser.new_context(
        base_url=served["url"],
        viewport={"width": 1366, "height": 900},
        locale="en-GB",
    )
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    tab.set_default_timeout(20_000)
    tab.goto("/login?lang=en")  # a real session: the saving script then sends its CSRF token
    tab.fill('input[name="email"]', member_email(served["sanofi"]))
    tab.fill('input[name="password"]', PASSWORD)
    with tab.expect_navigation():
        tab.locator('form[action="/login"] button[type="submit"]').click()
    yield tab
    context.close()
    assert not errors, errors


def saved(page: Any) -> None:
    page.wait_for_selector('#save-status[data-state="saved"]')


def answer(page: Any, name: str, value: str) -> None:
    """Change one answer and wait until the page reports it saved."""
    page.evaluate("document.getElementById('save-status').removeAttribute('data-state')")
    field = page.locator(f'[name="{name}"]')
    if field.first.evaluate("el => el.tagName") == "SELECT":
        field.select_option(value)
    else:
        page.check(f'input[name="{name}"][value="{value}"]')
    saved(page)


def test_form_survives_a_reload_half_way_then_shows_results(page: Any) -> None:
    from playwright.sync_api import expect

    page.goto("/maturity?lang=en")
    page.select_option("select[name=size]", "medium")
    page.get_by_role("button", name="Start").click()
    page.wait_for_url("**/maturity/assessments/*/form")
    answer(page, "cell.ai.research", "3")
    answer(page, "org.digital_bu", "partial")
    answer(page, "org.partner_startups", "done")
    assert "Saved: 3 of 56 questions answered." in page.locator("#save-status").inner_text()
    page.reload()  # half-way: a second sitting starts from the saved answers
    assert page.locator('select[name="cell.ai.research"]').input_value() == "3"
    assert page.locator('input[name="org.digital_bu"][value="partial"]').is_checked()
    assert page.locator('input[name="org.partner_startups"][value="done"]').is_checked()
    assert "3 of 56 questions answered." in page.locator("#save-status").inner_text()
    # Finish every other question, then close the assessment.
    for select in page.locator('#assessment-form select[name^="cell."]').all():
        if select.input_value() == "":
            select.select_option("2")
    for q in ("org.digital_steering", "org.skills_level", "org.roadmap", "org.data_integration"):
        page.select_option(f'select[name="{q}"]', "3")
    for group in page.locator("#assessment-form fieldset.choice").all():
        if not group.locator("input:checked").count():
            group.locator("input").first.check()
    # Not `wait_for_function`: its string predicate is evaluated with eval, which the CSP refuses.
    expect(page.locator("#save-status")).to_contain_text("56 of 56", timeout=20_000)
    page.get_by_role("button", name="Finish and see the results").click()
    page.wait_for_url("**/maturity/assessments/*")
    page.wait_for_selector('#radar[data-rendered="true"]')
    page.wait_for_selector('#heatmap[data-rendered="true"]')
    assert page.locator("#radar .main-svg").count() and page.locator("#heatmap .main-svg").count()
    assert page.locator("#next-steps li").count() >= 1
    assert "Overall level:" in page.locator("#overall").inner_text()
    page.wait_for_selector('#peers[data-rendered="true"]')
    page.goto(page.url + "?lang=fr")
    assert page.locator("h1").inner_text().startswith("Résultats de maturité")
    page.wait_for_selector('#radar[data-rendered="true"]')


def test_benchmark_trajectory_and_surveys_pages(page: Any) -> None:
    page.goto("/maturity/benchmark?lang=en&sector=cro&size=small&country=ES")
    assert "Fewer than 10 respondents in the group" in page.locator("#widened").inner_text()
    page.wait_for_selector('#benchmark-chart[data-rendered="true"]')
    for n in page.locator("table[data-n]").evaluate_all("els => els.map(e => +e.dataset.n)"):
        assert n >= 10
    page.goto("/maturity/benchmark?lang=fr")
    assert page.locator("h1").inner_text() == "Comparaison anonyme"
    page.goto("/maturity/trajectory?lang=fr")
    assert page.locator("h1").inner_text().startswith("Trajectoire")
    page.wait_for_selector('#trajectory-chart[data-rendered="true"]')
    page.goto("/maturity/surveys?lang=en")
    assert "Only the published shares are known" in page.locator("#published-note").inner_text()
    page.wait_for_selector('#published-techtomed-2023[data-rendered="true"]')
    page.goto("/maturity/surveys?lang=fr")
    assert "Seules les parts publiées sont connues" in page.locator("#published-note").inner_text()
