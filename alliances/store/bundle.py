"""The bundled dataset: curated organisations, facts read in the seed documents, and real alliances.

Loading is idempotent: every record has a stable key, and a key already present is left alone.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from importlib import resources
from typing import Any

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alliances.errors import InvalidInput
from alliances.schemas import RawRecord
from alliances.store.check import Finding, Located, check_bundle, check_record
from alliances.store.dates import check_partial_date, year_of
from alliances.store.db import Database
from alliances.store.languages import title_language
from alliances.store.models import (
    Alliance,
    Event,
    Evidence,
    Organisation,
    Project,
    ProjectOwner,
    ProjectTag,
    Source,
    Survey,
    SurveyFigure,
)
from alliances.store.resolve import Resolver
from alliances.store.writes import add_alliance, add_organisation, amount_fields, tag_values
from alliances.taxonomy import load_data_file


def init_database(db: Database) -> dict[str, int]:
    """Create or upgrade the schema, then load the bundled data in one transaction."""
    db.upgrade()
    with db.session() as session:
        return load_bundle(session)


def load_bundle(session: Session) -> dict[str, int]:
    """Load everything; `organisations` counts every organisation created, curated or not.

    Real records that fail the checks of `store.check` are not loaded: they are counted under `rejected`
    (present only when some were; `alliances data check --bundle` names them), never dropped silently.
    """
    before = session.scalar(select(func.count()).select_from(Organisation)) or 0
    resolver = Resolver(session)
    load_organisations(session, resolver)
    counts = {"organisations": 0}
    seeds = load_data_file("seed_records.yaml")
    sources = load_sources(session, seeds.get("sources", []))
    counts["alliances"] = load_seed_alliances(session, seeds.get("alliances", []), sources, resolver)
    counts["projects"] = load_projects(session, seeds.get("projects", []), sources, resolver)
    counts["surveys"] = load_surveys(session, seeds.get("surveys", []), sources)
    report = load_real_alliances(session, resolver)
    counts["alliances"] += report.added
    counts["organisations"] = (session.scalar(select(func.count()).select_from(Organisation)) or 0) - before
    if report.rejected:
        counts["rejected"] = len(report.rejected)
    return counts


def load_organisations(session: Session, resolver: Resolver) -> int:
    entries = load_data_file("organisations.yaml")
    added = 0
    for entry in entries:
        if resolver.exact(entry["name"]) is not None:
            continue
        aliases = [a for a in entry.get("aliases") or [] if resolver.exact(a) is None]
        add_organisation(
            session,
            entry["name"],
            kind=entry.get("kind") or "other",
            country=entry.get("country"),
            aliases=aliases,
            origin="curated",
            resolver=resolver,
            wikidata=entry.get("wikidata"),
            siren=_text(entry.get("siren")),
            lei=entry.get("lei"),
            website=entry.get("website"),
        )
        added += 1
    for entry in entries:  # parents once every organisation exists
        if entry.get("parent"):
            child, parent = resolver.exact(entry["name"]), resolver.exact(entry["parent"])
            if parent is None:
                raise InvalidInput(f"organisations.yaml: {entry['name']}: unknown parent {entry['parent']!r}")
            org = session.get(Organisation, child)
            if org is not None and org.parent_id is None and parent != child:
                org.parent_id = parent
    session.flush()
    return added


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def load_sources(session: Session, entries: list[dict[str, Any]]) -> dict[str, Source]:
    sources: dict[str, Source] = {}
    for entry in entries:
        source = session.scalar(select(Source).where(Source.key == entry["key"]))
        if source is None:
            source = Source(
                key=entry["key"],
                title=entry.get("title"),
                publisher=entry.get("publisher"),
                date=check_partial_date(entry.get("date"), f"source {entry['key']}"),
                path=f"shared/corpus/seeds/{entry['file']}",
                language=entry.get("language"),
                content_hash=entry.get("sha256"),
                url=entry.get("url"),
            )
            session.add(source)
            session.flush()
        sources[entry["key"]] = source
    return sources


def load_seed_alliances(
    session: Session, entries: list[dict[str, Any]], sources: dict[str, Source], resolver: Resolver
) -> int:
    existing = set(session.scalars(select(Alliance.key)))
    added = 0
    for entry in entries:
        if entry["key"] in existing:
            continue
        record = {**entry, "date": entry.get("announced"), "evidence_records": entry.get("evidence") or []}
        add_alliance(
            session,
            record,
            origin="seed",
            where=f"seed_records.yaml: {entry['key']}",
            resolver=resolver,
            sources=sources,
        )
        added += 1
    return added


def load_projects(
    session: Session, entries: list[dict[str, Any]], sources: dict[str, Source], resolver: Resolver
) -> int:
    existing = set(session.scalars(select(Project.key)))
    added = 0
    for entry in entries:
        if entry["key"] in existing:
            continue
        where = f"seed_records.yaml: {entry['key']}"
        announced = check_partial_date(entry.get("announced"), f"{where}: announced")
        amount, currency, _ = amount_fields(entry.get("amount"), where)
        alliance_id = None
        if entry.get("alliance"):
            alliance_id = session.scalar(select(Alliance.id).where(Alliance.key == entry["alliance"]))
        project = Project(
            key=entry["key"],
            name=entry["name"],
            description=entry.get("description"),
            announced=announced,
            year=year_of(announced),
            amount=amount,
            currency=currency,
            figures=entry.get("figures") or None,
            alliance_id=alliance_id,
            origin="seed",
        )
        for owner in entry.get("owners") or []:
            org_id = resolver.exact(owner)
            if org_id is None:
                raise InvalidInput(f"{where}: unknown owner {owner!r}")
            project.owners.append(ProjectOwner(organisation_id=org_id))
        for field, facet in (
            ("technologies", "technology"),
            ("stages", "stage"),
            ("therapeutic_areas", "area"),
        ):
            for value in dict.fromkeys(tag_values(entry, field, where)):
                project.tags.append(ProjectTag(facet=facet, value=value))
        session.add(project)
        session.flush()
        for ev in entry.get("evidence") or []:
            project.evidence.append(
                Evidence(
                    source_id=sources[ev["source"]].id,
                    quote=ev["quote"],
                    start=ev.get("start"),
                    end=ev.get("end"),
                )
            )
        added += 1
    return added


def load_surveys(session: Session, entries: list[dict[str, Any]], sources: dict[str, Source]) -> int:
    added = 0
    for entry in entries:
        if session.scalar(select(Survey.id).where(Survey.key == entry["key"])) is not None:
            continue
        survey = Survey(
            key=entry["key"],
            name=entry["name"],
            publisher=entry.get("publisher"),
            date=check_partial_date(entry.get("date"), f"survey {entry['key']}"),
            source_id=sources[entry["source"]].id if entry.get("source") else None,
        )
        for fig in entry.get("figures") or []:
            figure = SurveyFigure(
                key=fig["key"],
                label_en=fig["en"],
                label_fr=fig["fr"],
                value=float(fig["value"]),
                unit=fig.get("unit") or "percent",
            )
            ev = fig.get("evidence")
            if ev:
                figure.evidence.append(
                    Evidence(
                        source_id=sources[ev["source"]].id,
                        quote=ev["quote"],
                        start=ev.get("start"),
                        end=ev.get("end"),
                    )
                )
            survey.figures.append(figure)
        session.add(survey)
        added += 1
    session.flush()
    return added


REAL_FILE = "alliances/data/real_alliances.jsonl"


def located_real_records() -> list[tuple[str, RawRecord]]:
    """("alliances/data/real_alliances.jsonl:LINE", record) for every real alliance; bad JSON is an error."""
    text = resources.files("alliances").joinpath("data", "real_alliances.jsonl").read_text(encoding="utf-8")
    rows: list[tuple[str, RawRecord]] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"{REAL_FILE}:{number}: invalid JSON ({exc.msg})") from exc
        if not isinstance(row, dict) or not row.get("ref"):
            raise InvalidInput(f"{REAL_FILE}:{number}: expected an object with a ref")
        rows.append((f"{REAL_FILE}:{number}", row))
    return rows


def real_records() -> Iterator[RawRecord]:
    """The real alliances read in public sources (facts and addresses only)."""
    for _, row in located_real_records():
        yield row


@dataclass
class RealReport:
    added: int = 0
    restated: int = 0
    rejected: list[str] = dataclass_field(default_factory=list)


def load_real_alliances(
    session: Session, resolver: Resolver, records: list[Located] | None = None
) -> RealReport:
    """Add the real alliances; one the seeds already state becomes a second source of that alliance."""
    existing = set(session.scalars(select(Alliance.key)))
    twins = SeedTwins(session)
    by_url: dict[str, Source] = {}
    report = RealReport()
    for where, row in located_real_records() if records is None else records:
        if row["ref"] in existing:
            continue
        errors = [f for f in check_record(where, row) if f.level == "error"]
        if errors:
            report.rejected.append(errors[0].line())
            continue
        source = _real_source(session, row, by_url)
        twin = twins.find(row, resolver)
        if twin is not None:
            twins.absorb(twin, row, source)
            report.restated += 1
            continue
        record = {**row, "key": row["ref"], "ended": row.get("end_date")}
        alliance = add_alliance(
            session,
            record,
            origin="real",
            where=f"{where}: {row['ref']}",
            create_missing=True,
            resolver=resolver,
        )
        if source is not None:
            alliance.evidence.append(Evidence(source_id=source.id, quote=None))
        report.added += 1
    session.flush()
    return report


def _real_source(session: Session, row: dict[str, Any], by_url: dict[str, Source]) -> Source | None:
    url = row.get("source")
    if not url:
        return None
    if url not in by_url:
        source = session.scalar(select(Source).where(Source.url == url))
        if source is None:
            title = row.get("source_title")
            source = Source(url=url, title=title, date=row.get("source_date"), language=title_language(title))
            session.add(source)
            session.flush()
        by_url[url] = source
    return by_url[url]


class SeedTwins:
    """Seed alliances that a real record restates: same parties, type and year, or named in `same_as`."""

    def __init__(self, session: Session) -> None:
        self.session = session
        seeds = list(session.scalars(select(Alliance).where(Alliance.origin == "seed")))
        self.by_key = {a.key: a for a in seeds}
        self.same_as = {
            ref: entry["key"]
            for entry in load_data_file("seed_records.yaml").get("alliances", [])
            for ref in entry.get("same_as") or []
        }
        self.by_pair = {(frozenset(p.organisation_id for p in a.parties), a.type, a.year): a for a in seeds}

    def find(self, row: dict[str, Any], resolver: Resolver) -> Alliance | None:
        if row["ref"] in self.same_as:
            return self.by_key.get(self.same_as[row["ref"]])
        ids = [resolver.exact(p["name"]) for p in row["parties"]]
        year = int(row["date"][:4]) if row.get("date") else None
        if year is None or any(i is None for i in ids):
            return None
        return self.by_pair.get((frozenset(i for i in ids if i is not None), row["type"], year))

    def absorb(self, alliance: Alliance, row: dict[str, Any], source: Source | None) -> None:
        """Keep the seed alliance; add the public source and the date the seed text did not give."""
        if source is not None and all(ev.source_id != source.id for ev in alliance.evidence):
            alliance.evidence.append(Evidence(source_id=source.id, quote=None))
        if alliance.announced is None and row.get("date"):
            alliance.announced = check_partial_date(row["date"], f"real_alliances.jsonl: {row['ref']}")
            alliance.year = year_of(alliance.announced)
            alliance.events.append(Event(kind="announced", date=alliance.announced))


ORGANISATIONS_FILE = "alliances/data/organisations.yaml"


def check_bundled_data() -> list[Finding]:
    """Every finding of `store.check` on the bundled organisations and real alliances."""
    text = resources.files("alliances").joinpath("data", "organisations.yaml").read_text(encoding="utf-8")
    lines = {
        yaml.safe_load(line[2:])["name"]: number
        for number, line in enumerate(text.splitlines(), 1)
        if line.startswith("- name:")
    }
    return check_bundle(
        located_real_records(),
        load_data_file("organisations.yaml"),
        lambda name: f"{ORGANISATIONS_FILE}:{lines.get(name, 0)}",
    )
