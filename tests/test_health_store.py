"""Plan storage on SQLite and PostgreSQL: readers filtered in SQL, a private alliance's plan kept private."""

from __future__ import annotations

from pathlib import Path

import pytest

from alliances.errors import Forbidden, InvalidInput, NotFound
from alliances.health.csvio import load_history
from alliances.health.model import KINDS, KpiReading, SpendEntry
from alliances.store.db import Database
from alliances.store.health import get_history, portfolio, readable_plans, save_entries
from alliances.store.models import Alliance
from alliances.store.viewer import Viewer
from alliances.store.writes import add_alliance, add_organisation

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "health" / "onduo-like"
ADMIN = Viewer(is_admin=True)


def seed(db: Database) -> dict[str, int]:
    """Sanofi and Verily in a private joint venture owned by Sanofi, Novartis outside; the example plan."""
    with db.session() as s:
        ids = {n: add_organisation(s, n, kind="pharma").id for n in ("Sanofi", "Verily", "Novartis")}
        alliance = add_alliance(s, {"parties": ["Sanofi", "Verily"], "type": "joint_venture", "date": "2016"})
        alliance.visibility, alliance.owner_id = "private", ids["Sanofi"]
        s.flush()
        history = load_history(EXAMPLE)
        for kind in KINDS:
            rows = [history.plan] if kind == "plan" else getattr(history, kind)
            save_entries(s, alliance.id, kind, rows, viewer=ADMIN, owner_id=ids["Sanofi"], where=kind)
        return {**ids, "alliance": alliance.id}


def test_parties_read_the_plan_others_do_not(any_db: Database) -> None:
    ids = seed(any_db)
    sanofi, verily = (Viewer(organisation_ids=frozenset({ids[n]})) for n in ("Sanofi", "Verily"))
    novartis = Viewer(organisation_ids=frozenset({ids["Novartis"]}))
    with any_db.session() as s:
        assert get_history(s, ids["alliance"], viewer=sanofi).plan.name == "Onduo-like diabetes joint venture"
        assert len(get_history(s, ids["alliance"], viewer=verily).spend) == 26
        for outsider in (novartis, Viewer()):
            with pytest.raises(NotFound):
                get_history(s, ids["alliance"], viewer=outsider)
            assert readable_plans(s, viewer=outsider) == []
            assert portfolio(s, ids["Sanofi"], viewer=outsider) == []
        assert [a.id for a, _ in portfolio(s, ids["Verily"], viewer=verily)] == [ids["alliance"]]
        assert len(readable_plans(s, viewer=ADMIN)) == 1


def test_writes_need_a_party_and_roll_back_whole(any_db: Database) -> None:
    ids = seed(any_db)
    novartis = Viewer(organisation_ids=frozenset({ids["Novartis"]}))
    entry = SpendEntry(date="2020-01-10", party="Sanofi", amount=5)  # type: ignore[arg-type]
    with pytest.raises(NotFound), any_db.session() as s:  # a private alliance is not even visible to him
        save_entries(s, ids["alliance"], "spend", [entry], viewer=novartis)
    with any_db.session() as s:
        alliance = s.get(Alliance, ids["alliance"])
        assert alliance is not None
        alliance.visibility = "public"
    with pytest.raises(Forbidden), any_db.session() as s:
        save_entries(s, ids["alliance"], "spend", [entry], viewer=novartis)
    bad = KpiReading(date="2020-01-10", objective="nothing", value=1)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="kpis.csv:2: objective"), any_db.session() as s:
        save_entries(s, ids["alliance"], "spend", [entry], viewer=ADMIN, where="spend.csv")
        save_entries(s, ids["alliance"], "kpis", [bad], viewer=ADMIN, where="kpis.csv")
    with any_db.session() as s:
        assert len(get_history(s, ids["alliance"], viewer=ADMIN).spend) == 26  # the spend row rolled back too
