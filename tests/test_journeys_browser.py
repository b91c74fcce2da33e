"""The journeys of ../shared/JOURNEYS.md (1-7) in a real browser, in English and French, at 1,400 and
600 px wide, on the bundled data. Every page visited fails the test on a console error, on sideways
scrolling, or on an English interface string left on a French page."""

from __future__ import annotations

import contextlib
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from alliances.auth.accounts import add_user
from alliances.store.candidates import store_extraction
from alliances.store.db import Database
from tests.test_web_french import data_strings, english_left

pytestmark = pytest.mark.browser

VARIANTS = [(lang, width) for lang in ("en", "fr") for width in (1400, 600)]
CANDIDATES = [
    {
        "parties": [{"name": "Servier"}, {"name": f"Quarvex Bio {n}"}],
        "type": "rd_collaboration",
        "technologies": ["ai"],
        "stages": ["research"],
        "date": "2025-03-01",
        "status": "announced",
        "confidence": 0.9 - n / 100,
        "evidence": f"Servier et Quarvex Bio {n} signent un accord de recherche en IA.",
    }
    for n in range(6)
]


ANALYST, ANALYST_PASSWORD = "analyst@servier.example", "journey-4-password"


@pytest.fixture(scope="module")
def journey_db(bundled_db_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A writable copy of the bundled observatory with candidates waiting for review."""
    path = tmp_path_factory.mktemp("journeys") / "observatory.db"
    shutil.copy(bundled_db_file, path)
    db = Database.open(f"sqlite:///{path}")
    with db.session() as s:
        store_extraction(s, content_hash="journey-4", records=CANDIDATES, title="Communiqué Servier")
        add_user(s, ANALYST, ANALYST_PASSWORD, organisation="Servier", role="analyst")
    db.dispose()
    return path


@pytest.fixture(scope="module")
def server(journey_db: Path) -> Iterator[str]:
    import uvicorn

    from alliances.settings import Settings
    from alliances.web import create_app

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    db = Database.open(f"sqlite:///{journey_db}")
    app = create_app(Settings(db=db.url), database=db)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
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


class Reader:
    """A browser tab in one language and width that checks every page it lands on."""

    def __init__(self, tab: Any, lang: str, width: int, data: list[str]) -> None:
        self.tab, self.lang, self.width, self.data = tab, lang, width, data
        self.errors: list[str] = []
        tab.on("pageerror", lambda exc: self.errors.append(str(exc)))
        tab.on("console", self._console)

    def _console(self, msg: Any) -> None:
        # A 4xx page logs "Failed to load resource": expected where a journey asks for one.
        if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
            self.errors.append(msg.text)

    def go(self, path: str, status: int = 200) -> Any:
        sep = "&" if "?" in path else "?"
        response = self.tab.goto(f"{path}{sep}lang={self.lang}")
        assert response.status == status, path
        self.check(path)
        return self.tab

    def check(self, where: str) -> None:
        self.tab.wait_for_load_state("networkidle")
        wide = self.tab.evaluate("document.documentElement.scrollWidth")
        assert wide <= self.width + 1, f"{where}: scrolls sideways at {self.width} px ({wide} px wide)"
        assert self.tab.evaluate("document.documentElement.lang") == self.lang, where
        if self.lang == "fr":
            assert english_left(self.tab.content(), self.data) == [], where
        assert not self.errors, (where, self.errors)


@pytest.fixture(params=VARIANTS, ids=[f"{lang}-{w}px" for lang, w in VARIANTS])
def reader(request: pytest.FixtureRequest, browser: Any, server: str, journey_db: Path) -> Iterator[Reader]:
    lang, width = request.param
    context = browser.new_context(
        base_url=server, viewport={"width": width, "height": 900}, locale=lang, accept_downloads=True
    )
    tab = context.new_page()
    tab.set_default_timeout(20_000)
    yield Reader(tab, lang, width, data_strings(str(journey_db)))
    context.close()


def t(reader: Reader, en: str, fr: str) -> str:
    return fr if reader.lang == "fr" else en


def test_journey_1_first_run(reader: Reader, journey_db: Path) -> None:
    import sqlite3

    with contextlib.closing(sqlite3.connect(journey_db)) as conn:  # every bundled real record, no stub
        alliances = conn.execute("SELECT count(*) FROM alliance").fetchone()[0]
        organisations = conn.execute("SELECT count(*) FROM organisation").fetchone()[0]
    assert alliances > 800 and organisations > 750
    page = reader.go("/")
    assert page.locator('[data-count="alliances"] .n').inner_text() == str(alliances)
    assert page.locator('[data-count="organisations"] .n').inner_text() == str(organisations)
    assert page.locator("table").count() >= 2  # latest alliances, most connected, small matrix
    other = "EN" if reader.lang == "fr" else "FR"
    page.get_by_role("link", name=other, exact=True).click()
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.lang") == other.lower()


def test_journey_2_big_tech(reader: Reader, tmp_path: Path) -> None:
    page = reader.go("/network?kind=big_tech&year_from=2021")
    ranked = page.locator("#ranking tbody tr a").all_inner_texts()[:10]
    assert {"Microsoft", "Google", "NVIDIA"} & set(ranked), ranked
    page.locator("#ranking tbody tr a", has_text="Microsoft").first.click()
    page.wait_for_url("**/organisations/*")
    reader.check("Microsoft profile")
    assert page.locator("h1").inner_text().startswith("Microsoft")
    assert page.locator("table.data tbody tr").count() > 3
    gexf = page.request.get("/api/v1/network.gexf?kind=big_tech&year_from=2021")
    assert gexf.ok and b"<gexf" in gexf.body()
    group = reader.go("/organisations/Alphabet")
    assert group.locator("#group-note").is_visible()


def test_journey_3_matrix(reader: Reader) -> None:
    page = reader.go("/matrix")
    cell = page.locator('td[data-technology="ai"][data-stage="research"] a')
    counts = [
        int(n)
        for n in page.locator("table.heatmap td[data-count]").evaluate_all("e => e.map(x => x.dataset.count)")
    ]
    assert int(cell.inner_text()) == max(counts)  # AI × research is the densest cell
    cell.click()
    page.wait_for_url("**/alliances?*technology=ai*")
    reader.check("matrix cell")
    page.locator("table.data tbody tr a[href^='/alliances/']").first.click()
    page.wait_for_url("**/alliances/*")
    reader.check("alliance from a cell")
    assert page.locator("h1").is_visible()


def test_journey_4_review(reader: Reader) -> None:
    page = reader.tab
    page.goto("/login")  # reviewing is an analyst's write: sign in first, as the analyst would
    page.locator('input[name="email"]').fill(ANALYST)
    page.locator('input[name="password"]').fill(ANALYST_PASSWORD)
    with page.expect_navigation():
        page.locator('form[action="/login"] button[type="submit"]').click()
    page = reader.go("/review")
    card = page.locator("article.review-card").first
    name = card.locator("header strong").inner_text().split("· ", 1)[1]
    assert "Quarvex Bio" in name and card.locator("blockquote").is_visible()
    card.locator("form[action$='/accept'] button").click()
    page.wait_for_url("**/review?done=accepted*")
    reader.check("after accepting")
    listed = reader.go("/alliances?q=quarvex")
    assert listed.locator("table.data tbody tr").count() >= 1


def test_journey_5_partners(reader: Reader) -> None:
    page = reader.go("/recommend?org=Servier&technology=ai&stage=development")
    rows = page.locator("#recommendations tbody tr")
    assert rows.count() == 10
    reasons = rows.first.locator("li").all_inner_texts()
    assert len(reasons) >= 3
    assert any(t(reader, "alliance(s) in", "alliances en") in r or "alliance en" in r for r in reasons)


def test_journey_6_spreadsheet(reader: Reader) -> None:
    page = reader.go("/alliances?year_from=2019&year_to=2024&type=rd_collaboration&technology=ai")
    total = int(page.locator(".total").get_attribute("data-total"))
    assert total > 0
    csv = page.request.get(
        "/api/v1/alliances.csv?year_from=2019&year_to=2024&type=rd_collaboration&technology=ai"
    )
    lines = csv.body().decode("utf-8-sig").splitlines()
    assert lines[0].startswith("key,title,parties,kinds,type") and len(lines) == total + 1


def test_journey_7_bad_days(reader: Reader) -> None:
    page = reader.go("/alliances?type=merger", status=422)
    message = page.locator(".message").inner_text()
    assert t(reader, "unknown alliance type", "valeur inconnue pour") in message
    page = reader.go("/alliances/A999999", status=404)
    assert t(reader, "no alliance", "aucune alliance") in page.locator(".message").inner_text()
    reader.go("/no/such/page", status=404)
    reader.go("/alliances?page=999")
