"""CLI for extraction: `extract`, `eval`, `ingest` and `review` — thin shells over alliances.extract."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from alliances.cli.common import DbOption, console, err_console, open_database, print_json, print_table
from alliances.extract.readers import MAX_BYTES, TIME_LIMIT, ReadFailure

PathsArg = Annotated[list[Path], typer.Argument(help="Files (.txt .md .html .pdf .jsonl) or directories.")]
WorkersOpt = Annotated[int, typer.Option("--workers", "-w", min=1, help="Worker processes.")]
MaxMbOpt = Annotated[int, typer.Option("--max-mb", min=1, help="Skip files larger than this (MB).")]
TimeLimitOpt = Annotated[
    float,
    typer.Option("--time-limit", min=0, help="Give up a document after this many seconds (0: no limit)."),
]


def _warn(failure: ReadFailure) -> None:
    sys.stderr.write(f"warning: {failure.message()}\n")
    sys.stderr.flush()


def extract(
    paths: PathsArg,
    fmt: Annotated[str, typer.Option("--format", help="Output format (jsonl).")] = "jsonl",
    workers: WorkersOpt = 1,
    max_mb: MaxMbOpt = MAX_BYTES // 1_000_000,
    time_limit: TimeLimitOpt = TIME_LIMIT,
) -> None:
    """Print the alliances each document states, one JSON line per document (SCHEMA.md); stores nothing."""
    from alliances.extract.run import extract_paths

    if fmt != "jsonl":
        raise typer.BadParameter("only jsonl is supported", param_hint="--format")
    failed = 0
    for item in extract_paths(paths, workers=workers, max_bytes=max_mb * 1_000_000, time_limit=time_limit):
        if isinstance(item, ReadFailure):
            failed += 1
            _warn(item)
            continue
        sys.stdout.write(json.dumps(item.record, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    if failed:  # SystemExit: the app runs with standalone_mode=False, which swallows typer.Exit codes
        sys.exit(1)


def evaluate(
    gold: Annotated[Path, typer.Argument(help="Gold JSON Lines (SCHEMA.md).")],
    pred: Annotated[Path, typer.Argument(help="Predicted JSON Lines, e.g. from `alliances extract`.")],
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Figures only, no per-document list.")] = False,
) -> None:
    """Score predictions against gold: the figures of score_extraction.py, then misses and spurious pairs."""
    from alliances.extract.evaluate import evaluate_files

    result = evaluate_files(gold, pred)
    if not quiet:
        for doc_id, diff in result.per_document.items():
            if diff["missed"] or diff["spurious"]:
                typer.echo(f"{doc_id}: missed {diff['missed']} spurious {diff['spurious']}")
    for line in result.lines():
        typer.echo(line)


def ingest(
    paths: PathsArg,
    db: DbOption = None,
    workers: WorkersOpt = 1,
    max_mb: MaxMbOpt = MAX_BYTES // 1_000_000,
    time_limit: TimeLimitOpt = TIME_LIMIT,
    dask: Annotated[
        str | None,
        typer.Option("--dask", help="Extract on a Dask cluster: tcp://HOST:8786, or local:N workers here."),
    ] = None,
) -> None:
    """Extract and store candidate alliances with their source and evidence (one transaction per document)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from alliances.extract.ingest import ingest_paths
    from alliances.extract.readers import count_documents

    if dask:  # issue 16: a bad address fails before the progress bar
        from alliances.extract.distributed import ingest_dask, parse_address

        parse_address(dask)
    database = open_database(db, write=True)
    total = count_documents(paths, max_mb * 1_000_000)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=False,
    ) as progress:
        task = progress.add_task("ingesting", total=total or None)

        def on_item(outcome: str, name: str, line: str = "") -> None:
            if outcome == "failed":
                progress.console.print(f"warning: {line}", highlight=False, markup=False)
            if outcome in ("file",):
                progress.advance(task)

        if dask:  # issue 16: distributed extraction, batched writes
            report = ingest_dask(database, paths, address=dask, max_bytes=max_mb * 1_000_000, on_item=on_item)
        else:
            report = ingest_paths(
                database,
                paths,
                workers=workers,
                max_bytes=max_mb * 1_000_000,
                time_limit=time_limit,
                on_item=on_item,
            )
        progress.update(task, completed=total)
    documents = "document" if report.documents == 1 else "documents"
    alliances = "alliance" if report.candidates == 1 else "alliances"
    console.print(
        f"{report.documents} {documents}: {report.stored} stored, {report.skipped} already ingested, "
        f"{report.failed} failed; {report.candidates} candidate {alliances}",
        highlight=False,
    )
    if report.failed:
        sys.exit(1)


