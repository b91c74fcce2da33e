"""Writing records: validated against the vocabularies, parties resolved, one transaction per caller."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from alliances.errors import Conflict, InvalidInput, NotFound
from alliances.store.dates import check_partial_date, year_of
from alliances.store.models import Alias, Alliance, AllianceTag, Event, Evidence, Organisation, Party, Source
from alliances.store.names import normalise
from alliances.store.resolve import Resolver
from alliances.taxonomy import vocab
from alliances.taxonomy.areas import canonical_area

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


def party_fields(party: Any, where: str) -> dict[str, Any]:
    """Accept a plain name or a dict with name/canonical/role/kind/id."""
    if isinstance(party, str):
        return {"name": party.strip()}
    if isinstance(party, dict):
        name = str(party.get("canonical") or party.get("name") or "").strip()
        return {
            "name": name,
            "stated": party.get("name"),
            "role": party.get("role"),
            "kind": party.get("kind"),
            "id": party.get("id"),
        }
    raise InvalidInput(f"{where}: a party must be a name or an object with a name")


def resolve_party(
    session: Session, party: dict[str, Any], resolver: Resolver, where: str, create_missing: bool, origin: str
) -> int:
    if party.get("id") is not None:
        try:
            org_id = int(party["id"])
        except (TypeError, ValueError) as exc:
            raise InvalidInput(f"{where}: organisation id {party['id']!r} is not a number") from exc
        if session.get(Organisation, org_id) is None:
            raise InvalidInput(f"{where}: unknown organisation id {org_id}")
        return org_id
    if not party["name"]:
        raise InvalidInput(f"{where}: party has no name")
    match = resolver.resolve(party["name"])
    if match.organisation_id is not None:
        return match.organisation_id
    if not create_missing:
        hint = resolver.closest_names(party["name"])
        tail = f" (closest: {', '.join(hint)})" if hint else ""
        raise NotFound(f"{where}: unknown organisation {party['name']!r}{tail}")
    kind = party.get("kind") or "other"
    return add_organisation(session, party["name"], kind=kind, origin=origin, resolver=resolver).id


def tag_values(record: dict[str, Any], field: str, where: str) -> list[str]:
    values = record.get(field) or []
    if isinstance(values, str):
        values = [v.strip() for v in values.replace(";", ",").split(",") if v.strip()]
    if not isinstance(values, list):
        raise InvalidInput(f"{where}: {field} must be a list")
    if field == "technologies":
        return [vocab("technologies").check(v, f"{where}: technologies") for v in values]
    if field == "stages":
        return [vocab("stages").check(v, f"{where}: stages") for v in values]
    return [canonical_area(str(v)) for v in values if str(v).strip()]  # areas.yaml keys, else free tags


def amount_fields(amount: Any, where: str) -> tuple[float | None, str | None, str | None]:
    if amount in (None, "", {}):
        return None, None, None
    if not isinstance(amount, dict) or "value" not in amount:
        raise InvalidInput(f"{where}: amount must be an object with value and currency")
    try:
        value = float(amount["value"])
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"{where}: amount value {amount['value']!r} is not a number") from exc
    if value < 0:
        raise InvalidInput(f"{where}: amount value must not be negative")
    currency = str(amount.get("currency") or "").upper() or None
    if currency is not None and (len(currency) != 3 or not currency.isalpha()):
        raise InvalidInput(f"{where}: currency {currency!r} is not a three-letter code")
    kind = amount.get("kind") or "total"
    vocab("amount_kinds").check(kind, f"{where}: amount kind")
    return value, currency, kind


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
    """Validate a record (SCHEMA.md shape plus KB fields) and store it as one alliance."""
    if not isinstance(record, dict):
        raise InvalidInput(f"{where}: an alliance must be an object")
    resolver = resolver or Resolver(session)
    raw_parties = record.get("parties") or []
    if not isinstance(raw_parties, list) or len(raw_parties) < 2:
        raise InvalidInput(f"{where}: parties: an alliance needs at least two parties")
    parties = [party_fields(p, f"{where}: parties") for p in raw_parties]
    atype = vocab("alliance_types").check(record.get("type"), f"{where}: type")
    status = record.get("status")
    if status is not None:
        vocab("statuses").check(status, f"{where}: status")
    announced = check_partial_date(record.get("date", record.get("announced")), f"{where}: date")
    ended = check_partial_date(record.get("ended", record.get("end_date")), f"{where}: ended")
    tags = {f: tag_values(record, f, where) for f in TAG_FACETS}
    amount, currency, amount_kind = amount_fields(record.get("amount"), f"{where}: amount")
    visibility = record.get("visibility") or "public"
    vocab("visibilities").check(visibility, f"{where}: visibility")
    resolved: list[tuple[dict[str, Any], int]] = []
    for party in parties:
        org_id = resolve_party(session, party, resolver, f"{where}: parties", create_missing, origin)
        if all(org_id != known for _, known in resolved):
            resolved.append((party, org_id))
    if len(resolved) < 2:
        raise InvalidInput(f"{where}: parties: an alliance needs two distinct organisations")
    key = record.get("key") or None
    if key and session.scalar(select(Alliance.id).where(Alliance.key == key)) is not None:
        raise Conflict(f"{where}: an alliance with key {key!r} already exists")
    vehicle = str(record.get("vehicle") or "").strip() or None
    vehicle_id = resolver.exact(vehicle) if vehicle else None
    if vehicle and vehicle_id is None and atype == "joint_venture":  # a joint venture is a new organisation
        vehicle_id = add_organisation(session, vehicle, kind="other", origin=origin, resolver=resolver).id
    names = [resolver.names[i] for _, i in resolved]
    alliance = Alliance(
        key=key,
        type=atype,
        status=status,
        announced=announced,
        year=year_of(announced),
        ended=ended,
        amount=amount,
        currency=currency,
        amount_kind=amount_kind,
        vehicle_id=vehicle_id,
        vehicle_name=vehicle,
        title=record.get("title") or " – ".join(names),
        description=record.get("description"),
        origin=origin,
        visibility=visibility,
        owner_id=record.get("owner_id"),
    )
    for pos, (party, org_id) in enumerate(resolved):
        role = party.get("role") or "partner"
        vocab("party_roles").check(role, f"{where}: parties: role")
        alliance.parties.append(
            Party(organisation_id=org_id, role=role, stated_name=party.get("stated"), position=pos)
        )
    for field, facet in TAG_FACETS.items():
        for value in dict.fromkeys(tags[field]):
            alliance.tags.append(AllianceTag(facet=facet, value=value))
    for event in record.get("events") or default_events(announced, status, ended):
        vocab("event_kinds").check(event.get("kind"), f"{where}: events: kind")
        alliance.events.append(
            Event(
                kind=event["kind"],
                date=check_partial_date(event.get("date"), f"{where}: events"),
                note=event.get("note"),
            )
        )
    session.add(alliance)
    session.flush()
    if not alliance.key:
        alliance.key = f"A{alliance.id:06d}"
    for ev in record.get("evidence_records") or []:
        source = (sources or {}).get(ev["source"])
        if source is None:
            raise InvalidInput(f"{where}: evidence: unknown source {ev['source']!r}")
        alliance.evidence.append(
            Evidence(source_id=source.id, quote=ev.get("quote"), start=ev.get("start"), end=ev.get("end"))
        )
    return alliance


def default_events(announced: str | None, status: str | None, ended: str | None) -> list[dict[str, Any]]:
    """The timeline a record implies when it states no events of its own."""
    events: list[dict[str, Any]] = []
    if announced:
        events.append({"kind": "announced", "date": announced})
    if status == "terminated":
        events.append({"kind": "terminated", "date": ended})
    return events
