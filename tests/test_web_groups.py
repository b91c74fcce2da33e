"""Group profiles: a parent shows its own alliances and its subsidiaries' (marked by which one); empty
profiles draw no empty chart."""

from __future__ import annotations

import html
import json
import re
from typing import Any


def test_parent_profile_counts_its_subsidiaries(web_client: Any) -> None:
    org = web_client.get("/api/v1/organisations/Alphabet").json()
    listed = web_client.get("/api/v1/alliances?party=Alphabet").json()
    assert org["degree"] == org["alliances_total"] == listed["total"] == 4
    assert org["own_alliances"] == 0 and org["group"] == ["Google", "Verily"]
    via = {a["key"]: a["via"] for a in org["alliances"]}
    assert via == {"W01": ["Google"], "W05": ["Verily"], "W09": ["Google"], "W10": ["Google"]}
    partners = {p["name"] for p in org["partners"]}
    assert partners == {"Sanofi", "Novartis", "Servier"}  # never its own subsidiaries
    assert sum(org["partners_by_year"].values()) == 4
    assert {n["name"] for n in org["ego_network"]["nodes"]} >= {"Alphabet", "Sanofi", "Novartis", "Servier"}
    page = web_client.get("/organisations/Alphabet?lang=en").text
    assert "4 alliances" in page and "through Verily" in page and 'id="group-note"' in page
    fr = web_client.get("/organisations/Alphabet?lang=fr").text
    assert "via Verily" in fr and "4 alliances du groupe : 0 en direct" in fr


def test_a_subsidiary_profile_stays_its_own(web_client: Any) -> None:
    org = web_client.get("/api/v1/organisations/Google").json()
    assert org["degree"] == 3 and org["group"] == [] and all(a["via"] == [] for a in org["alliances"])
    assert org["parent"]["name"] == "Alphabet"


def test_an_organisation_without_alliances_draws_no_empty_chart(web_client: Any) -> None:
    page = web_client.get("/organisations/Air Liquide?lang=en").text
    assert "0 alliances" in page and "No dated alliance yet." in page
    assert "No partner recorded yet." in page
    assert "data-figure" not in page  # no chart with an empty year axis from -1 to 6
    busy = web_client.get("/organisations/Sanofi?lang=en").text
    figures = [json.loads(html.unescape(f)) for f in re.findall(r"data-figure='([^']*)'", busy)]
    assert figures and all(f["data"][0]["x"] for f in figures)
    assert "1 alliance<" not in page