review_app = typer.Typer(
    help="Review candidate alliances: list, show, accept, reject, edit.", no_args_is_help=True
)


@review_app.command("list")
def review_list(
    db: DbOption = None,
    state: Annotated[str, typer.Option(help="pending, accepted, rejected or all.")] = "pending",
    limit: Annotated[int, typer.Option("--limit", "--per-page", min=1, help="Candidates per page.")] = 50,
    page: Annotated[int, typer.Option(min=1, help="Page number (past the end: the last page).")] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List candidates, most confident first; rumours are marked."""
    from alliances.store.candidates import candidate_page

    with open_database(db).session() as session:
        result = candidate_page(session, state=state, page=page, per_page=limit)
    rows = [row.model_dump() for row in result.items]
    if as_json:
        print_json(rows)
        return
    for row in rows:
        row["evidence"] = (row["evidence"] or "")[:70]
        row["note"] = "rumour" if row["rumour"] else ""
    print_table(
        rows,
        ["id", "state", "confidence", "note", "type", "parties", "date", "source", "evidence", "restates"],
        title=f"{result.total} candidate alliances (page {result.page} of {result.pages})",
    )


@review_app.command("show")
def review_show(candidate_id: int, db: DbOption = None) -> None:
    """Show one candidate with how each party resolves against the knowledge base."""
    from alliances.store.candidates import show_candidate

    with open_database(db).session() as session:
        print_json(show_candidate(session, candidate_id).model_dump())


@review_app.command("accept")
def review_accept(
    candidate_ids: Annotated[list[int], typer.Argument(help="Candidate ids.")],
    db: DbOption = None,
    kind: Annotated[
        list[str] | None, typer.Option(help="NAME=KIND for new organisations, e.g. Owkin=startup.")
    ] = None,
) -> None:
    """Accept candidates: each becomes an alliance; unknown parties become organisations (kind guessed)."""
    from alliances.store.candidates import accept_candidate

    kinds = dict(k.split("=", 1) for k in kind or [] if "=" in k)
    database = open_database(db, write=True)
    for cid in candidate_ids:
        with database.session() as session:
            result = accept_candidate(session, cid, kinds=kinds)
        if result.restated:  # issue 11: a restatement joins the alliance it restates
            console.print(f"candidate {cid} added as a source of alliance {result.alliance_key}")
            continue
        console.print(
            f"candidate {cid} accepted as alliance {result.alliance_key}: "
            f"{' – '.join(result.parties)}"
            + (f" (new: {', '.join(result.created)})" if result.created else ""),
            highlight=False,
        )


@review_app.command("reject")
def review_reject(
    candidate_ids: Annotated[list[int], typer.Argument(help="Candidate ids.")], db: DbOption = None
) -> None:
    """Reject candidates (kept, marked rejected, so re-ingesting does not bring them back)."""
    from alliances.store.candidates import reject_candidate

    database = open_database(db, write=True)
    for cid in candidate_ids:
        with database.session() as session:
            reject_candidate(session, cid)
        console.print(f"candidate {cid} rejected")


Many = list[str] | None  # a repeatable option; values may also be comma-separated


@review_app.command("edit")
def review_edit(
    candidate_id: int,
    db: DbOption = None,
    type_: Annotated[str | None, typer.Option("--type", help="Alliance type key.")] = None,
    technology: Annotated[Many, typer.Option("--technology", help="Technology keys.")] = None,
    stage: Annotated[Many, typer.Option("--stage", help="Value-chain stage keys.")] = None,
    area: Annotated[Many, typer.Option("--area", help="Therapeutic areas.")] = None,
    party: Annotated[
        list[str] | None, typer.Option("--party", help="Parties (replace all; 2 or more).")
    ] = None,
    date: Annotated[str | None, typer.Option(help="YYYY, YYYY-MM or YYYY-MM-DD.")] = None,
    amount: Annotated[str | None, typer.Option(help="e.g. 230M, 1.2bn USD, 1500000 EUR; '' clears.")] = None,
    currency: Annotated[str | None, typer.Option(help="Three-letter code, e.g. EUR.")] = None,
    amount_kind: Annotated[str | None, typer.Option(help="total, upfront, equity…")] = None,
    status: Annotated[str | None, typer.Option(help="announced, active or terminated; '' clears.")] = None,
    vehicle: Annotated[str | None, typer.Option(help="Joint venture or programme name.")] = None,
    evidence: Annotated[str | None, typer.Option(help="The sentence that states the alliance.")] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="FIELD=VALUE for any editable field (lists comma-separated)."),
    ] = None,
) -> None:
    """Correct a pending candidate before accepting it; every value checked, nothing written on error."""
    from alliances.errors import InvalidInput
    from alliances.store.candidates import edit_candidate

    changes: dict[str, object] = {}
    for item in set_ or []:
        if "=" not in item:
            raise InvalidInput(f"--set {item!r}: expected FIELD=VALUE")
        field, value = item.split("=", 1)
        changes[field.strip()] = value
    lists = {"technologies": technology, "stages": stage, "therapeutic_areas": area, "parties": party}
    for field, values in lists.items():
        if values is not None:
            changes[field] = [v.strip() for raw in values for v in raw.split(",") if v.strip()]
    named = {"type": type_, "date": date, "amount": amount, "currency": currency, "amount_kind": amount_kind}
    named |= {"status": status, "vehicle": vehicle, "evidence": evidence}
    changes |= {field: value for field, value in named.items() if value is not None}
    if not changes:
        raise InvalidInput("nothing to change: give --type, --technology, --date, --amount… (see --help)")
    database = open_database(db, write=True)
    with database.session() as session:
        print_json(edit_candidate(session, candidate_id, changes).record)


def eval_core(
    split: Annotated[str, typer.Option("--split", help="CORE part: dev (held aside), train or all.")] = "dev",
    core: Annotated[
        Path | None, typer.Option("--core", help="CORE folder (default ../shared/corpus/core).")
    ] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="Only the first N sentences.")] = None,
    workers: WorkersOpt = 1,
) -> None:
    """Extract from each sentence of a CORE part and score pairs and types as CORE's test split is scored."""
    from alliances.extract.learn.core import evaluate_core

    result = evaluate_core(split, core, limit, workers)
    for line in result.lines():
        typer.echo(line)


def train(
    seed: Annotated[int, typer.Option("--seed", help="Random seed (split, shuffles, initial weights).")] = 11,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the models here instead of the package.")
    ] = None,
    core_limit: Annotated[
        int | None,
        typer.Option("--core-limit", min=1, help="Train on the first N CORE train sentences only."),
    ] = None,
    ner_epochs: Annotated[
        int, typer.Option("--ner-epochs", min=0, help="Recogniser epochs (0: keep the one in --out).")
    ] = 6,
    no_seeds: Annotated[bool, typer.Option("--no-seeds", help="Do not train on the seed gold.")] = False,
) -> None:
    """Rebuild the shipped models (English recogniser, pair decision, type) from ../shared and the repo."""
    from alliances.extract.learn.train import train_all

    meta = train_all(seed, core_limit, ner_epochs, not no_seeds, out, log=typer.echo)
    typer.echo(json.dumps(meta["pair_model"]))


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.command("extract")(extract)
    app.command("eval")(evaluate)
    app.command("ingest")(ingest)
    app.command("eval-core")(eval_core)
    app.command("train")(train)
    app.add_typer(review_app, name="review")
