"""`alliances recommend` and `recommend-eval` through the real entry point, on the bundled real data."""

from __future__ import annotations

import json
from typing import Any

import pytest

from alliances.store.db import Database


@pytest.fixture
def dbfile(bundled_db: Database) -> str:
    return bundled_db.url.removeprefix("sqlite:///")


def test_recommend_servier_ai_development_json(cli: Any, dbfile: str) -> None:
    result = cli(
        "recommend", "Servier", "--technology", "ai", "--stage", "development", "--json", "--db", dbfile
    )
    items = json.loads(result.out)
    assert result.code == 0 and len(items) == 10
    assert all({"organisation", "score", "reasons"} <= set(i) for i in items)
    assert "Servier" not in {i["organisation"] for i in items}
    assert all("ai × development" in i["reasons"][0] for i in items)
    scores = [i["score"] for i in items]
    assert scores == sorted(scores, reverse=True)


def test_recommend_table(cli: Any, dbfile: str) -> None:
    result = cli("recommend", "Sanofi", "--top", "3", "--db", dbfile)
    assert result.code == 0 and "Partners for Sanofi" in result.out


def test_need_search_without_organisation(cli: Any, dbfile: str) -> None:
    result = cli(
        "recommend",
        "--technology",
        "ai",
        "--stage",
        "research",
        "--area",
        "oncology",
        "--kind",
        "startup",
        "--since",
        "2023",
        "--json",
        "--db",
        dbfile,
    )
    items = json.loads(result.out)
    assert result.code == 0 and items
    assert all(i["kind"] == "startup" for i in items)


def test_unknown_organisation_is_one_line_with_suggestions(cli: Any, dbfile: str) -> None:
    result = cli("recommend", "Servierr", "--db", dbfile)
    assert result.code == 3
    assert "closest: Servier" in result.err and len(result.err.strip().splitlines()) == 1


def test_recommend_eval_on_real_history(cli: Any, dbfile: str) -> None:
    result = cli("recommend-eval", "--split-year", "2021", "--json", "--db", dbfile)
    report = json.loads(result.out)
    assert result.code == 0 and report["split_year"] == 2021 and report["test_pairs"] > 100
    methods = report["methods"]
    assert {"random", "popularity", "adamic_adar", "preferential_attachment", "ranker"} <= set(methods)
    assert methods["random"]["baseline"] and not methods["ranker"]["baseline"]
    assert methods[report["chosen"]]["hits@10"] > methods["random"]["hits@10"]
