"""Surveys: shares with 95% Wilson intervals, imported responses, and the bundled published figures."""

from __future__ import annotations

import csv
import json
import math
import re
from pathlib import Path
from typing import Any

import pytest

from alliances.maturity.survey import smallest_consistent_n, wilson
from alliances.store.db import Database
from alliances.store.maturity import survey_answers
from tests.conftest import make_web_client


def wilson_by_formula(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """The Wilson score interval written out, to check the library call against."""
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


@pytest.mark.parametrize(("k", "n"), [(0, 10), (3, 10), (14, 42), (33, 42), (42, 42), (500, 1000)])
def test_wilson_interval(k: int, n: int) -> None:
    assert wilson(k, n) == pytest.approx(wilson_by_formula(k, n), abs=1e-9)


def test_published_figures_get_intervals_from_share_and_sample_size(bundled_db: Database) -> None:
    client = make_web_client(bundled_db)
    data = client.get("/api/v1/maturity/surveys").json()
    (pub,) = [p for p in data["published"] if p["key"] == "techtomed-2023"]
    percents = [f["value"] for f in pub["figures"]]
    assert pub["n"] == 42 == smallest_consistent_n(percents) == pub["smallest_consistent_n"]
    startups = next(f for f in pub["figures"] if f["key"] == "partner_directly_with_startups")
    assert startups["value"] == 79 and startups["k"] == 33
    assert (startups["low"], startups["high"]) == pytest.approx(wilson_by_formula(33, 42), abs=1e-4)
    page = client.get("/maturity/surveys")
    assert (
        "Only the published shares are known" in page.text and "does not state its sample size" in page.text
    )
    assert "33 / 42" in page.text
    fr = client.get("/maturity/surveys?lang=fr")
    assert "Seules les parts publiées sont connues" in fr.text and "Only the published" not in fr.text


def write_responses(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(
            fh, ["respondent", "sector", "size", "country", "digital_bu", "partner_startups"]
        )
        writer.writeheader()
        writer.writerows(rows)
    return path


def responses() -> list[dict[str, str]]:
    rows = []
    for i in range(60):
        sector = "pharma" if i < 30 else "biotech" if i < 55 else "medtech"
        rows.append(
            {
                "respondent": f"r{i:02d}",
                "sector": sector,
                "size": "large",
                "country": "FR",
                "digital_bu": ["dedicated", "collaboration", "none"][i % 3],
                "partner_startups": "yes" if i % 4 else "no",
            }
        )
    return rows


def test_imported_responses_give_shares_intervals_and_safe_breakdowns(
    web_db: Database, cli: Any, tmp_path: Path
) -> None:
    path = write_responses(tmp_path / "r.csv", responses())
    result = cli("survey", "import", str(path), "--db", web_db.url)
    assert result.code == 0 and "Imported 60 responses" in result.out
    again = cli("survey", "import", str(path), "--db", web_db.url)  # same respondents: replaced, not doubled
    assert again.code == 0
    data = json.loads(cli("survey", "show", "--db", web_db.url, "--json").out)
    (survey,) = data["imported"]
    assert survey["n"] == 60
    startups = next(q for q in survey["questions"] if q["key"] == "partner_startups")
    yes = next(s for s in startups["overall"] if s["option"] == "yes")
    assert (yes["k"], yes["n"]) == (45, 60)
    assert (yes["low"], yes["high"]) == pytest.approx(wilson_by_formula(45, 60), abs=1e-4)
    assert set(startups["breakdown"]) == {"pharma", "biotech"} and startups["hidden_groups"] == 1
    page = make_web_client(web_db).get("/maturity/surveys").text
    assert "Digital strategy of health-industry companies" in page and "60 respondents" in page
    assert "1 group(s) with fewer than 10 respondents not shown." in page


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"partner_startups": "perhaps"}, "r.csv:4: partner_startups: 'perhaps' is not one of yes, no"),
        ({"respondent": "r00"}, "r.csv:4: respondent 'r00' appears twice"),
        ({"sector": "bakery"}, "r.csv:4: unknown sector 'bakery'"),
    ],
)
def test_bad_survey_rows_reject_the_whole_file(
    web_db: Database, cli: Any, tmp_path: Path, change: dict[str, str], message: str
) -> None:
    rows = responses()[:5]
    rows[2] = {**rows[2], **change}
    result = cli("survey", "import", str(write_responses(tmp_path / "r.csv", rows)), "--db", web_db.url)
    assert result.code == 2 and message in result.err and result.err.count("\n") == 1
    with web_db.session() as s:
        assert survey_answers(s, "digital-strategy") == []


def test_show_prints_the_breakdown_in_per_cent(cli: Any, bundled_db: Database) -> None:
    """`survey show --by sector` on the shipped example: every share and bound in per cent (the published
    figures printed 33.3 beside 0.2101), one row per shown sector, and the hidden groups counted."""
    example = Path(__file__).resolve().parents[1] / "examples" / "survey" / "responses-2026.csv"
    imported = cli("survey", "import", str(example), "--survey", "digital-strategy", "--db", bundled_db.url)
    assert imported.code == 0, imported.err
    out = cli("survey", "show", "--by", "sector", "--db", bundled_db.url).out
    assert "digital-strategy (n=30; by sector" in out
    assert re.search(r"partner_startups +│ medtech +│ yes +│ 81\.8 +│ 52\.3 +│ 94\.9 +│ 11", out), out
    assert "1 sector group(s) of fewer than 10 respondents not shown." in out
    assert re.search(r"dedicated_digital_bu +│ 33\.3 +│ 21\.0 +│ 48\.4", out), out
