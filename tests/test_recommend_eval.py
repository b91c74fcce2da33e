"""The temporal evaluation: frozen cut-off, no leak of test-period facts, honest figures."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from alliances.errors import InvalidInput
from alliances.recommend.evaluate import evaluate, evaluate_split
from alliances.recommend.network import Network
from alliances.recommend.ranker import Ranker
from alliances.store.facts import AllianceFact, Facts
from alliances.synth.generator import generate
from alliances.synth.stats import facts_of


def synthetic_facts(orgs: int = 400, alliances: int = 2500, seed: int = 3) -> Facts:
    """A synthetic network as Facts, without a database (the generator's ids are 1..n)."""
    return facts_of(generate(orgs, alliances, seed))


@pytest.fixture(scope="module")
def facts() -> Facts:
    return synthetic_facts()


def scrambled_after(facts: Facts, year: int) -> Facts:
    """Same parties and years, but every later alliance gets other tags and a terminated status."""

    def scramble(a: AllianceFact) -> AllianceFact:
        if a.year is None or a.year < year:
            return a
        return dataclasses.replace(
            a, technologies=("robotics",), stages=("production",), areas=("dermatology",), status="terminated"
        )

    return Facts(facts.organisations, [scramble(a) for a in facts.alliances])


def test_network_before_cutoff_ignores_later_alliances(facts: Facts) -> None:
    full = Network.build(facts, 2022)
    past_only = Network.build(Facts(facts.organisations, [a for a in facts.alliances if a.year < 2022]), 2022)
    assert (full.adj != past_only.adj).nnz == 0
    for name in ("counts", "demand", "alliances", "recent", "terminated", "kind_lift", "kind_partners"):
        assert np.array_equal(getattr(full, name), getattr(past_only, name)), name
    assert full.adj.nnz < Network.build(facts).adj.nnz


def test_figures_do_not_depend_on_test_period_attributes(facts: Facts) -> None:
    """Only who allied with whom after Y may matter, never what those later alliances were about."""
    a = evaluate_split(facts, 2022)
    b = evaluate_split(scrambled_after(facts, 2022), 2022)
    assert a["test_pairs"] == b["test_pairs"] > 50
    assert all(
        {k: v for k, v in a["methods"][m].items() if k != "seconds"}
        == {k: v for k, v in b["methods"][m].items() if k != "seconds"}
        for m in a["methods"]
    )


def test_ranker_training_sees_nothing_after_the_cutoff(facts: Facts) -> None:
    before = Facts(facts.organisations, [a for a in facts.alliances if a.year < 2022])
    assert np.allclose(Ranker.fit(facts, 2022).weights, Ranker.fit(before, 2022).weights)


def test_learned_ranker_beats_random_and_classic_baselines(facts: Facts) -> None:
    report = evaluate_split(facts, 2022)
    m = report["methods"]
    assert 0.4 < m["random"]["auc"] < 0.6
    assert m["ranker"]["hits@10"] > 2 * m["random"]["hits@10"]
    assert m["ranker"]["mrr"] > m["adamic_adar"]["mrr"]
    assert m["ranker"]["new_entrants"]["auc"] > 0.5


def test_report_names_a_chosen_method_and_counts_pairs(facts: Facts) -> None:
    report = evaluate(facts, 2022, methods=["random", "popularity", "ranker"])
    assert report["chosen"] in report["methods"]
    assert report["new_entrant_pairs"] <= report["test_pairs"]
    assert {"hits@10", "mrr", "auc", "baseline"} <= set(report["methods"]["ranker"])


@pytest.mark.parametrize("year", [2000, 2030])
def test_split_outside_the_history_is_refused(facts: Facts, year: int) -> None:
    with pytest.raises(InvalidInput, match="split year"):
        evaluate(facts, year)
