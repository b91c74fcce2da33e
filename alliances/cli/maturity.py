"""CLI of the maturity observatory: `maturity synth|import|benchmark|show|trajectory`, `survey`, `report`.

The CLI acts as admin (whoever holds the database file) unless `--as-org ORG` makes it act as a
member of that organisation, seeing only its assessments.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from alliances.cli.common import DbOption, JsonOption, console, open_database, print_json, print_table
from alliances.errors import InvalidInput
from alliances.maturity import service
from alliances.store import maturity as store
from alliances.store.organisations import find_organisation
from alliances.store.viewer import Viewer

maturity_app = typer.Typer(
    help="Digital maturity: self-assessments, benchmarks, trajectory.", no_args_is_help=True
)
survey_app = typer.Typer(
    help="Surveys: import responses, show shares with 95% intervals.", no_args_is_help=True
)

Opt = typer.Option
AsOrg = Annotated[
    str | None, Opt("--as-org", help="Act as a member of this organisation (name or id) instead of admin.")
]


def register(app: typer.Typer) -> None:
    app.add_typer(maturity_app, name="maturity")
    app.add_typer(survey_app, name="survey")
    app.command("report")(report_cmd)


def _viewer(session: object, as_org: str | None) -> Viewer:
    if as_org is None:
        return service.ADMIN
    return Viewer(organisation_ids=frozenset({find_organisation(session, as_org).id}))  # type: ignore[arg-type]


@maturity_app.command("synth")
def synth_cmd(
    respondents: Annotated[int, Opt(help="How many synthetic organisations to assess.")] = 300,
    seed: Annotated[int, Opt(help="Random seed (same seed, same panel).")] = 15,
    year: Annotated[int, Opt(help="Year of the latest assessments (T0 is the year before).")] = 2026,
    db: DbOption = None,
) -> None:
    """Write a synthetic panel (documented in docs/maturity.md), every row marked synthetic."""
    with open_database(db, write=True).session() as session:
        done = service.write_synthetic_panel(session, respondents, seed=seed, year=year)
    console.print(
        f"Wrote {done['assessments']} synthetic assessments of {done['organisations_created']} organisations."
    )


@maturity_app.command("import")
def import_cmd(
    file: Annotated[Path, typer.Argument(help="CSV, JSON or JSON Lines file of assessments.")],
    as_org: AsOrg = None,
    db: DbOption = None,
) -> None:
    """Import assessments, all or nothing (one error line with the file line, exit 2)."""
    with open_database(db, write=True).session() as session:
        done = service.import_assessments(session, file, viewer=_viewer(session, as_org))
    console.print(f"Imported {done['assessments']} assessments ({done['complete']} complete).")


@maturity_app.command("benchmark")
def benchmark_cmd(
    sector: Annotated[str | None, Opt(help="pharma, biotech, medtech, diagnostics or cro.")] = None,
    size: Annotated[str | None, Opt(help="Size band: small, medium or large.")] = None,
    country: Annotated[str | None, Opt(help="Two-letter country code.")] = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Percentiles p25/p50/p75/p90 per dimension for peer groups of at least 10 respondents."""
    with open_database(db).session() as session:
        result = service.peer_benchmark(session, sector=sector, size=size, country=country)
    if json:
        print_json([{"group": g.group, "n": g.n, "percentiles": g.percentiles} for g in result.groups])
        return
    if result.widened and result.shown is not None:
        console.print(
            f"Fewer than {result.min_group} respondents in the requested group: "
            f"showing {result.shown or 'all'}."
        )
    if not result.groups:
        console.print(f"No group has {result.min_group} respondents yet: nothing can be shown.")
    if result.groups:  # one row per dimension, one column per group: medians
        dims = list(result.groups[0].percentiles)
        rows = [
            {"dimension": d, **{f"{g.key} (n={g.n})": g.percentiles[d]["p50"] for g in result.groups}}
            for d in dims
        ]
        print_table(rows, list(rows[0]), title="Median score (0-5) per dimension")


