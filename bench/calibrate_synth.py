"""Calibrate the synthetic generator on the bundled real network: print each setting's statistics.

For every combination of the grid below, generate a network (seed 1) and compute the statistics of
`alliances.synth.stats` (national ecosystems, concentration on areas, technologies and stages, hubs,
multi-tag deals), then rank settings by their distance to the real network's. The generator's
constants are the best-ranked setting; docs/synthetic.md shows the table. Prints figures only.

Usage: python bench/calibrate_synth.py [--orgs 20000] [--alliances 100000] [--workers 2] [--top 10]
"""

from __future__ import annotations

import argparse
import itertools
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from alliances.store.bundle import init_database
from alliances.store.db import Database
from alliances.store.facts import load_facts
from alliances.synth import generator
from alliances.synth.stats import STATISTICS, distance, facts_of, network_stats

GRID: dict[str, tuple[float, ...]] = {
    "ALPHA": (0.2, 0.3),
    "TECH_FIT": (3.0, 5.0),
    "AREA_FIT": (1.5, 3.0),
    "HOME_AREA": (0.7, 0.9),
    "FOCUS": (0.75, 0.95),
    "SHORTLIST": (20, 60),
}


def real_stats() -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        db = Database.open(f"sqlite:///{Path(tmp) / 'real.db'}")
        init_database(db)
        with db.session() as s:
            return network_stats(load_facts(s))


def synthetic_stats(setting: dict[str, float], orgs: int, alliances: int) -> dict[str, float]:
    for name, value in setting.items():
        setattr(generator, name, type(getattr(generator, name))(value))
    return network_stats(facts_of(generator.generate(orgs, alliances, seed=1)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orgs", type=int, default=20_000)
    parser.add_argument("--alliances", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--top", type=int, default=10)
    args = parser.parse_args()
    target = real_stats()
    current = {name: getattr(generator, name) for name in GRID}
    settings = [dict(zip(GRID, values, strict=True)) for values in itertools.product(*GRID.values())]
    with ProcessPoolExecutor(args.workers) as pool:
        results = list(
            pool.map(synthetic_stats, settings, [args.orgs] * len(settings), [args.alliances] * len(settings))
        )
    ranked = sorted(zip(settings, results, strict=True), key=lambda sr: distance(sr[1], target))
    names = list(GRID)
    print(" | ".join(["distance", *names, *STATISTICS]))
    print(" | ".join(["real", *["" for _ in names], *[f"{target[k]:.3f}" for k in STATISTICS]]))
    for setting, stats in ranked[: args.top]:
        mark = " (current)" if setting == current else ""
        print(
            " | ".join(
                [
                    f"{distance(stats, target):.3f}{mark}",
                    *[f"{setting[n]:g}" for n in names],
                    *[f"{stats[k]:.3f}" for k in STATISTICS],
                ]
            )
        )
    rank = next((i for i, (s, _) in enumerate(ranked) if s == current), None)
    where = f"rank {rank + 1} of {len(ranked)}" if rank is not None else "not in the grid"
    print(f"current constants {current}: {where}")


if __name__ == "__main__":
    main()
