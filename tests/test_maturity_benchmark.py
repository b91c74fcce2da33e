"""Benchmarks on a synthetic panel of 300 organisations: the anonymity threshold on every route and
export, percentiles against numpy on the same data, and widening of groups that are too small."""

from __future__ import annotations

import itertools
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import text

from alliances.maturity import service
from alliances.maturity.model import load_model
from alliances.maturity.scoring import score
from alliances.store.db import Database
from tests.conftest import make_web_client

MODEL = load_model()
COUNTRIES = ["FR", "DE", "US", "GB", "CH", "IT", "ES", "ZZ"]
COMBINATIONS = list(itertools.product([None, *MODEL.sectors], [None, *MODEL.size_bands], [None, *COUNTRIES]))


@pytest.fixture(scope="module")
def panel_db(bundled_db_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """The bundled observatory plus a synthetic panel of 300 organisations (some assessed twice)."""
    path = tmp_path_factory.mktemp("panel") / "panel.db"
    shutil.copy(bundled_db_file, path)
    db = Database.open(f"sqlite:///{path}")
    with db.session() as s:
        written = service.write_synthetic_panel(s, 300, seed=15)
    assert written["organisations_created"] == 300 and written["assessments"] > 300
    yield db
    db.dispose()


@pytest.fixture(scope="module")
def client(panel_db: Database) -> Any:
    return make_web_client(panel_db)


def independent_panel(db: Database) -> list[tuple[dict[str, str], dict[str, float]]]:
    """Each organisation's latest complete assessment read with plain SQL and scored, for the checks."""
    with db.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT a.id, a.sector, a.size_band, a.country FROM maturity_assessment a "
                "WHERE a.status = 'complete' AND a.assessed = "
                "(SELECT max(b.assessed) FROM maturity_assessment b "
                "WHERE b.organisation_id = a.organisation_id AND b.status = 'complete')"
            )
        ).all()
        answers: dict[int, dict[str, str]] = {r[0]: {} for r in rows}
        for aid, question, value in conn.execute(
            text("SELECT assessment_id, question, value FROM maturity_answer")
        ):
            if aid in answers:
                answers[aid][question] = value
    out = []
    for aid, sector, size, country in rows:
        s = score(answers[aid])
        values = {d.key: d.score for d in s.dimensions if d.score is not None}
        values["overall"] = s.overall_score
        out.append(({"sector": sector, "size": size, "country": country}, values))
    return out


def members(panel: list[Any], group: dict[str, str]) -> list[dict[str, float]]:
    return [v for p, v in panel if all(p[k] == x for k, x in group.items())]


def test_the_panel_has_300_respondents_and_repeated_assessments(panel_db: Database) -> None:
    panel = independent_panel(panel_db)
    assert len(panel) == 300
    with panel_db.engine.connect() as conn:
        repeated = conn.execute(
            text(
                "SELECT count(*) FROM (SELECT organisation_id FROM maturity_assessment "
                "GROUP BY organisation_id "
                "HAVING count(*) > 1)"
            )
        ).scalar()
        origins = {r[0] for r in conn.execute(text("SELECT DISTINCT origin FROM maturity_assessment"))}
    assert repeated and repeated > 50 and origins == {"synthetic"}


def test_percentiles_equal_numpy_on_the_same_data(panel_db: Database) -> None:
    panel = independent_panel(panel_db)
    with panel_db.session() as s:
        result = service.peer_benchmark(s)
    assert [g.key for g in result.groups][:1] == ["all"]
    assert {g.key for g in result.groups} >= {"all", "sector=pharma", "sector=biotech", "sector=medtech"}
    for g in result.groups:
        chosen = members(panel, g.group)
        assert g.n == len(chosen)
        for dim, pcts in g.percentiles.items():
            expected = np.percentile([v[dim] for v in chosen], [25, 50, 75, 90])
            assert [pcts["p25"], pcts["p50"], pcts["p75"], pcts["p90"]] == pytest.approx(expected, abs=1e-4)


