"""The About-the-data page and its JSON twin, on the bundled real dataset, in English and French."""

from __future__ import annotations

import re
from typing import Any

from alliances.store.about import AboutData


def test_about_api_counts_the_bundle(bundled_client: Any) -> None:
    response = bundled_client.get("/api/v1/about")
    assert response.status_code == 200
    about = AboutData.model_validate(response.json())
    assert about.by_origin == {"real": 798, "seed": 19} and about.alliances == 817
    assert sum(about.by_year.values()) == sum(about.by_type.values()) == 817
    assert about.terminated == 30 and about.terminated_with_end_date >= 29
    assert 0.3 < about.exact_day_share < 0.5 and about.exact_day == round(about.exact_day_share * 817)
    assert {"en", "fr", "ja", "ko"} <= set(about.by_source_language)
    assert about.organisations_placed / about.organisations >= 0.95


def test_about_page_shows_the_figures_and_how_to_add_sources(bundled_client: Any) -> None:
    html = bundled_client.get("/about?lang=en").text
    about = bundled_client.get("/api/v1/about").json()
    assert "About the data" in html and "How to add sources" in html and "alliances data check FILE" in html
    year_table = html.split('id="by-year"')[1].split("</table>")[0]
    assert '>2019</a></td><td class="num">' + str(about["by_year"]["2019"]) in year_table
    assert "Japanese" in html and "R&amp;D collaboration" in html
    assert '<a href="/about">About the data</a>' in bundled_client.get("/").text


def test_about_page_in_french_is_wholly_french(bundled_client: Any) -> None:
    html = bundled_client.get("/about?lang=fr").text
    assert "À propos des données" in html and "Ajouter des sources" in html and "japonais" in html
    text = re.sub(r"<code>.*?</code>|<[^>]+>", " ", html.split("<main")[1].split("</main>")[0], flags=re.S)
    for english in ("About", "How to", "Japanese", "English", "undated", "alliances by", "Sources by"):
        assert english not in text