@maturity_app.command("show")
def show_cmd(
    assessment: Annotated[int | None, typer.Argument(help="Assessment id; omit to list them.")] = None,
    as_org: AsOrg = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """List the assessments you may read, or one with its scores, levels and next steps."""
    with open_database(db).session() as session:
        viewer = _viewer(session, as_org)
        if assessment is None:
            items = [a.model_dump() for a in store.list_assessments(session, viewer=viewer)]
            if json:
                print_json(items)
            else:
                print_table(
                    items,
                    ["id", "organisation", "label", "assessed", "sector", "size_band", "country", "status"],
                )
            return
        data = service.results(session, assessment, viewer=viewer)
    scores = data.scores
    if json:
        print_json({"assessment": data.assessment.model_dump(), "scores": scores.model_dump()})
        return
    a = data.assessment
    console.print(
        f"{a.organisation} {a.label} ({a.assessed}, {a.status}): overall level {scores.overall_level}"
    )
    rows = [
        {"dimension": d.key, "score": d.score, "level": d.level, "blocked by": ", ".join(d.blocked_by)}
        for d in scores.dimensions
    ]
    print_table(rows, ["dimension", "score", "level", "blocked by"])
    for step in scores.next_steps:
        console.print(f"next: {step.dimension} (gap {step.gap})")


@maturity_app.command("trajectory")
def trajectory_cmd(
    organisation: Annotated[str, typer.Argument(help="Organisation name or id.")],
    as_org: AsOrg = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """An organisation's assessments over time and its progress per dimension."""
    with open_database(db).session() as session:
        org = find_organisation(session, organisation)
        data = service.org_trajectory(session, org.id, viewer=_viewer(session, as_org))
    if json:
        print_json(data.model_dump())
        return
    rows = [
        {"label": p.label, "assessed": p.assessed, "overall": p.overall_score, "level": p.overall_level}
        for p in data.points
    ]
    print_table(rows, ["label", "assessed", "overall", "level"], title=org.name)


@survey_app.command("import")
def survey_import_cmd(
    file: Annotated[
        Path, typer.Argument(help="CSV (or JSON) of responses: respondent, sector, size, country, questions.")
    ],
    survey: Annotated[
        str, Opt(help="Survey key (alliances/data/maturity/surveys.yaml).")
    ] = "digital-strategy",
    db: DbOption = None,
) -> None:
    """Import survey responses, all or nothing."""
    with open_database(db, write=True).session() as session:
        n = service.import_survey(session, file, survey)
    console.print(f"Imported {n} responses to {survey}.")


@survey_app.command("show")
def survey_show_cmd(
    by: Annotated[str, Opt(help="Breakdown: sector, size or country.")] = "sector",
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Shares with 95% Wilson intervals (groups of fewer than 10 respondents are not shown)."""
    with open_database(db).session() as session:
        data = service.surveys(session, by).model_dump()
    if json:
        print_json(data)
        return
    for result in data["imported"]:
        rows = [
            {"question": q["key"], "group": group, "option": x["option"], **_percent(x), "n": x["n"]}
            for q in result["questions"]
            for group, shares in [("all", q["overall"]), *sorted(q["breakdown"].items())]
            for x in shares
        ]
        hidden = max((q["hidden_groups"] for q in result["questions"]), default=0)
        title = f"{result['key']} (n={result['n']}; by {result['breakdown_by']}, % with 95% interval)"
        print_table(rows, ["question", "group", "option", "share", "low", "high", "n"], title=title)
        if hidden:
            by = result["breakdown_by"]
            console.print(f"{hidden} {by} group(s) of fewer than 10 respondents not shown.")
    for pub in data["published"]:
        rows = [
            {"figure": f["key"], "share": round(f["value"], 1), **_percent(f, share=False)}
            for f in pub["figures"]
        ]
        title = f"{pub['name']} (%, assumed n={pub['n']})"
        print_table(rows, ["figure", "share", "low", "high"], title=title)


def _percent(row: dict[str, Any], share: bool = True) -> dict[str, float]:
    """Share and interval bounds as percentages with one decimal (the published figures are already)."""
    keys = ("share", "low", "high") if share else ("low", "high")
    return {k: round(row[k] * 100, 1) for k in keys}


def report_cmd(
    year: Annotated[int, Opt(help="Year of the report.")],
    out: Annotated[Path, Opt(help="HTML file to write.")],
    lang: Annotated[str, Opt(help="en or fr.")] = "en",
    db: DbOption = None,
) -> None:
    """The annual report: one self-contained HTML file (charts embedded, printable to PDF)."""
    from alliances.report import render_report

    if lang not in ("en", "fr"):
        raise InvalidInput(f"--lang must be en or fr, not {lang!r}")
    with open_database(db).session() as session:
        html = render_report(session, year=year, lang=lang)
    tmp = out.with_name(out.name + ".part")
    try:
        tmp.write_text(html, encoding="utf-8")
        tmp.replace(out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise InvalidInput(f"{out}: cannot write the report ({exc.strerror})") from exc
    console.print(f"Wrote the {year} report ({lang}) to {out} ({len(html) // 1024} KB).")
