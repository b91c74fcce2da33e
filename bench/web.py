"""Benchmark (not a test): p50/p95 latency of every page and API route on a large SQLite database.

    python bench/web.py                      # builds /tmp/alliances-bench.db with `alliances synth` once
    python bench/web.py --db big.db --repeat 20

The database is filled by `alliances synth --organisations 20000 --alliances 100000` unless it exists.
Requests go through the ASGI app in-process (no network), after one warm-up request per route so that
cached analytics (network centralities, computed once per data version and filter set) are measured as
users meet them after the first visit; the first, cold timings are printed too. Target: p95 <= 200 ms.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

ROUTES = [
    "/",
    "/alliances",
    "/alliances?technology=ai&stage=research&year_from=2019",
    "/alliances?q=syn-0001",
    "/alliances?page=50&sort=-amount",
    "/alliances/{alliance}",
    "/organisations",
    "/organisations?kind=big_tech",
    "/organisations/{organisation}",
    "/matrix",
    "/matrix?source=both&type=rd_collaboration",
    "/network",
    "/network?kind=big_tech&year_from=2021&rollup=1",
    "/trends",
    "/trends?technology=ai",
    "/projects",
    "/surveys",
    "/docs",
    "/healthz",
    "/api/v1/alliances",
    "/api/v1/alliances?kind=startup&per_page=100",
    "/api/v1/alliances/{alliance}",
    "/api/v1/organisations?sort=-degree",
    "/api/v1/organisations/{organisation}",
    "/api/v1/matrix",
    "/api/v1/network",
    "/api/v1/network?by=betweenness&per_page=100",
    "/api/v1/trends",
    "/api/v1/projects",
]
# Downloads of thousands of records: timed and printed, but outside the page/API latency target.
EXPORTS = [
    "/api/v1/alliances.csv?technology=ai&year_from=2024",
    "/api/v1/alliances.jsonl?type=joint_venture&year_from=2024",
    "/api/v1/network.graphml?kind=big_tech",
    "/api/v1/network.gexf?kind=big_tech",
]


def build(path: Path, organisations: int, alliances: int) -> None:
    print(f"building {path} with {organisations} organisations and {alliances} alliances …", flush=True)
    subprocess.run(
        [
            sys.executable,
            "-c",
            "from alliances.cli import main; main()",
            "synth",
            "--db",
            str(path),
            "--organisations",
            str(organisations),
            "--alliances",
            str(alliances),
        ],
        check=True,
    )


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path("/tmp/alliances-bench.db"))
    parser.add_argument("--organisations", type=int, default=20_000)
    parser.add_argument("--alliances", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    if not args.db.exists():
        build(args.db, args.organisations, args.alliances)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    from alliances.settings import Settings
    from alliances.web import create_app

    client = TestClient(create_app(Settings().with_overrides(db=str(args.db.resolve()))))
    first = client.get("/api/v1/alliances?per_page=1&sort=-announced").json()["items"][0]
    top = client.get("/api/v1/organisations?sort=-degree&per_page=1").json()["items"][0]
    ids = {"alliance": first["id"], "organisation": top["id"]}
    print(f"{'route':<62} {'cold ms':>8} {'p50 ms':>8} {'p95 ms':>8}")
    every: list[float] = []
    for template in ROUTES + EXPORTS:
        route = template.format(**ids)
        start = time.perf_counter()
        response = client.get(route)
        cold = (time.perf_counter() - start) * 1000
        assert response.status_code == 200, (route, response.status_code)
        label = f"{route} ({len(response.content) / 1e6:.1f} MB)" if template in EXPORTS else route
        timings = []
        for _ in range(args.repeat if template not in EXPORTS else 2):
            start = time.perf_counter()
            client.get(route)
            timings.append((time.perf_counter() - start) * 1000)
        if template not in EXPORTS:
            every += timings
        print(f"{label:<62} {cold:8.0f} {statistics.median(timings):8.1f} {percentile(timings, 0.95):8.1f}")
    print(
        f"\nall page and API routes (exports excluded): p50 {statistics.median(every):.1f} ms, "
        f"p95 {percentile(every, 0.95):.1f} ms over {len(every)} requests"
    )


if __name__ == "__main__":
    main()
