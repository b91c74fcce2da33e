"""Synthetic networks: realistic shape, reproducible, always marked synthetic, never mixed silently."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import func, select

from alliances.errors import InvalidInput
from alliances.store.db import Database
from alliances.store.models import Alliance, Organisation
from alliances.synth import generate, write


@pytest.fixture(scope="module")
def network() -> Any:
    return generate(1000, 5000, seed=7)


def test_same_seed_same_network() -> None:
    a, b = generate(200, 600, seed=1), generate(200, 600, seed=1)
    assert [x.parties for x in a.alliances] == [x.parties for x in b.alliances]
    assert [x.parties for x in generate(200, 600, seed=2).alliances] != [x.parties for x in a.alliances]


def test_degrees_are_heavy_tailed_with_big_tech_hubs(network: Any) -> None:
    degree = Counter(p for a in network.alliances for p in a.parties)
    values = np.array(sorted(degree.values()))
    assert values[-1] > 20 * np.median(values)
    hubs = [network.organisations[o].kind for o, _ in degree.most_common(10)]
    assert "big_tech" in hubs and "pharma" in hubs


def test_network_grows_over_the_years_and_start_ups_churn(network: Any) -> None:
    years = Counter(a.year for a in network.alliances)
    assert len(network.alliances) == 5000
    assert years[2019] > 5 * years[2012] > 0
    startups = [o for o in network.organisations if o.kind == "startup"]
    assert any(o.exit < 2026 for o in startups)
    assert Counter(a.status for a in network.alliances)["terminated"] > 0


def test_communities_by_area_and_technology(network: Any) -> None:
    """Providers bring the alliance's technology, and share the seeker's area, far more often than chance."""
    from alliances.synth.profile import AREAS, TECHNOLOGIES

    techs, areas = list(TECHNOLOGIES), list(AREAS)
    pairs = [(a, network.organisations[a.parties[1]]) for a in network.alliances if len(a.parties) == 2]
    tech_hit = np.mean(
        [
            techs.index(a.technologies[0]) in o.techs or techs.index(a.technologies[-1]) in o.techs
            for a, o in pairs
        ]
    )
    area_hit = np.mean([areas[o.area] == a.areas[0] for a, o in pairs])
    shuffled = np.random.default_rng(0).permutation([o for _, o in pairs])
    tech_chance = np.mean(
        [
            techs.index(a.technologies[0]) in o.techs or techs.index(a.technologies[-1]) in o.techs
            for (a, _), o in zip(pairs, shuffled, strict=True)
        ]
    )
    area_chance = np.mean([areas[o.area] == a.areas[0] for (a, _), o in zip(pairs, shuffled, strict=True)])
    assert tech_hit > 1.3 * tech_chance and area_hit > 1.3 * area_chance


def test_written_rows_are_marked_synthetic(empty_db: Database, network: Any) -> None:
    with empty_db.session() as s:
        written = write(s, network)
    with empty_db.session() as s:
        origins = set(s.scalars(select(Alliance.origin).distinct()))
        names = list(s.scalars(select(Organisation.name).limit(50)))
        count = s.scalar(select(func.count()).select_from(Alliance))
    assert written.alliances == count == 5000 and origins == {"synthetic"}
    assert all(n.endswith(")") and "(syn-" in n for n in names)


def test_refuses_to_mix_with_real_data_unless_forced(bundled_db: Database) -> None:
    small = generate(20, 30, seed=0)
    with bundled_db.session() as s, pytest.raises(InvalidInput, match="non-synthetic"):
        write(s, small)
    with bundled_db.session() as s:
        assert write(s, small, force=True).alliances == 30


def test_synth_command_then_recommend_eval(cli: Any, tmp_path: Path) -> None:
    path = str(tmp_path / "synth.db")
    made = cli(
        "synth", "--organisations", "300", "--alliances", "1500", "--seed", "2", "--db", path, "--json"
    )
    assert made.code == 0 and json.loads(made.out)["alliances"] == 1500
    report = json.loads(cli("recommend-eval", "--split-year", "2022", "--db", path, "--json").out)
    assert report["test_pairs"] > 0 and report["chosen"] in report["methods"]
    assert set(report["methods"]["ranker"]) >= {"hits@10", "mrr", "auc", "baseline"}
