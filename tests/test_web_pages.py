"""Server-rendered pages: what a reader sees, in English and French, with every asset served locally."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from alliances.web.i18n import LANGS, Translator, catalogue, negotiate

PAGES = [
    "/",
    "/alliances",
    "/organisations",
    "/matrix",
    "/matrix?source=both",
    "/network",
    "/trends",
    "/projects",
    "/surveys",
    "/docs",
    "/matrix/cell?technology=ai&stage=research",
]
TEMPLATES = Path(__file__).resolve().parents[1] / "alliances" / "web" / "templates"


def page(client: Any, path: str, **headers: str) -> str:
    response = client.get(path, headers=headers)
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"].startswith("text/html")
    return str(response.text)


@pytest.mark.parametrize("path", PAGES)
def test_every_page_renders_without_external_assets(web_client: Any, path: str) -> None:
    html = page(web_client, path)
    assert "<h1>" in html
    sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith("/") for s in sources), sources


def test_overview_shows_counts_latest_and_matrix(web_client: Any) -> None:
    html = page(web_client, "/")
    assert re.search(r'data-count="alliances">\s*<span class="n">10</span>', html)
    assert re.search(r'data-count="organisations">\s*<span class="n">13</span>', html)
    assert "Novartis – Google" in html  # the latest alliance (2023)
    assert 'href="/alliances?technology=ai&amp;stage=research"' in html


def test_alliance_list_keeps_filters_in_links(web_client: Any) -> None:
    html = page(web_client, "/alliances?technology=ai&per_page=2")
    assert 'data-total="6"' in html
    assert "/api/v1/alliances.csv?technology=ai" in html
    assert 'href="/alliances?technology=ai&amp;per_page=2&amp;page=2"' in html
    assert '<option value="ai" selected>' in html


def test_alliance_page_shows_parties_timeline_and_evidence(web_client: Any) -> None:
    alliance = web_client.get("/api/v1/alliances?q=verily").json()["items"][0]
    html = page(web_client, f"/alliances/{alliance['id']}")
    assert "Sanofi – Verily" in html and "Joint venture" in html and "2020-12" in html
    first = web_client.get("/api/v1/alliances?technology=cloud&stage=research").json()["items"][0]
    html = page(web_client, f"/alliances/{first['id']}")
    assert "Sanofi et Google s&#39;associent pour la recherche." in html
    assert 'href="https://example.org/sanofi-google"' in html


def test_organisation_profile(web_client: Any) -> None:
    html = page(web_client, "/organisations/Alphabet")
    assert "Subsidiaries" in html and "/organisations/" in html and "Verily" in html
    html = page(web_client, "/organisations/Sanofi")
    assert 'id="ego"' in html and "Partners by year" in html and "DARWIN" in html


def test_matrix_page_counts_and_links(web_client: Any) -> None:
    html = page(web_client, "/matrix")
    cell = re.search(
        r'data-technology="ai" data-stage="research" data-count="(\d+)">\s*<a href="([^"]+)"', html
    )
    assert cell and cell.group(1) == "5"
    assert cell.group(2) == "/alliances?technology=ai&amp;stage=research"
    projects = page(web_client, "/matrix?source=projects&type=rd_collaboration")
    assert "apply to alliances only" in projects


def test_network_page_has_graph_ranking_and_exports(web_client: Any) -> None:
    html = page(web_client, "/network?kind=big_tech&rollup=1")
    assert 'id="network"' in html and 'id="ranking"' in html
    assert 'href="/api/v1/network.graphml?kind=big_tech&amp;rollup=1"' in html
    assert "Alphabet" in html and "checked" in html


def test_trends_projects_and_surveys(web_client: Any) -> None:
    assert "Alliances per year, by type" in page(web_client, "/trends")
    assert "Connect" in page(web_client, "/projects")
    surveys = page(web_client, "/surveys")
    assert "Labs with an AI strategy" in surveys and "64 %" in surveys


def test_docs_page_lists_the_api_without_a_cdn(web_client: Any) -> None:
    html = page(web_client, "/docs")
    assert "/api/v1/network.gexf" in html and "/openapi.json" in html
    assert "cdn" not in html.lower()


def test_french_by_parameter_cookie_and_header(web_client: Any) -> None:
    html = page(web_client, "/?lang=fr")
    assert '<html lang="fr">' in html and "Dernières alliances" in html
    assert web_client.cookies.get("alliances_lang") == "fr"
    assert "Matrice" in page(web_client, "/matrix")  # remembered by the cookie
    page(web_client, "/?lang=en")
    assert "Latest alliances" in page(web_client, "/")
    web_client.cookies.clear()
    assert "Dernières alliances" in page(web_client, "/", **{"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"})
    assert "Latest alliances" in page(web_client, "/", **{"Accept-Language": "de-DE"})


def test_french_labels_for_vocabulary() -> None:
    t = Translator("fr")
    assert t.label("technologies", "iot") == "Objets connectés (IoT)"
    assert t("list.page_of", page=2, pages=5) == "page 2 sur 5"
    assert t.number(12345) == "12\u202f345"
    assert negotiate("xx", None, None, "fr") == "fr"


def test_every_ui_string_exists_in_both_languages() -> None:
    strings = catalogue()
    assert all(set(entry) == set(LANGS) and all(entry.values()) for entry in strings.values())
    used: set[str] = set()
    for template in TEMPLATES.glob("*.html"):
        used |= set(re.findall(r"""\bt\(\s*["']([a-z_]+\.[a-z_.0-9]+)["']\s*[,)]""", template.read_text()))
    missing = sorted(k for k in used if k not in strings)
    assert not missing, missing
    for entry in strings.values():  # placeholders identical in both languages
        assert set(re.findall(r"{(\w+)}", entry["en"])) == set(re.findall(r"{(\w+)}", entry["fr"]))


def test_year_axis_labels_follow_the_span_of_years(bundled_client: Any) -> None:
    """Microsoft's partners by year run from 2011 to 2026 with gaps: 16 labels do not fit a half-width
    chart one per year, so they go every other year (they ran together as "201120122013…")."""
    import html as htmllib
    import json
    import re

    from alliances.web.charts import year_axis

    assert year_axis("Year", [2011, *range(2016, 2027)])["dtick"] == 2
    assert year_axis("Year", list(range(2015, 2027)))["dtick"] == 1
    page = bundled_client.get("/organisations/Microsoft").text
    found = re.search(r'id="partners-by-year" class="plot" data-figure=\'([^\']+)\'', page)
    assert found is not None
    by_year = json.loads(htmllib.unescape(found.group(1)))
    assert by_year["layout"]["xaxis"]["dtick"] == 2


def test_share_axes_write_per_cent_the_french_way(bundled_client: Any) -> None:
    """ "40 %" in French (narrow no-break space), "40%" in English, on the trends page's share chart."""
    import html as htmllib
    import json
    import re

    for lang, suffix in (("fr", "\u202f%"), ("en", "%")):
        page = bundled_client.get(f"/trends?lang={lang}").text
        figures = [json.loads(htmllib.unescape(f)) for f in re.findall(r"data-figure='([^']+)'", page)]
        shares = [f for f in figures if "ticksuffix" in f["layout"]["yaxis"]]
        assert shares and all(f["layout"]["yaxis"]["ticksuffix"] == suffix for f in shares), lang
    bundled_client.cookies.clear()
