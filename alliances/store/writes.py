"""Writing records: validated against the vocabularies, parties resolved, one transaction per caller."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from alliances.errors import Conflict, InvalidInput, NotFound
from alliances.schemas import AllianceIn, AmountIn, EventIn, PartyIn, TagsIn, parse_record
from alliances.store.dates import year_of
from alliances.store.models import Alias, Alliance, AllianceTag, Event, Evidence, Organisation, Party, Source
from alliances.store.names import normalise
from alliances.store.resolve import Resolver
from alliances.taxonomy import vocab

TAG_FACETS = {"technologies": "technology", "stages": "stage", "therapeutic_areas": "area"}


def add_organisation(
    session: Session,
    name: str,
    *,
    kind: str = "other",
    country: str | None = None,
    parent_id: int | None = None,
    aliases: list[str] | tuple[str, ...] = (),
    origin: str = "user",
    resolver: Resolver | None = None,
    **identifiers: str | None,
) -> Organisation:
    """Create one organisation; a name or alias already known is a Conflict, not a duplicate."""
    name = (name or "").strip()
    if not name:
        raise InvalidInput("organisation name is empty")
    vocab("organisation_kinds").check(kind, f"organisation {name!r}: kind")
    resolver = resolver or Resolver(session)
    for text in (name, *aliases):
        existing = resolver.exact(text)
        if existing is not None:
            raise Conflict(f"{text!r} already names organisation #{existing} ({resolver.names[existing]})")
    org = Organisation(
        name=name,
        norm=normalise(name),
        kind=kind,
        country=(country or None) and country.upper()[:2],
        parent_id=parent_id,
        origin=origin,
        **{k: v for k, v in identifiers.items() if v},
    )
    seen = {org.norm}
    for alias in aliases:
        norm = normalise(alias)
        if norm not in seen:
            seen.add(norm)
            org.aliases.append(Alias(name=alias, norm=norm))
    session.add(org)
    session.flush()
    resolver.add(org.id, name, aliases)
    return org


def resolve_party(
    session: Session, party: PartyIn, resolver: Resolver, where: str, create_missing: bool, origin: str
) -> int:
    """The organisation a party names: by id, by name or alias, else a new one (when allowed)."""
    if party.id is not None:
        if session.get(Organisation, party.id) is None:
            raise InvalidInput(f"{where}: unknown organisation id {party.id}")
        return party.id
    if not party.name:
        raise InvalidInput(f"{where}: party has no name")
    match = resolver.resolve(party.name)
    if match.organisation_id is not None:
        if create_missing and party.kind:  # a vehicle created with no kind takes the stated one
            org = session.get(Organisation, match.organisation_id)
            if org is not None and org.kind == "other" and org.origin == origin and party.kind != "other":
                org.kind = vocab("organisation_kinds").check(party.kind, f"{where}: kind")
        return match.organisation_id
    if not create_missing:
        hint = resolver.closest_names(party.name)
        tail = f" (closest: {', '.join(hint)})" if hint else ""
        raise NotFound(f"{where}: unknown organisation {party.name!r}{tail}")
    kind = party.kind or "other"
    return add_organisation(session, party.name, kind=kind, origin=origin, resolver=resolver).id


def tag_values(record: dict[str, Any], field: str, where: str) -> list[str]:
    """One tag field of a record (technologies, stages, therapeutic_areas), checked by `TagsIn`;
    areas fold into the areas.yaml vocabulary, unknown ones stay as free tags."""
    tags = parse_record(TagsIn, {field: record.get(field)}, where)
    values: list[str] = getattr(tags, field)
    return values


def amount_fields(amount: Any, where: str) -> tuple[float | None, str | None, str | None]:
    """(value, currency, kind) of an amount, checked by `AmountIn`; all None when there is none."""
    if amount in (None, "", {}):
        return None, None, None
    if not isinstance(amount, dict):
        raise InvalidInput(f"{where}: amount must be an object with value and currency")
    checked = parse_record(AmountIn, amount, f"{where}: amount")
    return checked.value, checked.currency, checked.kind


def add_alliance(
    session: Session,
    record: dict[str, Any],
    *,
    origin: str = "user",
    where: str = "record",
    create_missing: bool = False,
    resolver: Resolver | None = None,
    sources: dict[str, Source] | None = None,
) -> Alliance:
    """Validate a record against `AllianceIn` and store it as one alliance (parties resolved)."""
    rec = parse_record(AllianceIn, record, where)
    resolver = resolver or Resolver(session)
    owner_id = check_owner(session, rec.owner_id, rec.visibility, where)
    resolved: list[tuple[PartyIn, int]] = []
    for party in rec.parties:
        org_id = resolve_party(session, party, resolver, f"{where}: parties", create_missing, origin)
        if all(org_id != known for _, known in resolved):
            resolved.append((party, org_id))
    if len(resolved) < 2:
        raise InvalidInput(f"{where}: parties: an alliance needs two distinct organisations")
    key, vehicle = rec.key, rec.vehicle
    if key and session.scalar(select(Alliance.id).where(Alliance.key == key)) is not None:
        raise Conflict(f"{where}: an alliance with key {key!r} already exists")
    vehicle_id = resolver.exact(vehicle) if vehicle else None
    if vehicle and vehicle_id is None and rec.type == "joint_venture":  # a joint venture: a new organisation
        vehicle_id = add_organisation(session, vehicle, kind="other", origin=origin, resolver=resolver).id
    names = [resolver.names[i] for _, i in resolved]
    amount = rec.amount
    alliance = Alliance(
        key=key,
        type=rec.type,
        status=rec.status,
        announced=rec.announced,
        year=year_of(rec.announced),
        ended=rec.ended,
        amount=amount.value if amount else None,
        currency=amount.currency if amount else None,
        amount_kind=amount.kind if amount else None,
        vehicle_id=vehicle_id,
        vehicle_name=vehicle,
        title=rec.title or " – ".join(names),
        description=rec.description,
        origin=origin,
        visibility=rec.visibility,
        owner_id=owner_id,
    )
    for pos, (party, org_id) in enumerate(resolved):
        alliance.parties.append(
            Party(organisation_id=org_id, role=party.role, stated_name=party.stated, position=pos)
        )
    for field, facet in TAG_FACETS.items():
        for value in dict.fromkeys(getattr(rec, field)):
            alliance.tags.append(AllianceTag(facet=facet, value=value))
    for event in rec.events or default_events(rec.announced, rec.status, rec.ended):
        alliance.events.append(Event(kind=event.kind, date=event.date, note=event.note))
    session.add(alliance)
    session.flush()
    if not alliance.key:
        alliance.key = f"A{alliance.id:06d}"
    for ev in rec.evidence_records:
        source = (sources or {}).get(ev["source"])
        if source is None:
            raise InvalidInput(f"{where}: evidence: unknown source {ev['source']!r}")
        alliance.evidence.append(
            Evidence(source_id=source.id, quote=ev.get("quote"), start=ev.get("start"), end=ev.get("end"))
        )
    return alliance


def default_events(announced: str | None, status: str | None, ended: str | None) -> list[EventIn]:
    """The timeline a record implies when it states no events of its own."""
    events: list[EventIn] = []
    if announced:
        events.append(EventIn(kind="announced", date=announced))
    if status == "terminated":
        events.append(EventIn(kind="terminated", date=ended))
    return events


def check_owner(session: Session, owner_id: Any, visibility: str, where: str) -> int | None:
    """The owning organisation of a record (issue 13): it must exist, and a private record needs one."""
    if owner_id in (None, ""):
        if visibility != "public":
            raise InvalidInput(
                f"{where}: owner_id: a {visibility} record needs the id of its owning organisation"
            )
        return None
    if isinstance(owner_id, bool) or not isinstance(owner_id, int | str) or not str(owner_id).isascii():
        raise InvalidInput(f"{where}: owner_id: not an organisation id: {owner_id!r}")
    if (
        not str(owner_id).isdigit()
        or len(str(owner_id)) > 18
        or session.get(Organisation, int(owner_id)) is None
    ):
        raise InvalidInput(f"{where}: owner_id: no organisation with id {owner_id!r}")
    return int(owner_id)