def check_groups(groups: list[dict[str, Any]], panel: list[Any]) -> None:
    for g in groups:
        assert g["n"] >= 10, g
        assert g["n"] == len(members(panel, g["group"]))


@pytest.mark.parametrize(("sector", "size", "country"), COMBINATIONS)
def test_no_group_under_the_threshold_on_any_route(
    panel_db: Database, client: Any, sector: str | None, size: str | None, country: str | None
) -> None:
    panel = _panel(panel_db)
    params = {k: v for k, v in (("sector", sector), ("size", size), ("country", country)) if v}
    api = client.get("/api/v1/maturity/benchmark", params=params)
    assert api.status_code == 200
    body = api.json()
    check_groups(body["groups"], panel)
    requested = members(panel, params)
    if len(requested) >= 10:
        assert body["shown"] == params and not body["widened"]
    else:
        assert body["widened"] and body["shown"] != params
        shown = body["shown"]
        assert set(shown) < set(params)  # a wider group, by dropping country, then size, then sector
        order = [k for k in ("sector", "size", "country") if k in params]
        assert list(shown) == order[: len(shown)]
    page = client.get("/maturity/benchmark", params=params)
    assert page.status_code == 200
    for n in _shown_sizes(page.text):
        assert n >= 10
    if body["widened"]:
        assert 'id="widened"' in page.text


def _shown_sizes(html: str) -> list[int]:
    import re

    return [int(n) for n in re.findall(r'data-n="(\d+)"', html)]


_PANEL: dict[str, Any] = {}


def _panel(db: Database) -> list[Any]:
    if db.url not in _PANEL:
        _PANEL[db.url] = independent_panel(db)
    return _PANEL[db.url]  # type: ignore[no-any-return]


def test_cli_json_export_every_combination(panel_db: Database, cli: Any) -> None:
    panel = _panel(panel_db)
    for sector, size, country in COMBINATIONS[::7]:  # a spread of combinations through the real CLI
        args = ["maturity", "benchmark", "--db", panel_db.url, "--json"]
        for flag, value in (("--sector", sector), ("--size", size), ("--country", country)):
            if value:
                args += [flag, value]
        result = cli(*args)
        assert result.code == 0, result.err
        groups = json.loads(result.out)
        assert groups and set(groups[0]) == {"group", "n", "percentiles"}
        check_groups(groups, panel)


def test_small_groups_are_widened_and_the_page_says_so(panel_db: Database, client: Any) -> None:
    panel = _panel(panel_db)
    small = next(
        c
        for c in COMBINATIONS
        if all(c) and 0 < len(members(panel, dict(zip(("sector", "size", "country"), c, strict=True)))) < 10
    )
    params = dict(zip(("sector", "size", "country"), small, strict=True))
    page = client.get("/maturity/benchmark", params=params)
    assert "Fewer than 10 respondents in the group" in page.text
    fr = client.get("/maturity/benchmark", params={**params, "lang": "fr"})
    assert "Moins de 10 répondants dans le groupe" in fr.text


def test_with_fewer_than_ten_respondents_nothing_is_shown(web_db: Database, client: Any) -> None:
    with web_db.session() as s:
        service.write_synthetic_panel(s, 9, seed=3)
    small = make_web_client(web_db)
    body = small.get("/api/v1/maturity/benchmark").json()
    assert body["groups"] == [] and body["shown"] is None
    assert "Fewer than 10 respondents" in small.get("/maturity/benchmark").text


@pytest.mark.parametrize("params", [{"sector": "bakery"}, {"size": "huge"}, {"country": "France"}])
def test_bad_filters_are_one_clear_error(
    client: Any, cli: Any, panel_db: Database, params: dict[str, str]
) -> None:
    api = client.get("/api/v1/maturity/benchmark", params=params)
    assert api.status_code == 422 and api.json()["ok"] is False
    ((flag, value),) = params.items()
    result = cli("maturity", "benchmark", "--db", panel_db.url, f"--{flag}", value)
    assert result.code == 2 and result.err.count("\n") == 1 and "Traceback" not in result.err
