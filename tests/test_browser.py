"""End to end in a real browser: Playwright drives Debian's Chromium against a live `uvicorn` server.

Each test asserts on what a reader sees; screenshots go to a temporary folder (printed with -s).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

pytestmark = pytest.mark.browser

PAGES = [
    "/",
    "/alliances",
    "/organisations",
    "/organisations/Sanofi",
    "/matrix",
    "/network",
    "/trends",
    "/projects",
    "/surveys",
    "/docs",
]


@pytest.fixture(scope="module")
def base_url(web_db_file: Path) -> Iterator[str]:
    """The app served by uvicorn on a free localhost port, in a thread of this process."""
    import uvicorn

    from alliances.settings import Settings
    from alliances.store.db import Database
    from alliances.web import create_app

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    db = Database.open(f"sqlite:///{web_db_file}")
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(Settings(db=db.url), database=db), host="127.0.0.1", port=port, log_level="warning"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 15
    while not server.started and time.time() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    db.dispose()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("screenshots")
    print(f"\nscreenshots in {folder}")
    return folder


@pytest.fixture
def page(browser: Any, base_url: str) -> Iterator[Any]:
    context = browser.new_context(
        base_url=base_url, viewport={"width": 1366, "height": 900}, locale="en-GB", accept_downloads=True
    )
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    # A 4xx page logs "Failed to load resource": expected where a test asks for one.
    tab.on(
        "console",
        lambda msg: (
            errors.append(msg.text)
            if msg.type == "error" and not msg.text.startswith("Failed to load resource")
            else None
        ),
    )
    tab.set_default_timeout(15_000)
    yield tab
    context.close()
    assert not errors, errors


def test_every_page_loads(page: Any, shots: Path) -> None:
    for path in PAGES:
        response = page.goto(path)
        assert response.status == 200, path
        assert page.locator("h1").first.is_visible()
        name = path.strip("/").replace("/", "-") or "overview"
        page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
    page.goto("/")
    assert page.locator('[data-count="alliances"] .n').inner_text() == "10"


def test_filters_narrow_the_alliance_list(page: Any, shots: Path) -> None:
    page.goto("/alliances")
    page.select_option("select[name=technology]", "ai")
    page.select_option("select[name=type]", "rd_collaboration")
    page.fill("input[name=year_from]", "2019")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**/alliances?*technology=ai*")
    assert page.locator(".total").inner_text() == "3 alliances"  # W01, W04, W06
    assert page.get_by_role("link", name="Owkin – Institut Curie").is_visible()
    page.screenshot(path=str(shots / "alliances-filtered.png"), full_page=True)


def test_matrix_cell_leads_to_an_alliance_and_its_evidence(page: Any, shots: Path) -> None:
    page.goto("/matrix")
    cell = page.locator('td[data-technology="ai"][data-stage="research"] a')
    assert cell.inner_text() == "5"
    page.screenshot(path=str(shots / "matrix-heatmap.png"), full_page=True)
    cell.click()
    page.wait_for_url("**/alliances?technology=ai&stage=research")
    assert page.locator(".total").inner_text() == "5 alliances"
    page.get_by_role("link", name="Sanofi – Google").click()
    page.wait_for_url("**/alliances/*")
    assert page.locator("blockquote").inner_text() == "Sanofi et Google s'associent pour la recherche."
    source = page.locator("a.source")
    assert source.get_attribute("href") == "https://example.org/sanofi-google"
    page.screenshot(path=str(shots / "alliance-evidence.png"), full_page=True)


def test_network_draws_and_exports_graphml(page: Any, shots: Path, tmp_path: Path) -> None:
    page.goto("/network")
    page.select_option("select[name=kind]", "big_tech")
    page.check("input[name=rollup]")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**/network?*rollup=1*")
    page.wait_for_selector('#network[data-rendered="true"]')
    assert page.locator("#network canvas").count() > 0
    assert page.locator("#ranking tbody tr").first.get_by_role("link").inner_text() == "Alphabet"
    page.screenshot(path=str(shots / "network-big-tech.png"), full_page=True)
    with page.expect_download() as info:
        page.click("#export-graphml")
    saved = tmp_path / "network.graphml"
    info.value.save_as(saved)
    graph = nx.read_graphml(saved)
    assert {d["label"] for _, d in graph.nodes(data=True)} == {
        "Alphabet",
        "Microsoft",
        "Sanofi",
        "Novartis",
        "AP-HP",
        "Servier",
    }


def test_trends_and_profile_charts_render(page: Any, shots: Path) -> None:
    page.goto("/trends")
    page.wait_for_selector('.plot[data-rendered="true"]')
    assert page.locator('.plot[data-rendered="true"]').count() == 4
    assert page.locator(".plot .xtitle").first.text_content() == "Year"  # a labelled axis, drawn in SVG
    page.screenshot(path=str(shots / "trends.png"), full_page=True)
    page.goto("/organisations/Sanofi")
    page.wait_for_selector('#ego[data-rendered="true"]')
    page.wait_for_selector('#partners-by-year[data-rendered="true"]')
    page.screenshot(path=str(shots / "profile-sanofi.png"), full_page=True)


def test_language_switch_and_error_page(page: Any, shots: Path) -> None:
    page.goto("/matrix")
    page.get_by_role("link", name="FR", exact=True).click()
    assert page.locator("h1").inner_text() == "Technologies × chaîne de valeur"
    page.get_by_role("link", name="Réseau", exact=True).click()
    assert page.locator("h1").inner_text() == "Réseau des organisations"
    page.screenshot(path=str(shots / "network-fr.png"), full_page=True)
    response = page.goto("/alliances?technology=quantum")
    assert response.status == 422
    assert "valeur inconnue pour « technologie » : 'quantum'" in page.locator(".message").inner_text()
    page.get_by_role("link", name="EN", exact=True).click()
