"""Knowledge-base commands: init, stats, alliances, organisations, projects, add, import, export."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from alliances.cli.common import (
    DbOption,
    JsonOption,
    console,
    err_console,
    open_database,
    print_json,
    print_table,
)
from alliances.errors import InvalidInput
from alliances.schemas import (
    MAX_ID,
    AllianceFilters,
    AllianceSort,
    AllianceType,
    ExportFormat,
    OrganisationFilters,
    OrganisationKind,
    OrganisationSort,
    Origin,
    ProjectFilters,
    StageKey,
    StatusKey,
    TechnologyKey,
    build,
)
from alliances.store.about import AboutData, about_data
from alliances.store.bundle import init_database
from alliances.store.db import safe_url
from alliances.store.io import export_csv, export_jsonl, import_records, read_records
from alliances.store.merge import merge_organisations
from alliances.store.organisations import find_organisation, get_organisation, list_organisations
from alliances.store.projects import get_project, list_projects, stats
from alliances.store.queries import get_alliance, iter_alliances, list_alliances
from alliances.store.viewer import Viewer

orgs_app = typer.Typer(help="Organisations: list, show, search, merge.", no_args_is_help=True)
projects_app = typer.Typer(help="Innovation projects: list, show.", no_args_is_help=True)

Opt = typer.Option
_REF = re.compile(r"#?[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")
ADMIN = Viewer(is_admin=True)  # whoever holds the database file sees everything in it (issue 13)


def register(app: typer.Typer) -> None:
    app.command()(init)
    app.command("stats")(stats_cmd)
    app.command("list")(list_cmd)
    app.command("show")(show_cmd)
    app.command("add")(add_cmd)
    app.command("import")(import_cmd)
    app.command("export")(export_cmd)
    app.add_typer(orgs_app, name="orgs")
    app.add_typer(projects_app, name="projects")


def init(
    db: DbOption = None,
    empty: Annotated[bool, Opt("--empty", help="Create the schema only, without the bundled data.")] = False,
) -> None:
    """Create the database (SQLite by default) and load the bundled data; running it twice changes nothing."""
    database = open_database(db, require=False, write=True)
    if empty:
        database.upgrade()
        console.print(f"Empty database ready at {safe_url(database.url)} (schema only).")
        return
    counts = init_database(database)
    added = ", ".join(f"{n} {what}" for what, n in counts.items())
    console.print(f"Database ready at {safe_url(database.url)} (added {added}).")
    if counts.get("rejected"):
        err_console.print("Some bundled records were rejected: `alliances data check --bundle` names them.")


def stats_cmd(db: DbOption = None, json: JsonOption = False) -> None:
    """Counts of organisations, alliances, projects and sources."""
    with open_database(db).session() as session:
        data = stats(session, viewer=ADMIN)
        about = about_data(session, viewer=ADMIN)
    if json:
        print_json({**data.model_dump(), "about": about.model_dump()})
        return
    rows = [
        {"what": k, "count": getattr(data, k)}
        for k in (
            "organisations",
            "alliances",
            "projects",
            "sources",
            "evidence",
            "surveys",
            "candidates_pending",
        )
    ]
    print_table(rows, ["what", "count"], title="Alliance Observatory")
    print_table(
        [{"origin": k, "alliances": v} for k, v in data.alliances_by_origin.items()],
        ["origin", "alliances"],
    )
    print_about(about)


def print_about(about: AboutData) -> None:
    """Where the data comes from (the About page's figures), as tables."""
    for title, counts in (
        ("alliances by year", about.by_year),
        ("alliances by type", about.by_type),
        ("sources by language", about.by_source_language),
    ):
        key = title.split(" by ")[1]
        print_table([{key: k, "count": n} for k, n in counts.items()], [key, "count"], title=title)
    console.print(
        f"{about.organisations_placed} of {about.organisations} organisations curated with a country; "
        f"{about.exact_day} alliances ({100 * about.exact_day_share:.1f} %) dated to the day; "
        f"{about.terminated} terminated ({about.terminated_with_end_date} with an end date).\n"
        "Add sources: alliances ingest FOLDER (then review), alliances import FILE, "
        "alliances data check FILE first."
    )


BY_DEGREE = OrganisationSort("-degree")
JSONL = ExportFormat.jsonl

# One spelling per filter across commands; choices come from the vocabulary (listed in --help).
QOpt = Annotated[str | None, Opt("--q", "-q", help="Full-text search.")]
PartyOpt = Annotated[str | None, Opt("--party", help="Organisation name or id (includes subsidiaries).")]
TypeOpt = Annotated[AllianceType | None, Opt("--type", help="Alliance type.")]
TechnologyOpt = Annotated[TechnologyKey | None, Opt("--technology", help="Technology.")]
StageOpt = Annotated[StageKey | None, Opt("--stage", help="Value-chain stage.")]
StatusOpt = Annotated[StatusKey | None, Opt("--status", help="Status.")]
KindOpt = Annotated[OrganisationKind | None, Opt("--kind", help="Organisation kind (of one of the parties).")]
CountryOpt = Annotated[str | None, Opt("--country", help="Two-letter country code (of one of the parties).")]
FromOpt = Annotated[int | None, Opt("--from", help="First year (inclusive).")]
ToOpt = Annotated[int | None, Opt("--to", help="Last year (inclusive).")]
OriginOpt = Annotated[Origin | None, Opt("--origin", help="Where records come from.")]
AreaOpt = Annotated[str | None, Opt("--area", help="Therapeutic area contains, e.g. oncology.")]
PageOpt = Annotated[int, Opt("--page", help="Page number.")]
PerPageOpt = Annotated[int, Opt("--per-page", help="Rows per page.")]


def list_cmd(
    db: DbOption = None,
    q: QOpt = None,
    party: PartyOpt = None,
    type: TypeOpt = None,
    technology: TechnologyOpt = None,
    stage: StageOpt = None,
    status: StatusOpt = None,
    kind: KindOpt = None,
    country: CountryOpt = None,
    year_from: FromOpt = None,
    year_to: ToOpt = None,
    origin: OriginOpt = None,
    area: AreaOpt = None,
    sort: Annotated[AllianceSort | None, Opt("--sort", help="Field; - prefix for descending.")] = None,
    page: PageOpt = 1,
    per_page: PerPageOpt = 50,
    json: JsonOption = False,
) -> None:
    """List alliances, with filters."""
    filters = build(
        AllianceFilters,
        q=q,
        party=party,
        type=type,
        technology=technology,
        stage=stage,
        status=status,
        kind=kind,
        country=country,
        year_from=year_from,
        year_to=year_to,
        origin=origin,
        area=area,
        sort=sort,
        page=page,
        per_page=per_page,
    )
    with open_database(db).session() as session:
        result = list_alliances(session, filters, viewer=ADMIN)
    if json:
        print_json(result.model_dump())
        return
    rows = [
        {**a.model_dump(), "parties": [p.name for p in a.parties], "date": a.announced} for a in result.items
    ]
    print_table(
        rows,
        ["id", "parties", "type", "technologies", "stages", "date", "status"],
        title=f"{result.total} alliances (page {result.page})",
    )


def _alliance_ref(value: str) -> str:
    """An id or a key as the product prints them; anything else is a usage error (exit 2)."""
    if not _REF.fullmatch(value):
        raise typer.BadParameter(f"alliance_id must be an id or a key such as 306 or A000306, not {value!r}")
    return value


def show_cmd(
    alliance_id: Annotated[
        str, typer.Argument(help="Alliance id or key (306, A000306).", callback=_alliance_ref)
    ],
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """One alliance with its evidence and sources."""
    from alliances.store.refs import alliance_id as resolve_ref

    with open_database(db).session() as session:
        record = get_alliance(session, resolve_ref(session, alliance_id), viewer=ADMIN).model_dump()
    if json:
        print_json(record)
        return
    console.print(f"#{record['id']} {record['title']}  ({record['key']})", style="bold")
    for label, value in (
        ("Parties", ", ".join(f"{p['name']} ({p['kind']}, {p['role']})" for p in record["parties"])),
        ("Type", record["type"]),
        ("Technologies", ", ".join(record["technologies"])),
        ("Stages", ", ".join(record["stages"])),
        ("Therapeutic areas", ", ".join(record["therapeutic_areas"])),
        ("Announced", record["announced"]),
        ("Ended", record["ended"]),
        ("Status", record["status"]),
        ("Amount", _amount(record["amount"])),
        ("Vehicle", record["vehicle"]),
        ("Description", record["description"]),
    ):
        if value:
            console.print(f"  {label}: {value}")
    for event in record["events"]:
        console.print(f"  Event: {event['date'] or '?'} {event['kind']}")
    for ev in record["evidence"]:
        src = ev["source"]
        quote = f"“{ev['quote']}” " if ev["quote"] else ""
        where = src["url"] or src["path"] or ""
        console.print(f"  Evidence: {quote}— {src['title'] or ''} {where}".rstrip())


def _amount(amount: dict[str, Any] | None) -> str:
    if not amount:
        return ""
    return f"{amount['value']:,.0f} {amount['currency'] or ''} ({amount['kind']})"


def add_cmd(
    file: Annotated[Path, typer.Argument(help="YAML or JSON file of one or more alliances.")],
    db: DbOption = None,
) -> None:
    """Add alliances from a YAML or JSON file; all or nothing."""
    with open_database(db, write=True).session() as session:
        report = import_records(session, read_records(file), origin="user")
    console.print(f"Added {report.added} alliance(s); {report.skipped} already present.")


def import_cmd(
    file: Annotated[Path, typer.Argument(help="JSON Lines (SCHEMA.md records or documents) or CSV file.")],
    db: DbOption = None,
    skip_invalid: Annotated[bool, Opt(help="Import valid records and report the others.")] = False,
) -> None:
    """Import alliances; by default the first bad record aborts the whole import and nothing is written."""
    if not file.exists():
        raise InvalidInput(f"{file}: no such file")
    database = open_database(db, require=False, write=True)
    if not database.is_initialised():  # a new database: the schema first, so an export moves anywhere
        database.upgrade()
    with database.session() as session:
        report = import_records(session, read_records(file), skip_invalid=skip_invalid)
    for error in report.errors:
        typer.echo(f"skipped: {error}", err=True)
    console.print(
        f"Imported {report.added} alliance(s); {report.skipped} already present; "
        f"{len(report.errors)} invalid."
    )
    if report.errors:
        raise typer.Exit(1)


def export_cmd(
    db: DbOption = None,
    format: Annotated[
        ExportFormat, Opt("--format", help="jsonl (re-importable) or csv.")
    ] = ExportFormat.jsonl,
    output: Annotated[
        Path | None, Opt("--output", "-o", help="File to write (default: standard output).")
    ] = None,
    bom: Annotated[bool, Opt("--bom", help="Start a CSV file with a UTF-8 BOM (Excel on Windows).")] = False,
) -> None:
    """Export every alliance as JSON Lines (re-importable) or CSV (RFC 4180)."""
    with open_database(db).session() as session:
        chunks = (
            export_jsonl(session, viewer=ADMIN)
            if format == ExportFormat.jsonl
            else export_csv(iter_alliances(session, AllianceFilters(sort="id"), viewer=ADMIN), bom=bom)
        )
        if output is None:
            for chunk in chunks:
                sys.stdout.write(chunk)
            return
        tmp = output.with_name(output.name + ".part")
        with tmp.open("w", encoding="utf-8", newline="") as handle:
            for chunk in chunks:
                handle.write(chunk)
        tmp.replace(output)


@orgs_app.command("list")
def orgs_list(
    db: DbOption = None,
    q: Annotated[str | None, Opt("--q", "-q", help="Name or alias contains.")] = None,
    kind: Annotated[OrganisationKind | None, Opt("--kind", help="Organisation kind.")] = None,
    country: CountryOpt = None,
    origin: OriginOpt = None,
    sort: Annotated[OrganisationSort, Opt("--sort", help="Field; - prefix for descending.")] = BY_DEGREE,
    page: PageOpt = 1,
    per_page: PerPageOpt = 50,
    json: JsonOption = False,
) -> None:
    """List organisations, most connected first."""
    filters = build(
        OrganisationFilters,
        q=q,
        kind=kind,
        country=country,
        origin=origin,
        sort=sort,
        page=page,
        per_page=per_page,
    )
    with open_database(db).session() as session:
        result = list_organisations(session, filters, viewer=ADMIN)
    if json:
        print_json(result.model_dump())
        return
    print_table(
        [o.model_dump() for o in result.items],
        ["id", "name", "kind", "country", "degree"],
        title=f"{result.total} organisations",
    )


@orgs_app.command("show")
def orgs_show(
    ref: Annotated[str, typer.Argument(help="Id or name.")], db: DbOption = None, json: JsonOption = False
) -> None:
    """An organisation's profile: family, partners, technologies, alliances."""
    with open_database(db).session() as session:
        profile = get_organisation(session, ref, viewer=ADMIN)
    if json:
        print_json(profile.model_dump())
        return
    console.print(f"#{profile.id} {profile.name} — {profile.kind}, {profile.country or '?'}", style="bold")
    if profile.aliases:
        console.print(f"  Also known as: {', '.join(profile.aliases)}")
    if profile.parent:
        console.print(f"  Parent: {profile.parent.name}")
    if profile.subsidiaries:
        console.print(f"  Subsidiaries: {', '.join(s.name for s in profile.subsidiaries)}", highlight=False)
    console.print(f"  Technologies: {_counts(profile.technologies)}")
    console.print(f"  Stages: {_counts(profile.stages)}")
    rows = [
        {**a.model_dump(), "parties": [p.name for p in a.parties], "date": a.announced}
        for a in profile.alliances
    ]
    print_table(
        rows, ["id", "parties", "type", "technologies", "date", "status"], title=f"{len(rows)} alliances"
    )


def _counts(counter: dict[str, int]) -> str:
    return ", ".join(f"{k} ({v})" for k, v in counter.items()) or "—"


@orgs_app.command("search")
def orgs_search(
    text: Annotated[str, typer.Argument(help="Part of a name or alias.")],
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Find organisations by name or alias, with near matches when nothing contains the text."""
    from alliances.store.organisations import search_organisations

    with open_database(db).session() as session:
        items = [o.model_dump() for o in search_organisations(session, text, viewer=ADMIN)]
    if json:
        print_json(items)
        return
    print_table(items, ["id", "name", "kind", "country", "degree"], title=f"{len(items)} match(es)")


@orgs_app.command("merge")
def orgs_merge(
    keep: Annotated[str, typer.Argument(help="Organisation to keep (id or name).")],
    drop: Annotated[str, typer.Argument(help="Organisation merged into it (id or name).")],
    db: DbOption = None,
) -> None:
    """Merge DROP into KEEP: every alliance, project, alias and identifier of both is kept."""
    with open_database(db, write=True).session() as session:
        kept = find_organisation(session, keep)
        dropped = find_organisation(session, drop)
        name = dropped.name
        merged = merge_organisations(session, kept.id, dropped.id)
        console.print(f"Merged {name} into {merged.name} (#{merged.id}).")


@projects_app.command("list")
def projects_list(
    db: DbOption = None,
    q: QOpt = None,
    party: PartyOpt = None,
    technology: TechnologyOpt = None,
    stage: StageOpt = None,
    year_from: FromOpt = None,
    year_to: ToOpt = None,
    page: PageOpt = 1,
    per_page: PerPageOpt = 500,
    json: JsonOption = False,
) -> None:
    """List innovation projects."""
    filters = build(
        ProjectFilters,
        q=q,
        party=party,
        technology=technology,
        stage=stage,
        year_from=year_from,
        year_to=year_to,
        page=page,
        per_page=per_page,
    )
    with open_database(db).session() as session:
        result = list_projects(session, filters, viewer=ADMIN)
    if json:
        print_json(result.model_dump())
        return
    rows = [{**p.model_dump(), "owners": [o.name for o in p.owners]} for p in result.items]
    print_table(
        rows, ["id", "name", "owners", "technologies", "stages", "year"], title=f"{result.total} projects"
    )


@projects_app.command("show")
def projects_show(
    project_id: Annotated[int, typer.Argument(min=1, max=MAX_ID, help="Project id.")],
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """One project with its evidence."""
    with open_database(db).session() as session:
        record = get_project(session, project_id, viewer=ADMIN)
    if json:
        print_json(record.model_dump())
        return
    console.print(f"#{record.id} {record.name}", style="bold")
    console.print(f"  Owners: {', '.join(o.name for o in record.owners) or '—'}")
    for label in ("description", "technologies", "stages", "announced", "figures"):
        if value := getattr(record, label):
            console.print(f"  {label.capitalize()}: {value}")
    for ev in record.evidence:
        console.print(f"  Evidence: “{ev.quote}” — {ev.source.title}")
