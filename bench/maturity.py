"""Maturity observatory timings: writing a synthetic panel, a cold and a warm benchmark, the annual report.

    python3 bench/maturity.py [--respondents 2000] [--db PATH]

Prints figures; nothing is asserted. The database is a fresh SQLite file (bundled data + the panel).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from alliances.maturity import service
from alliances.report import render_report
from alliances.store.bundle import init_database
from alliances.store.db import Database


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--respondents", type=int, default=2000)
    parser.add_argument("--db", type=Path, default=None)
    args = parser.parse_args()
    path = args.db or Path(tempfile.mkdtemp()) / "maturity-bench.db"
    db = Database.open(f"sqlite:///{path}")
    init_database(db)
    start = time.perf_counter()
    with db.session() as s:
        written = service.write_synthetic_panel(s, args.respondents)
    print(
        f"synth: {written['assessments']} assessments of {args.respondents} organisations "
        f"in {time.perf_counter() - start:.1f} s"
    )
    with db.session() as s:
        start = time.perf_counter()
        service.peer_benchmark(s, sector="medtech", size="large", country="FR")
        cold = time.perf_counter() - start
        start = time.perf_counter()
        runs = 50
        for _ in range(runs):
            service.peer_benchmark(s, sector="pharma", size="small")
        warm = (time.perf_counter() - start) / runs
        print(f"benchmark: cold {cold * 1000:.0f} ms (scores the panel), warm {warm * 1000:.1f} ms per call")
        start = time.perf_counter()
        html = render_report(s, year=2026, lang="fr")
        print(f"report: {time.perf_counter() - start:.1f} s, {len(html) / 1e6:.1f} MB")
    db.dispose()


if __name__ == "__main__":
    main()
