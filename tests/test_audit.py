"""The audit log: every committed write leaves one chained entry; any edit, removal or reorder is found."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from alliances.store import audit
from alliances.store.db import Database
from alliances.store.models import Organisation
from alliances.store.names import normalise


def add_org(db: Database, name: str) -> None:
    with db.session() as s:
        s.add(Organisation(name=name, norm=normalise(name), kind="startup"))


@pytest.fixture
def logged(any_db: Database) -> Database:
    token = audit.acting_as("ana@example.org", "10.0.0.7")
    try:
        for name in ("Alpha", "Beta", "Gamma", "Delta"):
            add_org(any_db, name)
    finally:
        audit.ACTOR.reset(token)
    return any_db


def test_each_write_is_one_entry_with_who_what_when_and_where(logged: Database) -> None:
    with logged.session() as s:
        rows = list(audit.entries(s))
        assert [r.action for r in rows] == ["organisation.create"] * 4
        assert {r.who for r in rows} == {"ana@example.org"} and {r.origin for r in rows} == {"10.0.0.7"}
        assert [r.seq for r in rows] == [4, 3, 2, 1] and rows[-1].prev_hash == audit.GENESIS
        assert rows[0].prev_hash == rows[1].hash
        assert audit.verify(s).ok and audit.verify(s).checked == 4


def test_a_rolled_back_write_leaves_no_entry(logged: Database) -> None:
    with pytest.raises(RuntimeError), logged.session() as s:
        s.add(Organisation(name="Ghost", norm="ghost", kind="startup"))
        s.flush()
        raise RuntimeError("abort")
    with logged.session() as s:
        assert audit.count(s) == 4


def test_a_rolled_back_savepoint_leaves_no_entry(logged: Database) -> None:
    with logged.session() as s:
        with pytest.raises(RuntimeError), s.begin_nested():
            s.add(Organisation(name="Ghost", norm="ghost", kind="startup"))
            s.flush()
            raise RuntimeError("abort")
        s.add(Organisation(name="Kept", norm="kept", kind="startup"))
    with logged.session() as s:
        assert audit.count(s) == 5 and audit.verify(s).ok


TAMPER = {
    "edited": "UPDATE audit_entry SET who = 'someone else' WHERE seq = 2",
    "removed": "DELETE FROM audit_entry WHERE seq = 2",
    "reordered": "UPDATE audit_entry SET seq = CASE seq WHEN 2 THEN 3 WHEN 3 THEN 2 END WHERE seq IN (2, 3)",
}


@pytest.mark.parametrize("how", sorted(TAMPER))
def test_verify_names_the_first_bad_entry(logged: Database, how: str, cli: Any) -> None:
    with logged.engine.begin() as conn:
        if how == "reordered":  # two steps: seq is unique
            conn.execute(text("UPDATE audit_entry SET seq = -seq WHERE seq IN (2, 3)"))
            conn.execute(
                text("UPDATE audit_entry SET seq = CASE seq WHEN -2 THEN 3 ELSE 2 END WHERE seq < 0")
            )
        else:
            conn.execute(text(TAMPER[how]))
    with logged.session() as s:
        verdict = audit.verify(s)
    assert not verdict.ok and verdict.bad_seq in (2, 3) and verdict.checked == 1
    result = cli("audit", "verify", "--db", logged.url)
    assert result.code == 1 and f"entry {verdict.bad_seq}" in result.out


def test_cli_verify_and_show_filters(logged: Database, cli: Any) -> None:
    ok = cli("audit", "verify", "--db", logged.url)
    assert ok.code == 0 and "intact: 4 entries" in ok.out
    add_org(logged, "Epsilon")  # by the CLI's default actor
    shown = cli("audit", "show", "--who", "ana@example.org", "--json", "--db", logged.url)
    import json

    rows = json.loads(shown.out)
    assert len(rows) == 4 and all(r["who"] == "ana@example.org" for r in rows)
    one = json.loads(cli("audit", "show", "--record", rows[0]["record"], "--json", "--db", logged.url).out)
    assert [r["seq"] for r in one] == [rows[0]["seq"]]
    limited = json.loads(cli("audit", "show", "--limit", "2", "--json", "--db", logged.url).out)
    assert [r["seq"] for r in limited] == [5, 4]
    none = json.loads(cli("audit", "show", "--since", "2999-01-01", "--json", "--db", logged.url).out)
    assert none == []


def test_cli_writes_of_private_plans_and_assessments_are_logged(web_db: Database, cli: Any) -> None:
    """The CLI writes health plans and maturity answers as `local`; the chain stays intact."""
    import json
    from pathlib import Path

    from sqlalchemy import select

    from alliances.store.models import Alliance

    examples = Path(__file__).resolve().parents[1] / "examples" / "health"
    with web_db.session() as s:
        aid = s.scalar(select(Alliance.id).where(Alliance.title == "Sanofi – Google"))
    done = cli(
        "health", "import", "all", str(examples / "healthy"), "--alliance", str(aid), "--db", web_db.url
    )
    assert done.code == 0, done.err
    synth = cli("maturity", "synth", "--respondents", "12", "--db", web_db.url)
    assert synth.code == 0, synth.err
    shown = cli("audit", "show", "--who", "local", "--limit", "1000", "--json", "--db", web_db.url)
    logged = json.loads(shown.out)
    actions = {e["action"] for e in logged}  # one entry a change, or one `write.bulk` counting them
    actions |= {k for e in logged if e["action"] == "write.bulk" for k in json.loads(e["detail"])}
    assert {"health_plan.create", "health_entry.create", "maturity_answer.create"} <= actions, actions
    assert cli("audit", "verify", "--db", web_db.url).code == 0
