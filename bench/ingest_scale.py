"""Benchmark (not a test): documents/s of ingestion single-process, and with 1 and 2 local Dask workers, on
the same synthetic press releases (`alliances synth-docs`: half French, half English).

    nice -n 19 python bench/ingest_scale.py --documents 200           # steady state (warm workers)
    nice -n 19 python bench/ingest_scale.py --documents 200 --cold    # also the whole commands

Steady state: the pipeline (spaCy) is loaded first (in this process, or in every Dask worker), then the
corpus is ingested into a fresh, migrated SQLite file and timed: the rate a long ingestion of millions of
documents runs at. --cold also times the whole `alliances ingest [--dask local:N]` commands, start-up
included. Target: 2 workers >= 1.7x single-process on this 2-core machine. The load average is printed:
on a shared machine the ratio says as much about the neighbours as about Dask.

CPU seconds of each process are printed too (this process: reading, hashing, scheduling, writing; each
worker: extraction), with the best ratio they allow on this machine's cores, whatever the neighbours do:
a run cannot take less than max(client CPU, busiest worker's CPU, all CPU / cores) seconds (Amdahl).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

from alliances.extract.distributed import ingest_dask, local_cluster
from alliances.extract.ingest import ingest_paths
from alliances.store.db import Database
from alliances.synth.documents import write_documents

CLI = [sys.executable, "-c", "from alliances.cli import main; main()"]
SAMPLE = "Servier s'associe à Owkin pour l'intelligence artificielle. Sanofi partners with Google."


def warm() -> None:
    """Load the pipeline (and spaCy's French model) in the calling process."""
    from alliances.extract.run import extract_text

    extract_text(SAMPLE)


def fresh_db(folder: Path, label: str) -> Database:
    path = folder / f"{label.replace(' ', '-').replace(':', '')}.db"
    path.unlink(missing_ok=True)
    db = Database.open(f"sqlite:///{path}")
    db.upgrade()
    return db


def cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


def steady(docs: Path, folder: Path, workers: int) -> tuple[float, float, list[float]]:
    """Seconds to ingest `docs` with the pipeline already loaded (workers = 0: this process), and the CPU
    seconds spent meanwhile by this process (client, and the scheduler of a local cluster) and each worker."""
    db = fresh_db(folder, f"steady-{workers}")
    me = psutil.Process()
    if workers == 0:
        warm()
        t, c = time.perf_counter(), cpu_seconds(me)
        report = ingest_paths(db, [docs])
        seconds, client_cpu, worker_cpu = time.perf_counter() - t, cpu_seconds(me) - c, []
    else:
        from distributed import Client

        with local_cluster(workers) as cluster, Client(cluster) as client:
            client.run(warm)
            pids = client.run(os.getpid).values()
            procs = [psutil.Process(pid) for pid in pids]
            before = [cpu_seconds(p) for p in procs]
            t, c = time.perf_counter(), cpu_seconds(me)
            report = ingest_dask(db, [docs], address=cluster.scheduler_address)
            seconds, client_cpu = time.perf_counter() - t, cpu_seconds(me) - c
            worker_cpu = [cpu_seconds(p) - b for p, b in zip(procs, before, strict=True)]
    assert report.failed == 0 and report.stored == report.documents, report
    db.dispose()
    return seconds, client_cpu, worker_cpu


def cold(docs: Path, folder: Path, extra: list[str]) -> float:
    db = fresh_db(folder, "cold-" + "-".join(extra))
    db.dispose()
    t = time.perf_counter()
    subprocess.run(CLI + ["ingest", *extra, "--db", db.url, str(docs)], check=True, capture_output=True)
    return time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=200)
    parser.add_argument("--cold", action="store_true", help="Also time the whole commands.")
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "alliances-ingest-bench")
    args = parser.parse_args()
    docs = args.dir / f"docs-{args.documents}"
    if not docs.is_dir():
        write_documents(docs, args.documents)
    print(f"{args.documents} documents, {os.cpu_count()} cores")
    modes = [("steady", "single process", 0), ("steady", "dask local:1", 1), ("steady", "dask local:2", 2)]
    if args.cold:
        modes += [("cold", "single process", 0), ("cold", "dask local:1", 1), ("cold", "dask local:2", 2)]
    rate: dict[tuple[str, str], float] = {}
    bound: dict[str, float] = {}  # least possible seconds of each steady mode on this machine's cores
    cores = os.cpu_count() or 1
    for kind, label, n in modes:
        load = os.getloadavg()[0]
        cpu = ""
        if kind == "steady":
            seconds, client, workers = steady(docs, args.dir, n)
            bound[label] = max([client, *workers, (client + sum(workers)) / cores])
            cpu = f"  CPU s: client {client:.1f}" + "".join(f", worker {w:.1f}" for w in workers)
        else:
            seconds = cold(docs, args.dir, ["--dask", f"local:{n}"] if n else [])
        rate[(kind, label)] = args.documents / seconds
        print(
            f"{kind:6} {label:15} {seconds:7.1f} s  {rate[(kind, label)]:6.2f} docs/s  (load {load:.1f}){cpu}"
        )
    for kind in ("steady", "cold"):
        if (kind, "single process") in rate:
            base = rate[(kind, "single process")]
            one, two = rate[(kind, "dask local:1")] / base, rate[(kind, "dask local:2")] / base
            print(
                f"{kind}: 1 worker {one:.2f}x, 2 workers {two:.2f}x single process (target 2 workers >= 1.7x)"
            )
    if bound:
        single = bound["single process"]
        print(
            f"CPU bound (Amdahl, {cores} cores): 1 worker {single / bound['dask local:1']:.2f}x, "
            f"2 workers {single / bound['dask local:2']:.2f}x single process at best"
        )


if __name__ == "__main__":
    main()
