"""Benchmark of partner recommendation: real network (split 2021) and a synthetic 20k/100k network.

Prints figures, never gates CI. Usage: python bench/recommend.py [--orgs 20000] [--alliances 100000]
[--split 2023] [--sources N] [--set NAME=VALUE ...] [--skip-real] [--skip-synth]. Databases are built in a
temporary folder. `--set` overrides a generator constant (e.g. --set SHORTLIST=20) to measure how much the
figures depend on it; `--sources` ranks a random sample of test organisations instead of all.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from alliances.recommend import Recommender, evaluate
from alliances.recommend.evaluate import evaluate_split
from alliances.store.bundle import init_database
from alliances.store.db import Database
from alliances.store.facts import Facts, load_facts
from alliances.synth import generate, generator, write

CLASSIC = ("common_neighbours", "adamic_adar", "resource_allocation", "preferential_attachment", "katz")


def show(report: dict[str, Any]) -> None:
    methods: dict[str, dict[str, Any]] = report["methods"]
    print(
        f"split {report['split_year']}: {report['test_pairs']} test pairs "
        f"({report['new_entrant_pairs']} with a new entrant), {report['sources']} organisations ranked"
    )
    print(
        f"{'method':25s} {'hits@10':>8s} {'mrr':>7s} {'auc':>7s} | {'new h@10':>8s} {'new mrr':>7s} "
        f"{'new auc':>7s} | seconds"
    )
    for name, m in methods.items():
        new: dict[str, float] = m["new_entrants"]
        print(
            f"{name:25s} {m['hits@10']:8.3f} {m['mrr']:7.3f} {m['auc']:7.3f} | {new['hits@10']:8.3f} "
            f"{new['mrr']:7.3f} {new['auc']:7.3f} | {m['seconds']}"
        )


def compare(report: dict[str, Any], method: str) -> None:
    methods: dict[str, dict[str, float]] = report["methods"]
    best = max(CLASSIC + ("popularity",), key=lambda n: methods[n]["hits@10"])
    best_classic = max(CLASSIC, key=lambda n: methods[n]["hits@10"])
    for base in dict.fromkeys((best_classic, best)):
        ratio = methods[method]["hits@10"] / max(methods[base]["hits@10"], 1e-9)
        print(
            f"{method} vs {base}: hits@10 {methods[method]['hits@10']:.3f} vs {methods[base]['hits@10']:.3f} "
            f"(x{ratio:.2f}), MRR {methods[method]['mrr']:.3f} vs {methods[base]['mrr']:.3f}"
        )


def real(tmp: Path) -> None:
    db = Database.open(f"sqlite:///{tmp / 'real.db'}")
    init_database(db)
    with db.session() as s:
        facts = load_facts(s)
    report = evaluate(facts, 2021)
    print("== real network (bundled), chosen:", report["chosen"])
    show(report)
    compare(report, str(report["chosen"]))


def synthetic(tmp: Path, orgs: int, alliances: int, split: int, sources: int | None) -> None:
    db = Database.open(f"sqlite:///{tmp / 'synth.db'}")
    db.upgrade()
    started = time.perf_counter()
    network = generate(orgs, alliances, seed=1)
    generated = time.perf_counter() - started
    with db.session() as s:
        write(s, network)
    print(
        f"== synthetic {orgs} organisations / {alliances} alliances: generated in {generated:.1f} s, "
        f"written in {time.perf_counter() - started - generated:.1f} s"
    )
    started = time.perf_counter()
    with db.session() as s:
        facts = load_facts(s)
    print(f"facts loaded in {time.perf_counter() - started:.1f} s")
    report = evaluate_split(facts, split, max_sources=sources)
    show(report)
    compare(report, "ranker")
    print(
        f"ranker: training and scoring all {report['sources']} test organisations in "
        f"{report['methods']['ranker']['seconds']} s"
    )
    single(facts)


def single(facts: Facts) -> None:
    started = time.perf_counter()
    rec = Recommender(facts)
    print(f"Recommender built (network + ranker fit) in {time.perf_counter() - started:.1f} s")
    rng = np.random.default_rng(0)
    ids = rng.choice(np.array(sorted(facts.organisations)), 30, replace=False)
    times = []
    for org_id in ids.tolist():
        t = time.perf_counter()
        rec.for_organisation(int(org_id), top=10)
        times.append(time.perf_counter() - t)
    print(
        f"one recommendation (top 10 with reasons): median {statistics.median(times) * 1000:.0f} ms, "
        f"max {max(times) * 1000:.0f} ms over {len(times)} organisations"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orgs", type=int, default=20_000)
    parser.add_argument("--alliances", type=int, default=100_000)
    parser.add_argument("--split", type=int, default=2023)
    parser.add_argument("--sources", type=int, default=None)
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--skip-real", action="store_true")
    parser.add_argument("--skip-synth", action="store_true")
    args = parser.parse_args()
    for item in args.set:
        name, _, value = item.partition("=")
        if not hasattr(generator, name):
            parser.error(f"--set: the generator has no constant {name!r}")
        setattr(generator, name, type(getattr(generator, name))(float(value)))
        print(f"generator.{name} = {getattr(generator, name)}")
    with tempfile.TemporaryDirectory() as tmp:
        if not args.skip_real:
            real(Path(tmp))
        if not args.skip_synth:
            synthetic(Path(tmp), args.orgs, args.alliances, args.split, args.sources)


if __name__ == "__main__":
    main()
