"""What a new user sees: HEAD and 405, past-the-end pages, fuzzy organisation search, read-only files,
SQLite URI filenames, and the same organisation count from init and stats."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from alliances.store.db import Database


@pytest.mark.parametrize(
    "path", ["/", "/alliances", "/api/v1/alliances", "/organisations/Sanofi", "/healthz"]
)
def test_head_answers_every_get_route(web_client: Any, path: str) -> None:
    get, head = web_client.get(path), web_client.head(path)
    assert head.status_code == get.status_code == 200 and head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]


def test_405_says_what_is_allowed(web_client: Any) -> None:
    response = web_client.delete("/api/v1/alliances")
    assert response.status_code == 405 and response.headers["allow"] == "GET, HEAD"
    assert response.json()["status"] == 405


@pytest.mark.parametrize("path", ["/api/v1/alliances", "/api/v1/organisations", "/api/v1/projects"])
def test_a_page_past_the_end_is_the_last_page(web_client: Any, path: str) -> None:
    last = web_client.get(f"{path}?page=999&per_page=3").json()
    assert last["page"] == -(-last["total"] // 3) and last["items"]
    assert "24951" not in web_client.get("/alliances?page=999&lang=en").text


@pytest.mark.parametrize(
    ("text", "expected"), [("Nexvia", []), ("L'Oréal", []), ("Mircosoft", ["Microsoft"])]
)
def test_fuzzy_search_needs_a_real_likeness(
    cli: Any, web_db: Database, text: str, expected: list[str]
) -> None:
    found = json.loads(cli("orgs", "search", text, "--db", web_db.url, "--json").out)
    assert [o["name"] for o in found] == expected


def test_read_only_file_is_refused_even_for_root(cli: Any, web_db: Database, tmp_path: Path) -> None:
    path = Path(web_db.url.removeprefix("sqlite:///"))
    path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    try:
        out = cli("orgs", "merge", "Google", "Verily", "--db", web_db.url)
        assert out.code == 6 and "read-only" in out.err
    finally:
        path.chmod(0o644)


def test_uri_filenames_create_no_folder(cli: Any, web_db: Database, tmp_path: Path, monkeypatch: Any) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    path = web_db.url.removeprefix("sqlite:///")
    url = f"sqlite:///file:{path}?mode=ro&uri=true"
    out = cli("stats", "--db", url, "--json")
    assert out.code == 0 and json.loads(out.out)["alliances"] == 10
    assert cli("orgs", "merge", "Google", "Verily", "--db", url).code == 6
    assert os.listdir(work) == []


def test_init_counts_what_stats_counts(cli: Any, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    init = cli("init", "--db", url)
    stats = json.loads(cli("stats", "--db", url, "--json").out)
    assert f"added {stats['organisations']} organisations" in init.out.replace("\n", " ")


def test_the_big_tech_ranking_ranks_only_big_tech(bundled_client: Any) -> None:
    ranking = bundled_client.get("/api/v1/network?kind=big_tech&year_from=2021&per_page=50").json()
    assert ranking["items"] and {i["kind"] for i in ranking["items"]} == {"big_tech"}
    assert "Microsoft" in [i["name"] for i in ranking["items"][:5]]
    assert ranking["items"][0]["rank"] == 1
