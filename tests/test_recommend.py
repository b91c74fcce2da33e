"""Partner recommendation through the library, on small hand-made SQLite networks."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import Deal

from alliances.errors import InvalidInput, NotFound
from alliances.recommend import find_partners, recommend

KINDS = {
    "Pharmix": "pharma",
    "Medica": "pharma",
    "Curalab": "pharma",
    "Oncopharm": "pharma",
    "DeepOnco": "startup",
    "VisionAI": "startup",
    "RoboSkin": "startup",
    "CloudCo": "big_tech",
    "City Hospital": "hospital",
    "Lonely Bio": "startup",
    "Quitter": "startup",
}
# Medica, Curalab and Oncopharm (Pharmix's peers) all work with DeepOnco (AI, oncology research);
# RoboSkin only did robotics in dermatology with a hospital; Pharmix already works with VisionAI.
DEALS = [
    Deal(("Pharmix", "VisionAI"), 2019, areas=("breast cancer",)),
    Deal(("Medica", "VisionAI"), 2019, areas=("oncology",)),
    Deal(("Medica", "DeepOnco"), 2020, areas=("lung cancer",)),
    Deal(("Curalab", "DeepOnco"), 2021, areas=("oncology",)),
    Deal(("Oncopharm", "DeepOnco"), 2022, stages=("research", "development"), areas=("leukemia",)),
    Deal(
        ("City Hospital", "RoboSkin"),
        2021,
        technologies=("robotics",),
        stages=("usage",),
        areas=("dermatology",),
    ),
    Deal(("Medica", "CloudCo"), 2018, technologies=("cloud",), stages=("usage",)),
    Deal(("Curalab", "Quitter"), 2019, status="terminated"),
    Deal(("Oncopharm", "Quitter"), 2020, status="terminated"),
]


@pytest.fixture
def session(network_db: Any) -> Any:
    db = network_db(KINDS, DEALS)
    with db.session() as s:
        yield s


def test_complementary_start_up_ranks_first(session: Any) -> None:
    items = recommend(session, "Pharmix")
    assert items[0].organisation == "DeepOnco"
    assert any("3 pharma organisation(s) like Pharmix" in r for r in items[0].reasons)
    assert not any("in common" in r for r in items[0].reasons)  # Medica links them at distance 3 only


def test_existing_partners_and_self_are_never_recommended(session: Any) -> None:
    names = {r.organisation for r in recommend(session, "Pharmix", top=50)}
    assert "VisionAI" not in names and "Pharmix" not in names
    assert "DeepOnco" in names and len(names) == len(KINDS) - 2


def test_filters_keep_only_partners_meeting_the_need(session: Any) -> None:
    items = recommend(session, "Pharmix", technology="robotics")
    # City Hospital only bought robotics from RoboSkin: it is not a robotics provider for Pharmix.
    assert [r.organisation for r in items] == ["RoboSkin"]
    assert "robotics" in items[0].reasons[0]
    assert "brings robotics as the technology partner, with City Hospital" in items[0].reasons
    # The mirror question: the start-up looking for clients gets the hospital, not its own kind.
    clients = recommend(session, "VisionAI", technology="robotics")
    assert [r.organisation for r in clients] == ["City Hospital"]
    only_big_tech = recommend(session, "Pharmix", kind="big_tech")
    assert [r.organisation for r in only_big_tech] == ["CloudCo"]


def test_area_filter_matches_area_families(session: Any) -> None:
    items = recommend(session, "City Hospital", area="oncology", kind="startup")
    assert {r.organisation for r in items} == {"DeepOnco", "VisionAI"}


def test_caution_for_a_history_of_terminated_alliances(session: Any) -> None:
    quitter = next(r for r in recommend(session, "Pharmix", top=50) if r.organisation == "Quitter")
    assert "caution: 2 of its 2 alliances were terminated" in quitter.reasons


def test_organisation_without_alliances_is_ranked_by_capabilities(session: Any) -> None:
    items = recommend(session, "Lonely Bio")
    assert "Lonely Bio has no recorded alliance" in items[0].reasons[0]
    # A start-up is pointed to the organisations that work with start-ups, not to other start-ups.
    assert items[0].kind == "pharma"


def test_unknown_organisation_names_the_closest(session: Any) -> None:
    with pytest.raises(NotFound, match="unknown organisation 'Pharmics'.*closest: Pharmix"):
        recommend(session, "Pharmics")


@pytest.mark.parametrize("bad", [{"technology": "quantum"}, {"stage": "marketing"}, {"kind": "unicorn"}])
def test_unknown_vocabulary_is_rejected(session: Any, bad: dict[str, str]) -> None:
    with pytest.raises(InvalidInput, match="unknown"):
        recommend(session, "Pharmix", **bad)


def test_need_based_search_ranks_the_most_active(session: Any) -> None:
    items = find_partners(session, technology="ai", area="oncology", kind="startup")
    assert [r.organisation for r in items] == ["DeepOnco", "VisionAI"]
    recent = find_partners(session, technology="ai", kind="startup", since=2021)
    assert [r.organisation for r in recent] == ["DeepOnco"]
    assert recent[0].to_dict()["reasons"][0].startswith("2 alliance(s) in ai since 2021")


def test_same_kind_deals_rank_after_providers(network_db: Any) -> None:
    """Buyers of the capability are no candidates; pharma–pharma deals in it come after providers."""
    kinds = {
        "Asker": "pharma",
        "Peer": "pharma",
        "Other": "pharma",
        "Maker": "startup",
        "Client": "pharma",
        "Cloudy": "big_tech",
    }
    deals = [
        Deal(("Peer", "Other"), 2020),
        Deal(("Maker", "Client"), 2021),
        Deal(("Asker", "Cloudy"), 2019, technologies=("cloud",)),
    ]
    with network_db(kinds, deals).session() as s:
        items = recommend(s, "Asker", technology="ai")
    names = [r.organisation for r in items]
    assert names[0] == "Maker" and set(names[1:]) == {"Peer", "Other"}
    assert "a peer of Asker rather than a provider" in items[1].reasons[0]
