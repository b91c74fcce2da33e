"""`alliances backup` and `restore`: the whole database round-trips; a damaged file is refused."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from alliances.auth import accounts
from alliances.store.backup import backup
from alliances.store.db import Database
from alliances.store.models import Alliance, Base, Organisation
from alliances.store.writes import add_alliance


def content(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary-key order."""
    with db.engine.connect() as conn:
        return {
            t.name: [tuple(r) for r in conn.execute(select(t).order_by(*t.primary_key.columns))]
            for t in Base.metadata.sorted_tables
        }


def fill(db: Database) -> None:
    with db.session() as s:
        add_alliance(
            s,
            {
                "parties": [{"name": "Sanofi", "kind": "pharma"}, {"name": "Owkin", "kind": "startup"}],
                "type": "rd_collaboration",
                "technologies": ["ai"],
                "date": "2024-05",
                "amount": {"value": 1.5e8, "currency": "EUR"},
            },
            create_missing=True,
        )
        sanofi = s.scalar(select(Organisation.id).where(Organisation.name == "Sanofi"))
        parent = Organisation(name="Holding é", norm="holding e", kind="other")
        s.add(parent)
        s.flush()
        child = s.get(Organisation, sanofi)
        assert child is not None
        child.parent_id = parent.id  # a row pointing to a later row of its own table
        secret = add_alliance(
            s,
            {
                "parties": [{"name": "Sanofi"}, {"name": "Secret Partner", "kind": "tech"}],
                "type": "joint_venture",
                "vehicle": "Secret JV",
                "visibility": "private",
                "owner_id": sanofi,
            },
            create_missing=True,
        )
        user = accounts.add_user(
            s, "ana@example.org", "a long enough password", organisation="Sanofi", role="admin"
        )
        accounts.issue(s, user)
        plant_health_and_maturity(s, secret.id, sanofi)


def plant_health_and_maturity(s: Any, alliance_id: int, owner: int) -> None:
    """A private health plan with spend and a checklist answer, and an answered maturity assessment."""
    from datetime import date

    from alliances.health.model import ChecklistAnswer, Plan, SpendEntry
    from alliances.store import maturity
    from alliances.store.health import save_entries
    from alliances.store.viewer import Viewer

    admin = Viewer(is_admin=True)
    plan = Plan(name="Secret plan", start=date(2024, 1, 15), end=date(2026, 12, 31))
    save_entries(s, alliance_id, "plan", [plan], viewer=admin, owner_id=owner, where="plan.csv")
    spend = SpendEntry(date=date(2024, 2, 20), party="Sanofi", amount=2e6, note="Q1")
    save_entries(s, alliance_id, "spend", [spend], viewer=admin, where="spend.csv")
    answer = ChecklistAnswer(item="exit_readiness", answer="partial", evidence="Draft exit terms")
    save_entries(s, alliance_id, "checklist", [answer], viewer=admin, where="checklist")
    aid = maturity.create_assessment(
        s, organisation_id=owner, sector="pharma", size_band="large", country="FR", viewer=admin
    )
    maturity.save_answers(s, aid, {"cell.ai.research": "4", "org.digital_bu": "yes"}, viewer=admin)


def test_round_trip_of_the_whole_database(any_db: Database, tmp_path: Path, cli: Any) -> None:
    fill(any_db)
    before = content(any_db)
    file = tmp_path / "obs.backup"
    done = cli("backup", str(file), "--db", any_db.url)
    assert done.code == 0, done.err
    target = Database.open(f"sqlite:///{tmp_path / 'restored.db'}")
    restored = cli("restore", str(file), "--yes", "--db", target.url)
    assert restored.code == 0, restored.err
    after = content(target)
    for snapshot in (before, after):  # issue 16: the rollup write counter moves on every write, restore too
        snapshot["alliance_rollup"] = [r for r in snapshot["alliance_rollup"] if r[0] != "writes"]
    assert {k: v for k, v in after.items() if k != "audit_entry"} == {
        k: v for k, v in before.items() if k != "audit_entry"
    }
    assert after["audit_entry"][: len(before["audit_entry"])] == before["audit_entry"]
    with target.session() as s:
        assert s.scalar(select(Alliance.visibility).where(Alliance.vehicle_name == "Secret JV")) == "private"
    for table in (
        "health_plan",
        "health_entry",
        "maturity_assessment",
        "maturity_answer",
        "maturity_sitting",
    ):
        assert before[table] and after[table] == before[table], table  # the private tables came back
    assert cli("audit", "verify", "--db", target.url).code == 0
    # Restoring onto the same engine it came from works too, and new rows get fresh ids afterwards.
    again = cli("restore", str(file), "--yes", "--db", any_db.url)
    assert again.code == 0, again.err
    with any_db.session() as s:
        s.add(Organisation(name="After restore", norm="after restore", kind="other"))
    target.dispose()


@pytest.mark.parametrize("damage", ["truncated", "flipped", "not a backup", "empty", "missing line"])
def test_damaged_backup_is_refused_and_changes_nothing(
    empty_db: Database, tmp_path: Path, cli: Any, damage: str
) -> None:
    fill(empty_db)
    file = tmp_path / "obs.backup"
    backup(empty_db, file)
    data = file.read_bytes()
    if damage == "truncated":
        file.write_bytes(data[: len(data) * 2 // 3])
    elif damage == "flipped":
        file.write_bytes(data.replace(b"Owkin", b"0wkin", 1))
    elif damage == "not a backup":
        file.write_text('{"parties": []}\n')
    elif damage == "empty":
        file.write_bytes(b"")
    else:
        lines = data.splitlines(keepends=True)
        file.write_bytes(b"".join(lines[:5] + lines[6:]))
    target_path = tmp_path / "target.db"
    empty_db.dispose()  # WAL: the last connection closing writes everything into the main file
    shutil.copy(Path(empty_db.url.removeprefix("sqlite:///")), target_path)
    target = Database.open(f"sqlite:///{target_path}")
    before = content(target)
    result = cli("restore", str(file), "--yes", "--db", target.url)
    assert result.code == 2 and len(result.err.strip().splitlines()) == 1, result.err
    assert "corrupt" in result.err or "not a backup" in result.err
    assert content(target) == before
    target.dispose()


def test_backup_of_a_missing_file_path_is_one_line(empty_db: Database, tmp_path: Path, cli: Any) -> None:
    result = cli("restore", str(tmp_path / "nope.backup"), "--yes", "--db", empty_db.url)
    assert result.code == 2 and "cannot read" in result.err


def test_backup_covers_every_table_the_migrations_create(any_db: Database, tmp_path: Path) -> None:
    """A table outside the models' metadata would be silently left out of every backup."""
    from sqlalchemy import inspect

    fill(any_db)
    from alliances.store.search import TABLE as SEARCH_INDEX

    names = set(inspect(any_db.engine).get_table_names()) - {"alembic_version"}
    created = {n for n in names if not n.startswith(SEARCH_INDEX)}  # the search index is rebuilt, not kept
    counts = backup(any_db, tmp_path / "obs.backup")
    assert created <= set(counts), created - set(counts)
    assert counts["health_plan"] == 1 and counts["health_entry"] == 2 and counts["maturity_answer"] == 2
