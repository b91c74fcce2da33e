"""`alliances eval-core`: CORE's training split cut by id into train / dev, scored on marked pairs."""

from __future__ import annotations

from typing import Any

import pytest

from alliances.extract.learn.core import core_split, default_core_dir, detokenise, marked_only, split_of


@pytest.fixture(scope="module")
def core_dir() -> Any:
    if not (default_core_dir() / "train.json").is_file():
        pytest.skip("../shared/corpus/core is not beside the repository")
    return default_core_dir()


def test_split_is_fixed_disjoint_and_about_one_fifth(core_dir: Any) -> None:
    train, dev = core_split("train", core_dir), core_split("dev", core_dir)
    assert not {s.id for s in train} & {s.id for s in dev}
    assert 0.17 < len(dev) / (len(dev) + len(train)) < 0.23
    assert all(split_of(s.id) == "dev" for s in dev)
    assert [s.id for s in core_split("dev", core_dir)] == [s.id for s in dev]


def test_marked_companies_survive_detokenising(core_dir: Any) -> None:
    for s in core_split("dev", core_dir)[:200]:
        assert s.text[s.e1[0] : s.e1[1]] == s.e1_name
        assert s.text[s.e2[0] : s.e2[1]] == s.e2_name
    text, spans = detokenise(["Acme", "(", "ACM", ")", "raised", "$", "5M", ",", "led", "by", "Zeta", "."])
    assert text == "Acme (ACM) raised $5M, led by Zeta."
    assert text[spans[10][0] : spans[10][1]] == "Zeta"


def test_only_the_marked_pair_is_scored(core_dir: Any) -> None:
    s = next(x for x in core_split("dev", core_dir) if x.is_alliance)
    record = {
        "alliances": [
            {
                "parties": [{"name": s.e1_name}, {"name": "Somebody Else"}, {"name": s.e2_name}],
                "type": "other",
            },
            {"parties": [{"name": "Somebody Else"}, {"name": s.e2_name}], "type": "other"},
        ]
    }
    kept = marked_only(s, record)["alliances"]
    assert [[p["name"] for p in a["parties"]] for a in kept] == [[s.e1_name, s.e2_name]]


def test_eval_core_prints_pair_f1_last(core_dir: Any, cli: Any) -> None:
    result = cli("eval-core", "--split", "dev", "--limit", "30")
    assert result.code == 0, result.err
    lines = result.out.strip().splitlines()
    assert lines[0].startswith("documents 30,")
    assert lines[-1].startswith("pair F1 0.") or lines[-1] == "pair F1 1.000"


def test_eval_core_rejects_an_unknown_split(cli: Any) -> None:
    result = cli("eval-core", "--split", "test")
    assert result.code == 2 and "Traceback" not in result.err
