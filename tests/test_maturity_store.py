"""Private answers: import (all or nothing), the viewer rule on every read, sittings, completion."""

from __future__ import annotations

import csv
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from alliances.maturity.model import load_model
from alliances.store import maturity as store
from alliances.store.db import Database
from alliances.store.organisations import find_organisation
from alliances.store.viewer import Viewer

MODEL = load_model()


PASSWORD = "a long enough password"


def member_email(organisation_id: int) -> str:
    return f"analyst-{organisation_id}@example.org"


def member_headers(db: Database, organisation_id: int) -> dict[str, str]:
    """A real account (analyst of that organisation, made once) and the bearer header of a new token."""
    from alliances.auth import accounts
    from alliances.store.accounts import user_by_email

    with db.session() as s:
        user = user_by_email(s, member_email(organisation_id))
        if user is None:
            user = accounts.add_user(
                s, member_email(organisation_id), PASSWORD, organisation=str(organisation_id), role="analyst"
            )
        return {"Authorization": f"Bearer {accounts.issue(s, user).secret}"}


def member_client(db: Database) -> Any:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    from alliances.settings import Settings
    from alliances.web import create_app

    return TestClient(create_app(Settings(db=db.url), database=db))


def answers(level: str = "3") -> dict[str, str]:
    return {q.key: level if q.type == "adoption" else MODEL.met[q.type] for q in MODEL.questions}


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    columns = list(rows[0])
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def org_id(db: Database, name: str) -> int:
    with db.session() as s:
        return find_organisation(s, name).id


def count(db: Database) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(store.MaturityAssessment)) or 0


def profile(org: str, label: str, assessed: str) -> dict[str, str]:
    return {
        "organisation": org,
        "label": label,
        "assessed": assessed,
        "sector": "pharma",
        "size": "large",
        "country": "FR",
    }


def test_import_csv_then_only_members_see_it(web_db: Database, cli: Any, tmp_path: Path) -> None:
    rows = [
        {**profile("Sanofi", "T0", "2025-03-01"), **answers("2")},
        {**profile("Sanofi", "T1", "2026-03-01"), **answers("3")},
    ]
    result = cli("maturity", "import", str(write_csv(tmp_path / "a.csv", rows)), "--db", web_db.url)
    assert result.code == 0, result.err
    assert "Imported 2 assessments (2 complete)" in result.out
    mine = json.loads(cli("maturity", "show", "--as-org", "Sanofi", "--db", web_db.url, "--json").out)
    assert [a["label"] for a in mine] == ["T0", "T1"] and mine[0]["answers"] == {}
    assert json.loads(cli("maturity", "show", "--as-org", "Servier", "--db", web_db.url, "--json").out) == []
    other = cli("maturity", "show", str(mine[0]["id"]), "--as-org", "Servier", "--db", web_db.url)
    assert other.code == 3 and "no assessment with id" in other.err
    traj = json.loads(cli("maturity", "trajectory", "Sanofi", "--db", web_db.url, "--json").out)
    assert traj["progress"]["overall"] > 0 and [p["label"] for p in traj["points"]] == ["T0", "T1"]


@pytest.mark.parametrize(
    ("change", "where", "message"),
    [
        ({"cell.ai.research": "9"}, "a.csv:3", "cell.ai.research: '9' is not an answer"),
        ({"sector": "bakery"}, "a.csv:3", "unknown sector 'bakery'"),
        ({"organisation": "Nobody Ltd"}, "a.csv:3", "no organisation named 'Nobody Ltd'"),
        ({"assessed": "2026/03/01"}, "a.csv:3", "assessed must be a date"),
    ],
)
def test_import_is_all_or_nothing_with_the_line(
    web_db: Database, cli: Any, tmp_path: Path, change: dict[str, str], where: str, message: str
) -> None:
    rows = [
        {**profile("Sanofi", "T0", "2025-03-01"), **answers()},
        {**profile("Servier", "T0", "2025-03-01"), **answers(), **change},
    ]
    result = cli("maturity", "import", str(write_csv(tmp_path / "a.csv", rows)), "--db", web_db.url)
    assert result.code == 2, result.err
    assert result.err.startswith(f"Error: {tmp_path / where}") and message in result.err
    assert result.err.count("\n") == 1
    assert count(web_db) == 0


