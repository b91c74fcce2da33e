"""The technology × value-chain matrix counts exactly the records tagged with both."""

from __future__ import annotations

import pytest

from alliances.analytics.matrix import MATRIX_STAGES, MATRIX_TECHNOLOGIES, tech_stage_matrix
from alliances.store.db import Database
from alliances.store.filters import Filters


def test_matrix_has_the_studys_eight_technologies_and_five_links() -> None:
    assert MATRIX_TECHNOLOGIES == (
        "ai",
        "big_data",
        "cloud",
        "augmented_reality",
        "robotics",
        "iot",
        "simulation",
        "cybersecurity_blockchain",
    )
    assert MATRIX_STAGES == ("research", "development", "production", "distribution", "usage")


def test_alliance_cells_count_distinct_alliances(web_db: Database) -> None:
    with web_db.session() as s:
        m = tech_stage_matrix(s, Filters())
    # W01, W02, W03, W04, W06 are AI × research; W01 and W03 AI × development.
    assert m.count("ai", "research") == 5
    assert m.count("ai", "development") == 2
    assert m.count("iot", "usage") == 2  # W05, W10
    assert m.count("simulation", "development") == 1
    assert m.count("robotics", "research") == 0
    assert m.densest() == ("ai", "research")
    assert m.records == 10
    assert m.max == 5


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (Filters(type="rd_collaboration"), 4),  # W03 is an equity investment
        (Filters(year_from=2020), 2),  # W03 (2021), W06 (2020)
        (Filters(year_to=2019), 3),
        (Filters(kind="big_tech"), 2),  # W01 (Google), W04 (Microsoft)
        (Filters(party="Owkin"), 2),
    ],
)
def test_alliance_cells_follow_the_list_filters(web_db: Database, filters: Filters, expected: int) -> None:
    with web_db.session() as s:
        assert tech_stage_matrix(s, filters).count("ai", "research") == expected


def test_projects_and_both_add_up(web_db: Database) -> None:
    with web_db.session() as s:
        alliances = tech_stage_matrix(s, Filters(), "alliances")
        projects = tech_stage_matrix(s, Filters(), "projects")
        both = tech_stage_matrix(s, Filters(), "both")
    assert projects.count("big_data", "research") == 1  # DARWIN
    assert projects.count("iot", "production") == 1  # Connect
    assert projects.records == 2
    for t in MATRIX_TECHNOLOGIES:
        for stage in MATRIX_STAGES:
            assert both.count(t, stage) == alliances.count(t, stage) + projects.count(t, stage)
    assert both.public().model_dump()["rows"][1][0] == 2  # big data × research: W06 and DARWIN


def test_matrix_as_dict_rows_match_cells(web_db: Database) -> None:
    with web_db.session() as s:
        data = tech_stage_matrix(s, Filters()).public().model_dump()
    assert len(data["rows"]) == 8 and all(len(r) == 5 for r in data["rows"])
    cells = {(c["technology"], c["stage"]): c["count"] for c in data["cells"]}
    assert data["rows"][0] == [cells[("ai", s)] for s in MATRIX_STAGES]
