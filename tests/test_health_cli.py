"""`alliances health import|show|check|portfolio` on a real SQLite file: all-or-nothing imports with
line-numbered errors, and plans visible only to the alliance's parties."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from alliances.store.db import Database
from alliances.store.health import HealthEntry, HealthPlan, get_history, portfolio
from alliances.store.models import Alliance
from alliances.store.viewer import Viewer

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "health"


@pytest.fixture
def db(web_db: Database) -> Iterator[Database]:
    yield web_db


def alliance_id(db: Database, title: str) -> int:
    with db.session() as s:
        found = s.scalar(select(Alliance.id).where(Alliance.title == title))
    assert found is not None, title
    return found


def entries(db: Database) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(HealthEntry)) or 0


def test_import_a_folder_then_show_it(cli: Any, db: Database) -> None:
    aid = alliance_id(db, "Sanofi – Google")
    result = cli(
        "health", "import", "all", str(EXAMPLES / "onduo-like"), "--alliance", str(aid), "--db", db.url
    )
    assert result.code == 0, result.err
    assert "16 milestones" in result.out and "26 spend" in result.out
    shown = cli("health", "show", str(aid), "--db", db.url, "--json")
    report = json.loads(shown.out)
    assert report["score"] < 50 and report["alerts"][0]["name"] == "escalation_of_commitment"
    french = cli("health", "show", str(aid), "--db", db.url, "--lang", "fr")
    assert "Escalade d'engagement" in french.out
    check = json.loads(cli("health", "check", str(aid), "--db", db.url, "--json").out)
    aligned = next(q for q in check if q["key"] == "objectives_aligned")
    assert aligned["by_party"] == {"Sanofi": 1.0, "Verily": 4.0} and aligned["gap"] == 3.0


def test_import_appends_ledgers_and_replaces_state(cli: Any, db: Database, tmp_path: Path) -> None:
    aid = alliance_id(db, "Sanofi – Google")
    cli("health", "import", "all", str(EXAMPLES / "healthy"), "--alliance", str(aid), "--db", db.url)
    spend = tmp_path / "spend.csv"
    spend.write_text("date,party,amount,note\n2020-01-15,Sanofi,1000000,Q1\n", encoding="utf-8")
    before = entries(db)
    assert cli("health", "import", "spend", str(spend), "--alliance", str(aid), "--db", db.url).code == 0
    assert entries(db) == before + 1
    checklist = tmp_path / "checklist.csv"
    checklist.write_text("item,answer,evidence\nexit_readiness,no,none yet\n", encoding="utf-8")
    assert (
        cli("health", "import", "checklist", str(checklist), "--alliance", str(aid), "--db", db.url).code == 0
    )
    assert entries(db) == before + 1 - 9 + 1
    with db.session() as s:
        history = get_history(s, aid, viewer=Viewer(is_admin=True))
    assert history.spend[-1].note == "Q1" and [c.item for c in history.checklist] == ["exit_readiness"]


@pytest.mark.parametrize(
    ("kind", "text", "message"),
    [
        ("spend", "date,party,amount\n2019-01-01,Sanofi,5\n2019-02-30,Sanofi,5\n", "spend.csv:3: date:"),
        ("spend", "date,party,amount,colour\n", "spend.csv:1: colour: unknown column"),
        (
            "milestones",
            "date,milestone,event,on\n2019-01-01,x,finished,2019-01-01\n",
            "milestones.csv:2: event: unknown",
        ),
        (
            "milestones",
            "date,milestone,event,on\n2019-01-01,new_one,completed,2019-01-01\n",
            "milestones.csv:2: milestone:",
        ),
        (
            "health_checks",
            "date,party,question,score\n2019-01-01,Sanofi,trust_sharing,6\n",
            "health_checks.csv:2: score:",
        ),
        (
            "obstacles",
            "obstacle,owner\nbad_luck,me\n",
            "obstacles.csv:2: obstacle: unknown obstacle 'bad_luck'",
        ),
        (
            "kpis",
            "date,objective,value\n2019-01-01,unknown_kpi,3\n",
            "kpis.csv:2: objective: unknown objective",
        ),
    ],
)
def test_bad_rows_are_rejected_whole_with_file_line_and_field(
    cli: Any, db: Database, tmp_path: Path, kind: str, text: str, message: str
) -> None:
    aid = alliance_id(db, "Sanofi – Google")
    cli("health", "import", "all", str(EXAMPLES / "onduo-like"), "--alliance", str(aid), "--db", db.url)
    before = entries(db)
    path = tmp_path / f"{kind}.csv"
    path.write_text(text, encoding="utf-8")
    result = cli("health", "import", kind, str(path), "--alliance", str(aid), "--db", db.url)
    assert result.code == 2
    assert message in result.err and "Traceback" not in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert entries(db) == before


def test_a_bad_file_in_a_folder_writes_nothing(cli: Any, db: Database, tmp_path: Path) -> None:
    folder = tmp_path / "history"
    shutil.copytree(EXAMPLES / "onduo-like", folder)
    with (folder / "spend.csv").open("a", encoding="utf-8") as f:
        f.write("2019-12-20,Sanofi,lots,final\n")
    aid = alliance_id(db, "Sanofi – Google")
    result = cli("health", "import", "all", str(folder), "--alliance", str(aid), "--db", db.url)
    assert result.code == 2 and "spend.csv:28: amount:" in result.err
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(HealthPlan)) == 0


def test_plans_are_private_to_the_alliance_parties(cli: Any, db: Database) -> None:
    aid = alliance_id(db, "Sanofi – Google")
    assert cli("health", "import", "all", str(EXAMPLES / "onduo-like"), "--alliance", str(aid), "--as-org",
               "Sanofi", "--db", db.url).code == 0  # fmt: skip
    assert cli("health", "show", str(aid), "--as-org", "Google", "--db", db.url).code == 0
    outsider = cli("health", "show", str(aid), "--as-org", "Novartis", "--db", db.url)
    assert outsider.code == 3 and "no health plan" in outsider.err
    listing = cli("health", "portfolio", "Sanofi", "--as-org", "Novartis", "--db", db.url, "--json")
    assert json.loads(listing.out) == []
    mine = json.loads(
        cli("health", "portfolio", "Sanofi", "--as-org", "Sanofi", "--db", db.url, "--json").out
    )
    assert [i["alliance_id"] for i in mine] == [aid]
    with db.session() as s:
        assert portfolio(s, 1, viewer=Viewer()) == []
        plan = s.scalar(select(HealthPlan))
        assert plan is not None and plan.owner_id != 0


def test_only_a_party_may_attach_a_plan(cli: Any, db: Database) -> None:
    aid = alliance_id(db, "Sanofi – Google")
    result = cli("health", "import", "all", str(EXAMPLES / "healthy"), "--alliance", str(aid), "--as-org",
                 "Novartis", "--db", db.url)  # fmt: skip
    assert result.code == 4 and "only a member of a party" in result.err
    assert entries(db) == 0


def test_replay_of_a_missing_folder_is_one_line(cli: Any, tmp_path: Path) -> None:
    result = cli("health", "replay", str(tmp_path / "nowhere"), "--json")
    assert result.code == 2 and "not a folder" in result.err and result.out == ""


def test_reimporting_a_ledger_adds_nothing_and_cross_checks_name_the_true_line(
    cli: Any, db: Database, tmp_path: Path
) -> None:
    aid = alliance_id(db, "Sanofi – Google")
    folder = str(EXAMPLES / "onduo-like")
    assert cli("health", "import", "all", folder, "--alliance", str(aid), "--db", db.url).code == 0
    before = entries(db)
    again = cli("health", "import", "all", folder, "--alliance", str(aid), "--db", db.url)
    assert again.code == 0 and "0 spend" in again.out and "0 milestones" in again.out
    assert entries(db) == before  # ledgers skip known rows; state kinds are replaced by the same rows
    kpis = tmp_path / "kpis.csv"
    kpis.write_text(
        "date,objective,value\n\n2020-03-31,members,1\n\n2020-03-31,unknown,1\n", encoding="utf-8"
    )
    result = cli("health", "import", "kpis", str(kpis), "--alliance", str(aid), "--db", db.url)
    assert result.code == 2 and "kpis.csv:5: objective: unknown objective 'unknown'" in result.err