def test_import_json_and_as_org_cannot_write_for_another(web_db: Database, cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text(
        json.dumps([{**profile("Sanofi", "T0", "2025-01-01"), "answers": {"cell.ai.research": "2"}}])
    )
    denied = cli("maturity", "import", str(path), "--as-org", "Servier", "--db", web_db.url)
    assert denied.code == 4 and count(web_db) == 0
    ok = cli("maturity", "import", str(path), "--as-org", "Sanofi", "--db", web_db.url)
    assert ok.code == 0 and "(0 complete)" in ok.out  # a partial assessment stays a draft


def test_every_route_keeps_answers_private(web_db: Database) -> None:
    sanofi, servier = org_id(web_db, "Sanofi"), org_id(web_db, "Servier")
    client = member_client(web_db)
    me, rival = member_headers(web_db, sanofi), member_headers(web_db, servier)
    created = client.post(
        "/api/v1/maturity/assessments",
        headers=me,
        json={"organisation_id": sanofi, "sector": "pharma", "size": "large", "country": "FR"},
    )
    assert created.status_code == 200, created.text
    aid = created.json()["id"]
    saved = client.put(
        f"/api/v1/maturity/assessments/{aid}/answers",
        headers=me,
        json={"answers": {"cell.ai.research": "4", "org.digital_bu": "yes"}},
    )
    assert saved.json() == {"saved": 2, "answered": 2, "questions": len(MODEL.questions)}
    assert client.get(f"/api/v1/maturity/assessments/{aid}", headers=me).json()["assessment"]["answers"] == {
        "cell.ai.research": "4",
        "org.digital_bu": "yes",
    }
    for headers in (rival, {}):
        for method, path, body in [
            ("GET", f"/api/v1/maturity/assessments/{aid}", None),
            ("PUT", f"/api/v1/maturity/assessments/{aid}/answers", {"answers": {"cell.ai.research": "0"}}),
            ("POST", f"/api/v1/maturity/assessments/{aid}/complete", None),
            ("GET", f"/maturity/assessments/{aid}", None),
            ("GET", f"/maturity/assessments/{aid}/form", None),
        ]:
            response = client.request(method, path, headers=headers, json=body)
            anonymous_write = not headers and method != "GET"  # refused before anything is looked up
            assert response.status_code == (401 if anonymous_write else 404), (headers, path)
            assert "cell.ai.research" not in response.text
        assert client.get("/api/v1/maturity/assessments", headers=headers).json()["items"] == []
        assert client.get(f"/api/v1/maturity/trajectory/{sanofi}", headers=headers).status_code == 403
        assert client.get(f"/maturity/trajectory?organisation={sanofi}", headers=headers).status_code == 403
    stolen = client.post(
        "/api/v1/maturity/assessments",
        headers=rival,
        json={"organisation_id": sanofi, "sector": "pharma", "size": "large", "country": "FR"},
    )
    assert stolen.status_code == 403
    with web_db.session() as s:  # the rival's attempt to overwrite changed nothing
        assert store.get_assessment(s, aid, viewer=Viewer(is_admin=True)).answers["cell.ai.research"] == "4"


def test_completion_needs_every_answer(web_db: Database) -> None:
    sanofi = org_id(web_db, "Sanofi")
    client = member_client(web_db)
    me = member_headers(web_db, sanofi)
    aid = client.post(
        "/api/v1/maturity/assessments",
        headers=me,
        json={"organisation_id": sanofi, "sector": "pharma", "size": "large", "country": "FR"},
    ).json()["id"]
    early = client.post(f"/api/v1/maturity/assessments/{aid}/complete", headers=me)
    assert early.status_code == 422 and "still unanswered" in early.json()["error"]
    client.put(f"/api/v1/maturity/assessments/{aid}/answers", headers=me, json={"answers": answers("4")})
    done = client.post(f"/api/v1/maturity/assessments/{aid}/complete", headers=me)
    assert done.status_code == 200 and done.json()["overall_level"] == 5
    late = client.put(
        f"/api/v1/maturity/assessments/{aid}/answers", headers=me, json={"answers": {"org.roadmap": "0"}}
    )
    assert late.status_code == 403


def test_saves_are_grouped_into_sittings(web_db: Database) -> None:
    admin = Viewer(is_admin=True)
    sanofi = org_id(web_db, "Sanofi")
    start = datetime(2026, 3, 1, 9, 0)
    with web_db.session() as s:
        aid = store.create_assessment(
            s, organisation_id=sanofi, sector="pharma", size_band="large", country="FR", viewer=admin
        )
        for minutes, key in [(0, "cell.ai.research"), (10, "cell.ai.development"), (180, "org.roadmap")]:
            store.save_answers(s, aid, {key: "2"}, viewer=admin, now=start + timedelta(minutes=minutes))
        got = store.sittings(s, aid, viewer=admin)
    assert [g.saves for g in got] == [2, 1]
    assert got[1].started == (start + timedelta(minutes=180)).isoformat()
