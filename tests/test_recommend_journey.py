"""Journey 5 on the bundled database: the right side of the market answers "who should we talk to?"."""

from __future__ import annotations

from typing import Any

import pytest

from alliances.recommend import recommend

TECH_SIDE = {"startup", "tech", "big_tech"}
HEALTH_SIDE = {
    "pharma",
    "biotech",
    "hospital",
    "medtech",
    "diagnostics",
    "academic",
    "cro",
    "insurer",
    "public_body",
}


@pytest.fixture
def session(bundled_db: Any) -> Any:
    with bundled_db.session() as s:
        yield s


def test_pharma_asking_for_ai_in_development_gets_ai_providers(session: Any) -> None:
    items = recommend(session, "Servier", technology="ai", stage="development")
    assert len(items) == 10
    assert not [r.organisation for r in items if r.kind == "pharma"]
    providers = [r for r in items if r.kind in TECH_SIDE]
    assert len(providers) >= 5
    for r in providers:
        assert any(reason.startswith("brings ai × development") for reason in r.reasons), r
        assert any("alliance(s) in ai × development" in reason for reason in r.reasons), r


@pytest.mark.parametrize("org", ["Owkin", "NVIDIA"])
def test_technology_company_is_pointed_to_the_health_side(session: Any, org: str) -> None:
    kinds = [r.kind for r in recommend(session, org)]
    assert all(k in HEALTH_SIDE for k in kinds[:5]), kinds
    assert sum(k in HEALTH_SIDE for k in kinds) >= 7, kinds


def test_start_up_asking_for_ai_clients_gets_drug_makers_and_hospitals(session: Any) -> None:
    kinds = [r.kind for r in recommend(session, "Owkin", technology="ai")]
    assert kinds and all(k in HEALTH_SIDE for k in kinds), kinds
