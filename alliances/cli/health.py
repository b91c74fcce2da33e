"""CLI for alliance health: replay a CSV history, import CSV files, show a plan, a portfolio, a check.

Thin: parsing and rendering only; the engine is `alliances.health`, storage `alliances.store.health`.
The CLI acts as admin unless `--as-org ORG` makes it act as a member of that organisation.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.orm import Session

from alliances.cli.common import DbOption, JsonOption, console, open_database, print_json, print_table
from alliances.errors import InvalidInput
from alliances.health import replay
from alliances.health.csvio import load_history, read_lines
from alliances.health.model import KINDS
from alliances.health.report import build, portfolio_item
from alliances.health.schemas import HealthReport
from alliances.store import health as store
from alliances.store.organisations import find_organisation
from alliances.store.viewer import Viewer

health_app = typer.Typer(
    help="Alliance health: plans, milestones, spend, checks, score and alerts.", no_args_is_help=True
)

AsOrg = Annotated[
    str | None, typer.Option("--as-org", help="Act as a member of this organisation (default: admin).")
]
Lang = Annotated[str, typer.Option("--lang", help="Language of explanations: en or fr.")]


def register(app: typer.Typer) -> None:
    """Add `alliances health …` to the main app."""
    app.add_typer(health_app, name="health")


def _viewer(session: Session, as_org: str | None) -> tuple[Viewer, int | None]:
    if as_org is None:
        return Viewer(is_admin=True), None
    org = find_organisation(session, as_org)
    return Viewer(organisation_ids=frozenset({org.id})), org.id


def _lang(lang: str) -> str:
    if lang not in ("en", "fr"):
        raise InvalidInput(f"--lang: expected en or fr, not {lang!r}")
    return lang


@health_app.command("replay")
def replay_cmd(
    folder: Annotated[Path, typer.Argument(help="Folder of CSV files: plan.csv, milestones.csv, spend.csv…")],
    json_: Annotated[bool, typer.Option("--json", help="One JSON line per review period.")] = False,
) -> None:
    """Replay a history review by review: score, signals that fired, alerts and their signals."""
    reviews = replay(load_history(folder))
    if json_:
        for review in reviews:
            sys.stdout.write(json.dumps(review.line(), ensure_ascii=False) + "\n")
        return
    rows = [
        {
            **review.line(),
            "alerts": ", ".join(a.name for a in review.alerts),
            "signals": ", ".join(review.fired),
        }
        for review in reviews
    ]
    print_table(rows, ["period", "score", "level", "signals", "alerts"])


@health_app.command("import")
def import_cmd(
    kind: Annotated[
        str, typer.Argument(help=f"What the file holds: {', '.join(KINDS)}, or 'all' for a folder.")
    ],
    path: Annotated[Path, typer.Argument(help="The CSV file (or, with 'all', the folder of CSV files).")],
    alliance: Annotated[int, typer.Option("--alliance", help="Id of the alliance the plan belongs to.")],
    as_org: AsOrg = None,
    db: DbOption = None,
) -> None:
    """Import one CSV file into an alliance's plan, all or nothing (errors give file:line: field)."""
    if kind == "all":
        load_history(path)  # the whole folder is checked before anything is written
        files = [(k, path / f"{k}.csv") for k in KINDS if (path / f"{k}.csv").is_file()]
    elif kind in KINDS:
        files = [(kind, path)]
    else:
        raise InvalidInput(f"unknown kind {kind!r} (expected one of: {', '.join(KINDS)}, all)")
    parsed = [(k, file, read_lines(file, k)) for k, file in files]
    counts = []
    with open_database(db, write=True).session() as session:
        viewer, org_id = _viewer(session, as_org)
        for k, file, numbered in parsed:
            rows = [row for _, row in numbered]
            n = store.save_entries(
                session,
                alliance,
                k,
                rows,
                viewer=viewer,
                owner_id=org_id,
                where=f"{file}",
                lines=[line for line, _ in numbered],
            )
            counts.append(f"{n} {k}")
    console.print(f"Imported into the plan of alliance {alliance}: {', '.join(counts)}.")


def _report(db: str | None, alliance_id: int, as_org: str | None, lang: str) -> HealthReport:
    with open_database(db).session() as session:
        viewer, _ = _viewer(session, as_org)
        history = store.get_history(session, alliance_id, viewer=viewer)
        title = store.alliance_title(session, alliance_id, viewer=viewer)
    return build(history, _lang(lang), alliance_id, title)


@health_app.command("show")
def show_cmd(
    alliance_id: Annotated[int, typer.Argument(help="Alliance id.")],
    as_org: AsOrg = None,
    lang: Lang = "en",
    db: DbOption = None,
    json_: JsonOption = False,
) -> None:
    """The latest review of an alliance's plan: score and why, signals, alerts."""
    report = _report(db, alliance_id, as_org, lang)
    if json_:
        print_json(report.model_dump(mode="json"))
        return
    console.print(
        f"{report.name} — {report.period}: {report.score}/100 ({report.level_label}), {report.stage_label}"
    )
    for c in report.components:
        console.print(f"  {c.label}: {c.points:g}/{c.weight:g} — {c.explanation}")
    for s in report.signals:
        if s.fired:
            console.print(f"  ! {s.label}: {s.explanation}")
    for a in report.alerts:
        console.print(f"ALERT {a.label} (since {a.since}): {', '.join(a.signals)}. {a.ask}")


@health_app.command("check")
def check_cmd(
    alliance_id: Annotated[int, typer.Argument(help="Alliance id.")],
    as_org: AsOrg = None,
    lang: Lang = "en",
    db: DbOption = None,
    json_: JsonOption = False,
) -> None:
    """The latest joint health check: each party's mean answer per question and the perception gap."""
    report = _report(db, alliance_id, as_org, lang)
    if json_:
        print_json([q.model_dump() for q in report.health_check])
        return
    rows = [
        {"question": q.label, **{p: q.by_party.get(p) for p in report.parties}, "gap": q.gap}
        for q in report.health_check
    ]
    print_table(rows, ["question", *report.parties, "gap"], title=f"{report.name}: joint health check")


@health_app.command("portfolio")
def portfolio_cmd(
    organisation: Annotated[str, typer.Argument(help="Organisation name or id.")],
    as_org: AsOrg = None,
    lang: Lang = "en",
    db: DbOption = None,
    json_: JsonOption = False,
) -> None:
    """The plans of an organisation's alliances with their scores, trends and alerts."""
    with open_database(db).session() as session:
        viewer, _ = _viewer(session, as_org)
        org = find_organisation(session, organisation)
        items = [
            portfolio_item(a.id, a.title, h, _lang(lang))
            for a, h in store.portfolio(session, org.id, viewer=viewer)
        ]
    if json_:
        print_json([i.model_dump() for i in items])
        return
    if not items:
        console.print(f"No alliance plan of {org.name} is visible.")
        return
    rows = [
        {**i.model_dump(), "trend": " ".join(map(str, i.trend)), "alerts": ", ".join(i.alerts)} for i in items
    ]
    print_table(
        rows,
        ["alliance_id", "title", "score", "level", "trend", "alerts"],
        title=f"{org.name}: alliance health",
    )
