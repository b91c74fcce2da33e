"""The annual report: self-contained HTML in English and French, opened offline and printed to PDF."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any

import pytest

from alliances.analytics.matrix import tech_stage_matrix
from alliances.maturity import service
from alliances.maturity.schemas import SurveyResponseIn
from alliances.store import maturity as store
from alliances.store.db import Database
from alliances.store.filters import Filters

SECTIONS = ["maturity", "matrix", "trends", "leaders", "surveys"]


@pytest.fixture(scope="module")
def report_db(bundled_db_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    path = tmp_path_factory.mktemp("report") / "observatory.db"
    shutil.copy(bundled_db_file, path)
    db = Database.open(f"sqlite:///{path}")
    with db.session() as s:
        service.write_synthetic_panel(s, 300, seed=15)
        store.add_survey_responses(
            s,
            "digital-strategy",
            [
                SurveyResponseIn(
                    respondent=f"r{i}",
                    sector="pharma",
                    answers={"partner_startups": "yes" if i % 5 else "no"},
                )
                for i in range(40)
            ],
        )
    yield db
    db.dispose()


@pytest.fixture(scope="module")
def reports(report_db: Database, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The 2026 report in both languages, written by the real CLI in a subprocess."""
    import os
    import subprocess
    import sys

    folder = tmp_path_factory.mktemp("out")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    out = {}
    for lang in ("en", "fr"):
        path = folder / f"report-{lang}.html"
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                "from alliances.cli import main; main()",
                "report",
                "--year",
                "2026",
                "--lang",
                lang,
                "--out",
                str(path),
                "--db",
                report_db.url,
            ],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert f"Wrote the 2026 report ({lang})" in done.stdout
        out[lang] = path
    return out


def test_report_is_self_contained(reports: dict[str, Path]) -> None:
    for path in reports.values():
        html = path.read_text(encoding="utf-8")
        assert not re.search(r"<(script|img|iframe)[^>]*\bsrc=", html)
        assert not re.search(r"<link[^>]*\bhref=", html)
        assert "url(http" not in html and "@import" not in html
        assert "Plotly.newPlot" in html and len(html) > 3_000_000  # plotly.js inlined
        for section in SECTIONS:
            assert f'id="{section}"' in html


def test_report_shows_imported_survey_shares_with_intervals(reports: dict[str, Path]) -> None:
    from alliances.maturity.survey import wilson

    text = unescape(reports["en"].read_text(encoding="utf-8"))
    low, high = wilson(32, 40)
    assert "Digital strategy of health-industry companies (n=40)" in text
    assert f'80 %</td><td class="num">{round(100 * low)}–{round(100 * high)} %' in text


def test_report_languages(reports: dict[str, Path]) -> None:
    en = reports["en"].read_text(encoding="utf-8")
    fr = unescape(reports["fr"].read_text(encoding="utf-8"))
    assert '<html lang="en">' in en and "Digital maturity by sector" in en
    assert '<html lang="fr">' in fr
    for french, english in [
        ("Maturité numérique par secteur", "Digital maturity by sector"),
        ("Acteurs centraux du réseau", "Network leaders"),
        ("Résultats d'enquêtes", "Survey results"),
        ("Seules les parts publiées sont connues", "Only the published shares"),
        ("Étude Techtomed sur les stratégies", "Techtomed study of pharma"),
    ]:
        assert french in fr and english not in fr


def test_report_figures_come_from_the_analytics(report_db: Database, reports: dict[str, Path]) -> None:
    html = unescape(reports["en"].read_text(encoding="utf-8"))
    sizes = [int(n) for n in re.findall(r"\(n=(\d+)\)</th>", html)]
    assert sizes and min(sizes) >= 10 and 300 in sizes  # everyone, then each sector large enough
    with report_db.session() as s:
        matrix = tech_stage_matrix(s, Filters(year_to=2026), "alliances").public().model_dump()
    assert matrix["records"] > 200
    assert f"{matrix['records']} alliances announced up to 2026 and 18 projects" in html
    assert '"z": ' + str(matrix["rows"]).replace("'", '"') in html


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--lang", "de"], "--lang must be en or fr"),
        (["--out", "/nonexistent-dir/report.html"], "cannot write the report"),
    ],
)
def test_report_bad_input(
    cli: Any, report_db: Database, tmp_path: Path, args: list[str], message: str
) -> None:
    base = ["report", "--year", "2026", "--db", report_db.url]
    if "--out" not in args:
        base += ["--out", str(tmp_path / "r.html")]
    result = cli(*base, *args)
    assert result.code == 2 and message in result.err and result.err.count("\n") == 1
    assert not list(tmp_path.iterdir())


@pytest.mark.browser
def test_report_opens_offline_and_prints_to_pdf(reports: dict[str, Path], tmp_path: Path) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("chromium is not installed")
    from playwright.sync_api import sync_playwright

    from tests.conftest import ARGS

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=ARGS, headless=True)
        try:
            for lang, path in reports.items():
                context = browser.new_context()
                requested: list[str] = []

                def block(route: Any, requested: list[str] = requested) -> None:
                    requested.append(route.request.url)
                    route.abort()

                context.route(re.compile(r"^(https?|wss?)://"), block)
                page = context.new_page()
                errors: list[str] = []
                page.on("pageerror", lambda exc, errors=errors: errors.append(str(exc)))
                page.goto(path.as_uri())
                charts = page.locator(".chart[data-figure]")
                page.wait_for_function(
                    "document.querySelectorAll('.chart[data-rendered=\"true\"]').length === "
                    "document.querySelectorAll('.chart[data-figure]').length",
                    timeout=60_000,
                )
                assert charts.count() >= 6
                assert page.locator(".chart .main-svg").count() >= charts.count()
                headings = page.locator("h2").all_inner_texts()
                assert len(headings) == len(SECTIONS)
                if lang == "fr":
                    assert headings[0] == "1. Maturité numérique par secteur"
                pdf = tmp_path / f"report-{lang}.pdf"
                page.pdf(path=str(pdf), format="A4", print_background=True)
                assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 50_000
                assert requested == [] and errors == []
                context.close()
        finally:
            browser.close()


def test_maturity_charts_leave_room_for_french_labels() -> None:
    """The radar's circle keeps to the middle of its card and the heatmap's stage labels get their own
    margin: "Intelligence artificielle" and "Cybersécurité / blockchain" were cut at the card's edges."""
    from alliances.maturity.scoring import score
    from alliances.report.charts import cell_heatmap, radar
    from alliances.web.i18n import Translator

    scores = score({})
    t = Translator("fr")
    left, right = radar(scores, t)["layout"]["polar"]["domain"]["x"]
    assert left >= 0.25 and right <= 0.75
    assert cell_heatmap(scores, t)["layout"]["xaxis"]["automargin"] is True
