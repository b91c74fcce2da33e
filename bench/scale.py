"""Benchmark (not a test): p50/p95 of each query family at 10k, 100k and 1M alliances, SQLite and PostgreSQL.

    nice -n 19 python bench/scale.py                                  # every size, both engines
    nice -n 19 python bench/scale.py --sizes 10000,100000 --engines sqlite --repeat 20

Databases are built once with `alliances synth --organisations N/5 --alliances N` (N/2 sources) and kept:
SQLite files under --dir, PostgreSQL databases `alliances_scale_N` on the server of ALLIANCES_TEST_PG_URL.
Each is migrated (indexes of 0008_scale; 0009_aggregates fills the rollup) and ANALYZEd. Query families
call the library the pages call,
with different parameters at each repetition (random organisation, technology, stage, year; each family
draws from its own seed, so `--families` repeats the full run's calls), after one
warm-up call: matrix and trends unfiltered (the default pages, the worst case), organisation profile,
filtered search (technology + stage + year, first page), text search (`q`), 2-hop neighbourhood, the
profile and 2-hop of the 50 largest organisations in turn (hubs: the worst case, no target), and
the data-version stamp the web layer computes before answering from its cache.
Targets: p95 <= 100 ms (matrix, trends, profile, filtered search), <= 300 ms (neighbourhood).
Writes bench/results/scale.md (the table) and bench/results/scale.png (log-log: p95 against size).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select, text

from alliances.analytics.matrix import tech_stage_matrix
from alliances.analytics.trends import alliance_trends
from alliances.store.db import Database
from alliances.store.filters import Filters
from alliances.store.models import Alliance, Organisation, Party
from alliances.store.organisations import get_organisation
from alliances.store.queries import list_alliances
from alliances.store.scale import neighbourhood
from alliances.store.version import data_version

RESULTS = Path(__file__).resolve().parent / "results"
TARGETS = {
    "matrix": 100,
    "trends": 100,
    "profile": 100,
    "search": 100,
    "text search": None,
    "2-hop": 300,
    "hub profile": None,
    "hub 2-hop": None,
    "data version": None,
}
HUBS = 50  # the organisations with most alliances, one per call of the hub families (no cached profile)
TECHS = ["ai", "big_data", "cloud", "other_digital", "robotics"]
STAGES = ["research", "development", "production", "distribution", "usage"]  # the vocabulary's stages


def url_for(engine: str, n: int, folder: Path, pg: str | None, prefix: str = "alliances_scale") -> str | None:
    if engine == "sqlite":
        return f"sqlite:///{folder / f'scale-{n}.db'}"
    if not pg:
        return None
    name = f"{prefix}_{n}"
    admin = create_engine(pg, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return pg.rsplit("/", 1)[0] + f"/{name}"


def ensure(url: str, n: int) -> Database:
    """Build the database with `alliances synth` unless it holds n alliances; migrate; ANALYZE."""
    db = Database.open(url)
    have = 0
    if db.is_initialised():
        with db.session() as s:
            have = s.scalar(select(func.count()).select_from(Alliance)) or 0
    if have != n:
        argv = ["nice", "-n", "19", sys.executable, "-c", "from alliances.cli import main; main()", "synth"]
        argv += ["--organisations", str(n // 5), "--alliances", str(n), "--db", url]
        t = time.perf_counter()
        subprocess.run(argv, check=True)
        print(f"  built {url.split('@')[-1]} in {time.perf_counter() - t:.0f} s", flush=True)
    t = time.perf_counter()
    db.upgrade()
    with db.engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.commit()
    print(f"  migrated and analysed in {time.perf_counter() - t:.1f} s", flush=True)
    return db


def families(db: Database, rng: random.Random) -> dict[str, Callable[[Any], Any]]:
    with db.session() as s:
        top = s.scalar(select(func.max(Organisation.id))) or 1
        years = [y for y in s.scalars(select(Alliance.year).distinct()) if y]

    def org() -> int:
        return rng.randint(1, top)

    hubs: list[int] = []

    def hub() -> int:
        """The next of the largest organisations: the worst case, where the random ones rarely fall."""
        if not hubs:
            with db.session() as s:
                count = func.count()
                ranked = select(Party.organisation_id).group_by(Party.organisation_id)
                hubs.extend(s.scalars(ranked.order_by(count.desc(), Party.organisation_id).limit(HUBS)))
        hubs.append(hubs.pop(0))
        return hubs[-1]

    return {
        "matrix": lambda s: tech_stage_matrix(s, Filters()),
        "trends": lambda s: alliance_trends(s, Filters()),
        "profile": lambda s: get_organisation(s, org()),
        "search": lambda s: list_alliances(
            s, Filters(technology=rng.choice(TECHS), stage=rng.choice(STAGES), year_from=rng.choice(years))
        ),
        "text search": lambda s: list_alliances(s, Filters(q=f"syn-{org():06d}")),
        "2-hop": lambda s: neighbourhood(s, org()),
        "hub profile": lambda s: get_organisation(s, hub()),
        "hub 2-hop": lambda s: neighbourhood(s, hub()),
        "data version": data_version,  # every cached page pays it first
    }


def p50_p95(times: list[float]) -> tuple[float, float]:
    times = sorted(times)
    return statistics.median(times), times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]


def measure(
    db: Database,
    repeat: int,
    seed: int,
    skip: frozenset[str] = frozenset(),
    only: frozenset[str] = frozenset(),
) -> dict[str, tuple[float, ...]]:
    """Wall-clock p50/p95, and this process's CPU p50/p95 (on SQLite: the query's own work, whatever the
    load of the shared machine; on PostgreSQL the server's work is not in it)."""
    out: dict[str, tuple[float, ...]] = {}
    for name in families(db, random.Random(seed)):
        run = families(db, random.Random(f"{seed}:{name}"))[name]  # its own draws, with or without --families
        if name in skip:
            print(f"    {name:12} skipped (--skip-large)", flush=True)
            continue
        if only and name not in only:
            continue
        wall, cpu = [], []
        for i in range(repeat + 1):
            with db.session() as s:
                t, c = time.perf_counter(), time.process_time()
                run(s)
                if i:  # the first call warms the caches
                    wall.append((time.perf_counter() - t) * 1000)
                    cpu.append((time.process_time() - c) * 1000)
        out[name] = (*p50_p95(wall), *p50_p95(cpu))
        w50, w95, c50, c95 = out[name]
        print(f"    {name:12} p50 {w50:8.1f} ms  p95 {w95:8.1f} ms   (cpu {c50:.1f} / {c95:.1f})", flush=True)
    return out


