"""Checks of alliance records and curated organisations before they reach the database.

Pure functions over records (dicts as read from a bundle or an import file): they never touch the database,
so `alliances data check`, the bundle loader and the tests share them. Errors stop a record from loading;
warnings (probable duplicates, one organisation written two ways) deserve a look but do not.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from alliances.errors import InvalidInput
from alliances.store.dates import check_partial_date
from alliances.store.names import normalise
from alliances.taxonomy import SINGULAR, vocab

Located = tuple[str, dict[str, Any]]  # (where, record): "file:line" and the record read there


@dataclass(frozen=True)
class Finding:
    where: str
    field: str
    message: str
    level: str = "error"

    def line(self) -> str:
        tail = " (warning)" if self.level == "warning" else ""
        return f"{self.where}: {self.field}: {self.message}{tail}"


def check_record(where: str, record: dict[str, Any]) -> list[Finding]:
    """Vocabulary terms, dates, amount and parties of one record."""
    found: list[Finding] = []

    def term(facet: str, value: Any, field: str) -> None:
        if value is not None and value not in vocab(facet):
            found.append(Finding(where, field, f"unknown {SINGULAR[facet]} {value!r}"))

    if not record.get("type"):
        found.append(Finding(where, "type", "missing alliance type"))
    term("alliance_types", record.get("type") or None, "type")
    term("statuses", record.get("status"), "status")
    for field, facet in (("technologies", "technologies"), ("stages", "stages")):
        values = record.get(field) or []
        if not isinstance(values, list):
            found.append(Finding(where, field, "must be a list"))
            continue
        for value in values:
            term(facet, value, field)
    dates = {}
    for field, other in (("date", "announced"), ("end_date", "ended"), ("source_date", None)):
        try:
            dates[field] = check_partial_date(record.get(field, record.get(other or field)), field)
        except InvalidInput as exc:
            found.append(Finding(where, field, exc.message.split(": ", 1)[-1]))
    start, end = dates.get("date"), dates.get("end_date")
    if start and end and end < start[: len(end)]:
        found.append(Finding(where, "end_date", f"{end} is before the announcement {start}"))
    if end and record.get("status") not in (None, "terminated"):
        found.append(
            Finding(where, "status", f"an end date ({end}) but status {record['status']!r}", "warning")
        )
    found += _check_amount(where, record.get("amount"))
    found += _check_parties(where, record.get("parties"))
    return found


def _check_amount(where: str, amount: Any) -> list[Finding]:
    if amount in (None, {}, ""):
        return []
    if not isinstance(amount, dict) or not isinstance(amount.get("value"), int | float):
        return [Finding(where, "amount", "must be an object with a numeric value")]
    found = []
    if amount["value"] < 0:
        found.append(Finding(where, "amount", "value must not be negative"))
    currency = str(amount.get("currency") or "")
    if currency and (len(currency) != 3 or not currency.isalpha()):
        found.append(Finding(where, "amount", f"currency {currency!r} is not a three-letter code"))
    if amount.get("kind") is not None and amount["kind"] not in vocab("amount_kinds"):
        found.append(Finding(where, "amount", f"unknown amount kind {amount['kind']!r}"))
    return found


def _check_parties(where: str, parties: Any) -> list[Finding]:
    if not isinstance(parties, list) or len(parties) < 2:
        return [Finding(where, "parties", "an alliance needs at least two parties")]
    found = []
    for party in parties:
        name = party.get("name") if isinstance(party, dict) else party
        if not isinstance(name, str) or not name.strip():
            found.append(Finding(where, "parties", "a party has no name"))
        if isinstance(party, dict):
            if party.get("kind") is not None and party["kind"] not in vocab("organisation_kinds"):
                found.append(Finding(where, "parties", f"unknown organisation kind {party['kind']!r}"))
            if party.get("role") is not None and party["role"] not in vocab("party_roles"):
                found.append(Finding(where, "parties", f"unknown party role {party['role']!r}"))
    return found


def party_names(record: dict[str, Any]) -> list[str]:
    names = []
    for party in record.get("parties") or []:
        name = party.get("canonical") or party.get("name") if isinstance(party, dict) else party
        if isinstance(name, str) and name.strip():
            names.append(name.strip())
    return names


def check_curated(entries: list[dict[str, Any]], where: Callable[[str], str]) -> list[Finding]:
    """Curated organisations: known kinds, two-letter countries, known parents, no name used twice."""
    found: list[Finding] = []
    owner: dict[str, str] = {}
    names = {e["name"] for e in entries}
    for entry in entries:
        name = entry["name"]
        if entry.get("kind") not in vocab("organisation_kinds"):
            found.append(Finding(where(name), "kind", f"unknown organisation kind {entry.get('kind')!r}"))
        country = entry.get("country")
        if country is not None and not (isinstance(country, str) and len(country) == 2 and country.isupper()):
            found.append(Finding(where(name), "country", f"{country!r} is not an ISO 3166 alpha-2 code"))
        if entry.get("parent") and entry["parent"] not in names:
            found.append(Finding(where(name), "parent", f"unknown parent {entry['parent']!r}"))
        for text in (name, *(entry.get("aliases") or [])):
            norm = normalise(text)
            if owner.get(norm, name) != name:
                found.append(Finding(where(name), "aliases", f"{text!r} also names {owner[norm]!r}"))
            owner.setdefault(norm, name)
    return found


def curated_index(entries: Iterable[dict[str, Any]]) -> dict[str, str]:
    """Normalised name or alias -> curated organisation name."""
    index: dict[str, str] = {}
    for entry in entries:
        for text in (entry["name"], *(entry.get("aliases") or [])):
            index.setdefault(normalise(text), entry["name"])
    return index


def check_names(records: list[Located], index: dict[str, str] | None = None) -> list[Finding]:
    """One organisation under two names: spellings that normalise alike, names that resolve to one entity."""
    found: list[Finding] = []
    spellings: dict[str, dict[str, str]] = defaultdict(dict)
    for where, record in records:
        resolved: dict[str, str] = {}
        for name in party_names(record):
            key = (index or {}).get(normalise(name), normalise(name))
            if key in resolved and resolved[key] != name:
                found.append(
                    Finding(where, "parties", f"{resolved[key]!r} and {name!r} are one organisation")
                )
            resolved.setdefault(key, name)
            spellings[normalise(name)].setdefault(name, where)
        if len(resolved) < 2 <= len(party_names(record)):
            found.append(Finding(where, "parties", "the parties name fewer than two distinct organisations"))
    for forms in spellings.values():
        if len(forms) > 1:
            (first, at), *others = forms.items()
            for other, where in others:
                message = f"{other!r} is written {first!r} at {at}"
                found.append(Finding(where, "parties", message, "warning"))
    return found


def _day(value: str | None) -> date | None:
    try:
        text = check_partial_date(value)
    except InvalidInput:
        return None
    if not text:
        return None
    parts = [int(p) for p in text.split("-")] + [1, 1]
    return date(parts[0], parts[1], parts[2])


def probable_duplicates(records: list[Located], index: dict[str, str] | None = None) -> list[Finding]:
    """Same parties and type, announced within a year of each other (or both undated)."""
    groups: dict[tuple[frozenset[str], str], list[tuple[str, dict[str, Any]]]] = defaultdict(list)
    for where, record in records:
        parties = frozenset((index or {}).get(normalise(n), normalise(n)) for n in party_names(record))
        if len(parties) >= 2:
            groups[(parties, str(record.get("type")))].append((where, record))
    found = []
    for items in groups.values():
        for i, (where, record) in enumerate(items):
            for earlier_where, earlier in items[:i]:
                a, b = _day(record.get("date")), _day(earlier.get("date"))
                if (a is None and b is None) or (a and b and abs((a - b).days) <= 366):
                    ref = earlier.get("ref") or earlier.get("key") or earlier_where
                    message = f"probable duplicate of {ref} ({earlier_where}): same parties, type and year"
                    found.append(Finding(where, "parties", message, "warning"))
                    break
    return found


def check_records(records: list[Located], index: dict[str, str] | None = None) -> list[Finding]:
    """Every check of a file of alliance records, in file order within each kind of check."""
    found = [f for where, record in records for f in check_record(where, record)]
    return found + check_names(records, index) + probable_duplicates(records, index)


def check_bundle(
    records: list[Located], entries: list[dict[str, Any]], where: Callable[[str], str]
) -> list[Finding]:
    """The bundled data: curated organisations, the real records, and party names nobody curated."""
    index = curated_index(entries)
    found = check_curated(entries, where) + check_records(records, index)
    for at, record in records:
        for name in party_names(record):
            if normalise(name) not in index:
                message = f"{name!r} has no entry in organisations.yaml (its kind would be guessed)"
                found.append(Finding(at, "parties", message, "warning"))
    return found
