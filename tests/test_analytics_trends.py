"""Trends: yearly series aligned on consecutive years, partner shares, terminations by year of ending."""

from __future__ import annotations

from alliances.analytics.trends import alliance_trends
from alliances.store.db import Database
from alliances.store.filters import Filters


def test_years_are_consecutive_and_totals_match(web_db: Database) -> None:
    with web_db.session() as s:
        tr = alliance_trends(s, Filters()).model_dump()
    assert tr["years"] == list(range(2016, 2024))
    assert sum(tr["total"]) == 10
    at = tr["years"].index
    assert tr["total"][at(2019)] == 2 and tr["total"][at(2017)] == 0


def test_series_by_type_and_technology(web_db: Database) -> None:
    with web_db.session() as s:
        tr = alliance_trends(s, Filters()).model_dump()
    at = tr["years"].index
    assert tr["by_type"]["rd_collaboration"][at(2020)] == 2  # W06, W08
    assert "acquisition" not in tr["by_type"]  # empty series are left out
    assert sum(tr["by_technology"]["ai"]) == 6
    assert tr["by_technology"]["iot"][at(2016)] == 1


def test_partner_shares_per_year(web_db: Database) -> None:
    with web_db.session() as s:
        tr = alliance_trends(s, Filters()).model_dump()
    at = tr["years"].index
    shares = tr["partners"]["shares"]
    assert tr["partners"]["parties"][at(2019)] == 4  # two alliances of two parties
    assert shares["big_tech"][at(2019)] == 0.5  # Google and Microsoft
    assert shares["startup"][at(2018)] == 0.5  # Numerate
    assert {"startup", "big_tech"} <= set(tr["partners"]["highlight"])


def test_terminations_by_year_of_ending(web_db: Database) -> None:
    with web_db.session() as s:
        tr = alliance_trends(s, Filters()).model_dump()
    at = tr["years"].index
    assert tr["terminations"]["total"] == 2
    assert tr["terminations"]["by_year"][at(2020)] == 1  # W05 ended 2020-12
    assert tr["terminations"]["undated"] == 1  # W09 has no end date


def test_filters_narrow_the_series(web_db: Database) -> None:
    with web_db.session() as s:
        tr = alliance_trends(s, Filters(technology="cloud")).model_dump()
        empty = alliance_trends(s, Filters(technology="robotics")).model_dump()
    assert sum(tr["total"]) == 3  # W01, W07, W09
    assert empty["years"] == [] and empty["total"] == []
