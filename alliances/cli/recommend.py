"""CLI for partner recommendation: `recommend`, `recommend-eval`, `synth` (thin shells over the library)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from alliances.cli.common import DbOption, JsonOption, console, open_database, print_json, print_table
from alliances.recommend import evaluate, find_partners, recommend
from alliances.schemas import OrganisationKind, StageKey, TechnologyKey
from alliances.store.facts import load_facts
from alliances.synth import generate, write

Opt = typer.Option


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.command("recommend")(recommend_cmd)
    app.command("recommend-eval")(evaluate_cmd)
    app.command("synth")(synth_cmd)


def recommend_cmd(
    organisation: Annotated[
        str | None, typer.Argument(help="Organisation name or id; omit for a need-based search.")
    ] = None,
    technology: Annotated[
        TechnologyKey | None, Opt("--technology", help="Technology the partner should bring.")
    ] = None,
    stage: Annotated[StageKey | None, Opt("--stage", help="Value-chain stage.")] = None,
    area: Annotated[str | None, Opt("--area", help="Therapeutic area (oncology, diabetes, ...).")] = None,
    kind: Annotated[OrganisationKind | None, Opt("--kind", help="Partner kind.")] = None,
    since: Annotated[int | None, Opt(help="Only count alliances announced in or after this year.")] = None,
    top: Annotated[int, Opt(min=1, max=200, help="How many candidates.")] = 10,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Ranked, explained partner candidates for an organisation, or the most active ones for a need."""
    with open_database(db).session() as session:
        filters: dict[str, Any] = {
            "technology": technology and str(technology),
            "stage": stage and str(stage),
            "area": area,
            "kind": kind and str(kind),
            "since": since,
            "top": top,
        }
        if organisation is None:
            items = find_partners(session, **filters)
        else:
            items = recommend(session, organisation, **filters)
    if json:
        print_json([item.to_dict() for item in items])
        return
    if not items:
        console.print("No candidate matches these filters.")
        return
    rows = [
        {
            "#": i,
            "organisation": r.organisation,
            "kind": r.kind,
            "score": f"{r.score:.3f}",
            "reasons": "\n".join(r.reasons),
        }
        for i, r in enumerate(items, 1)
    ]
    title = f"Partners for {organisation}" if organisation else "Most active partners"
    print_table(rows, ["#", "organisation", "kind", "score", "reasons"], title=title)


def evaluate_cmd(
    split_year: Annotated[
        int | None, Opt("--split-year", help="Train before this year, test on the 3 after.")
    ] = None,
    max_sources: Annotated[
        int | None, Opt(help="Evaluate a seeded sample of this many organisations.")
    ] = None,
    seed: Annotated[int, Opt(help="Seed for sampling and the random baseline.")] = 0,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Temporal evaluation of every method: hits@10, MRR and AUC on alliances formed after the split."""
    with open_database(db).session() as session:
        facts = load_facts(session)
    report = evaluate(facts, split_year, seed=seed, max_sources=max_sources)
    if json:
        print_json(report)
        return
    methods = report["methods"]
    rows = []
    for name, m in methods.items():
        new = m["new_entrants"]
        rows.append(
            {
                "method": name + (" (chosen)" if name == report["chosen"] else ""),
                "baseline": "yes" if m["baseline"] else "",
                "hits@10": m["hits@10"],
                "mrr": m["mrr"],
                "auc": m["auc"],
                "new: hits@10": new["hits@10"],
                "new: mrr": new["mrr"],
                "new: auc": new["auc"],
                "seconds": m["seconds"],
            }
        )
    y = report["split_year"]
    print_table(rows, list(rows[0]), title=f"Split {y}: train before {y}, test [{y}, {int(y) + 3})")
    console.print(
        f"{report['test_pairs']} test pairs ({report['new_entrant_pairs']} with a new entrant), "
        f"{report['sources']} organisations ranked; chosen on the year before the split: "
        f"{report['chosen']}."
    )


def synth_cmd(
    organisations: Annotated[int, Opt("--organisations", min=10, help="Number of organisations.")] = 2000,
    alliances: Annotated[int, Opt("--alliances", min=1, help="Number of alliances.")] = 10000,
    seed: Annotated[int, Opt(help="Random seed: same seed, same network.")] = 0,
    force: Annotated[bool, Opt(help="Add synthetic data even if the database holds other data.")] = False,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Generate a synthetic network (origin=synthetic, names "... (syn-NNNNNN)") into a database."""
    database = open_database(db, require=False, write=True)
    database.upgrade()
    network = generate(organisations, alliances, seed)
    with database.session() as session:
        written = write(session, network, force=force)
    if json:
        print_json(written.to_dict())
        return
    console.print(
        f"Added {written.organisations} synthetic organisations and {written.alliances} alliances "
        f"({written.parties} parties, {written.tags} tags)."
    )
