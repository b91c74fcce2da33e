"""Benchmark of alliance health: replay and report time for the examples and for a long, busy history.

Prints figures, never gates CI. Usage: python bench/health.py [--years 10] [--milestones 60] [--repeat 20].
The long history is made up here: weekly spend, monthly KPI readings, a health check every quarter.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from alliances.health import History, replay
from alliances.health.csvio import load_history
from alliances.health.model import (
    Budget,
    GovernanceEvent,
    HealthAnswer,
    KpiReading,
    MilestoneEvent,
    Objective,
    Plan,
    SpendEntry,
)
from alliances.health.report import build
from alliances.health.vocab import questions

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "health"


def long_history(years: int, milestones: int) -> History:
    start = date(2015, 1, 5)
    end = start + timedelta(days=365 * years)
    days = (end - start).days
    weeks = range(0, days, 7)
    return History(
        plan=Plan(name="Long plan", start=start, end=end),
        budget=[Budget(party="A", amount=1e9), Budget(party="B", amount=1e9)],
        objectives=[Objective(key=f"k{i}", objective="o", kpi="k", target=100, due=end) for i in range(5)],
        kpis=[
            KpiReading(date=start + timedelta(days=d), objective=f"k{i}", value=100 * d / days)
            for d in range(30, days, 30)
            for i in range(5)
        ],
        milestones=[
            MilestoneEvent(
                date=start,
                milestone=f"m{i}",
                event="planned",
                on=start + timedelta(days=days * (i + 1) // milestones),
            )
            for i in range(milestones)
        ],
        spend=[SpendEntry(date=start + timedelta(days=w), party="AB"[w % 2], amount=1e6) for w in weeks],
        governance=[
            GovernanceEvent(date=start + timedelta(days=d), event="steering_meeting")
            for d in range(0, days, 90)
        ],
        health_checks=[
            HealthAnswer(date=start + timedelta(days=d), party=p, respondent=r, question=q, score=4)
            for d in range(90, days, 90)
            for p in "AB"
            for r in ("x", "y")
            for q in questions().questions
        ],
    )


def timed(label: str, fn: Callable[[], object], repeat: int) -> None:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    print(f"{label:<58} median {statistics.median(times):8.1f} ms   max {max(times):8.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--milestones", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    onduo = load_history(EXAMPLES / "onduo-like")
    timed("load examples/health/onduo-like (CSV)", lambda: load_history(EXAMPLES / "onduo-like"), args.repeat)
    timed("replay onduo-like (14 quarters)", lambda: replay(onduo), args.repeat)
    timed("report onduo-like (page content)", lambda: build(onduo, "fr"), args.repeat)
    big = long_history(args.years, args.milestones)
    entries = sum(
        len(getattr(big, k)) for k in ("kpis", "milestones", "spend", "governance", "health_checks")
    )
    label = f"replay {args.years} years, {entries} entries ({len(replay(big))} quarters)"
    timed(label, lambda: replay(big), max(3, args.repeat // 4))


if __name__ == "__main__":
    main()
