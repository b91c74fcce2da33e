"""Calibration statistics: exact on a hand-made network, the same through a database, and the default
generator close to the bundled real network."""

from __future__ import annotations

import pytest

from alliances.store.db import Database
from alliances.store.facts import AllianceFact, Facts, OrgFact, load_facts
from alliances.synth import generate, write
from alliances.synth.stats import STATISTICS, distance, facts_of, network_stats


def _alliance(i: int, parties: tuple[int, ...], techs: tuple[str, ...], area: str) -> AllianceFact:
    return AllianceFact(i, "rd_collaboration", None, "2020", 2020, parties, techs, ("research",), (area,))


def test_statistics_of_a_small_known_network() -> None:
    orgs = {i: OrgFact(i, f"o{i}", "pharma", c, None) for i, c in enumerate(["FR", "FR", "US", "US"], 1)}
    facts = Facts(
        orgs,
        [
            _alliance(1, (1, 2), ("ai",), "breast cancer"),
            _alliance(2, (1, 3), ("ai", "cloud"), "oncology"),
            _alliance(3, (1, 4, 3), ("iot",), "diabetes"),
            _alliance(4, (3, 4), ("ai",), "oncology"),
        ],
    )
    stats = network_stats(facts)
    # Bilateral pairs with countries: FR-FR, FR-US, US-US; countries half FR, half US.
    assert stats["same_country"] == pytest.approx(0.667, abs=1e-3)
    assert stats["country_lift"] == pytest.approx(1.333, abs=1e-3)
    # Organisations with ≥ 3 alliances: 1 (ai, ai+cloud, iot) and 3 (ai+cloud, iot, ai).
    assert stats["tech_top_share"] == pytest.approx(2 / 3, abs=1e-3)
    assert stats["tech_pair_share"] == pytest.approx(1 / 3, abs=1e-3)
    # Breast cancer and oncology are one family: org 1 has oncology ×2 and a metabolic deal.
    assert stats["area_top_share"] == pytest.approx(2 / 3, abs=1e-3)
    assert stats["stage_top_share"] == 1.0 and stats["stage_pair_share"] == 1.0
    # Party slots 3, 1, 3, 2: the top organisation (5 % rounds up to one) holds 3 of 9.
    assert stats["top5_slot_share"] == pytest.approx(3 / 9, abs=1e-3)
    assert stats["multi_tech_share"] == 0.25 and stats["multi_stage_share"] == 0.0
    assert distance(stats, stats) == 0.0


def test_in_memory_facts_give_the_statistics_of_the_written_database(empty_db: Database) -> None:
    network = generate(400, 2000, seed=3)
    with empty_db.session() as s:
        write(s, network)
    with empty_db.session() as s:
        stored = network_stats(load_facts(s))
    assert stored == network_stats(facts_of(network))


def test_default_generator_resembles_the_bundled_real_network(bundled_db: Database) -> None:
    """The calibrated constants keep every statistic near the real one (bench/calibrate_synth.py)."""
    with bundled_db.session() as s:
        real = network_stats(load_facts(s))
    synthetic = network_stats(facts_of(generate(4000, 20_000, seed=1)))
    assert distance(synthetic, real) < 0.2, {k: (synthetic[k], real[k]) for k in STATISTICS}
    assert synthetic["country_lift"] > 1.2 and real["country_lift"] > 1.2
    for name in ("area_pair_share", "tech_pair_share", "multi_tech_share"):
        assert abs(synthetic[name] - real[name]) < 0.15, name