def write_results(
    rows: dict[tuple[str, int], dict[str, tuple[float, ...]]], repeat: int, repeat_large: int
) -> None:
    RESULTS.mkdir(exist_ok=True)
    sizes = sorted({n for _, n in rows})
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    lines = [
        f"# bench/scale.py — {platform.node()}, {os.cpu_count()} cores shared, load average {load}",
        "",
        f"Wall-clock p50 / p95 in ms over {repeat} calls ({repeat_large} at 1M) with varying parameters,",
        "target p95 in brackets; for SQLite, [CPU p50 / p95] of the query in this process (what it costs",
        "on an idle core). Python " + platform.python_version() + ".",
        "",
        "| engine | query | " + " | ".join(f"{n:,} alliances" for n in sizes) + " |",
        "| --- | --- | " + " | ".join("---" for _ in sizes) + " |",
    ]
    for engine in ("sqlite", "postgres"):
        for fam, target in TARGETS.items():
            cells = [rows.get((engine, n), {}).get(fam) for n in sizes]
            if not any(cells):
                continue
            shown = [
                (f"{c[0]:.0f} / {c[1]:.0f}" + (f" [{c[2]:.0f} / {c[3]:.0f}]" if engine == "sqlite" else ""))
                if c
                else ""
                for c in cells
            ]
            label = f"{fam} (≤ {target})" if target else fam
            lines.append(f"| {engine} | {label} | " + " | ".join(shown) + " |")
    (RESULTS / "scale.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ModuleNotFoundError:
        print("matplotlib is not installed (pip install 'alliance-observatory[scale]'): no plot")
        return
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.5), sharey=True)
    for ax, engine in zip(axes, ("sqlite", "postgres"), strict=True):
        for k, fam in enumerate(TARGETS):
            colour = f"C{k}"
            pts = [(n, rows[(engine, n)][fam][1]) for n in sizes if fam in rows.get((engine, n), {})]
            if pts:
                ax.plot(*zip(*pts, strict=True), marker="o", color=colour, label=fam)
            cpu = [(n, rows[(engine, n)][fam][3]) for n in sizes if fam in rows.get((engine, n), {})]
            if cpu:  # this process's CPU: the query's own on SQLite, the client's share on PostgreSQL
                ax.plot(*zip(*cpu, strict=True), ls="--", marker=".", color=colour, lw=0.9)
        ax.axhline(100, color="grey", ls="--", lw=0.8)
        ax.axhline(300, color="grey", ls=":", lw=0.8)
        title = engine + " (solid: wall-clock, dashed: CPU of this process)"
        ax.set(xscale="log", yscale="log", title=title, xlabel="alliances", ylabel="p95 (ms)")
        ax.grid(True, which="both", lw=0.3)
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(RESULTS / "scale.png", dpi=110)
    print(f"wrote {RESULTS / 'scale.md'} and {RESULTS / 'scale.png'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--repeat-large", type=int, default=5, help="Calls per family at 1M and more.")
    parser.add_argument("--skip-large", default="", help="Families not measured at 1M on PostgreSQL.")
    parser.add_argument("--families", default="", help="Only these families (comma-separated), to iterate.")
    parser.add_argument("--no-write", action="store_true", help="Print the figures only (keep results/).")
    parser.add_argument("--dir", type=Path, default=Path("/tmp/i16-scale"))
    parser.add_argument("--pg", default=os.environ.get("ALLIANCES_TEST_PG_URL"))
    parser.add_argument("--pg-prefix", default="alliances_scale", help="PostgreSQL databases PREFIX_N.")
    parser.add_argument("--replot", action="store_true", help="Only rewrite table and plot from scale.json.")
    args = parser.parse_args()
    if args.replot:
        write_results(merged({}), args.repeat, args.repeat_large)
        return
    args.dir.mkdir(parents=True, exist_ok=True)
    rows = {}
    for engine in args.engines.split(","):
        for n in (int(x) for x in args.sizes.split(",")):
            url = url_for(engine, n, args.dir, args.pg, args.pg_prefix)
            if url is None:
                print(f"{engine}: no server (set ALLIANCES_TEST_PG_URL or --pg); skipped")
                break
            print(f"{engine}, {n:,} alliances", flush=True)
            db = ensure(url, n)
            large = n >= 1_000_000
            skip = frozenset(args.skip_large.split(",")) if large and engine == "postgres" else frozenset()
            only = frozenset(f for f in args.families.split(",") if f)
            rows[(engine, n)] = measure(db, args.repeat_large if large else args.repeat, n, skip, only)
            db.dispose()
            if not args.no_write:
                merged(rows)  # kept at once: a long run stopped later keeps what it measured
    if not args.no_write:
        write_results(merged(rows), args.repeat, args.repeat_large)


def merged(rows: dict[tuple[str, int], dict[str, tuple[float, ...]]]) -> dict[tuple[str, int], Any]:
    """These figures plus those of earlier runs at other sizes (bench/results/scale.json), so that the
    1M run, done once, and the smaller ones end in one table."""
    path = RESULTS / "scale.json"
    RESULTS.mkdir(exist_ok=True)
    old = json.loads(path.read_text()) if path.exists() else {}
    old.update({f"{engine}:{n}": v for (engine, n), v in rows.items()})
    path.write_text(json.dumps(old, indent=1))
    return {(k.split(":")[0], int(k.split(":")[1])): v for k, v in old.items()}


if __name__ == "__main__":
    main()
