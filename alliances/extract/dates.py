"""Dates stated in French and English news, resolved against the document's publication date.

Regular expressions rather than dateparser: dateparser's `search_dates` costs ~16 ms a sentence
and returns None for relative forms such as "mardi dernier" (NOTES.md). Results are ISO strings
as precise as the text: "YYYY", "YYYY-MM" or "YYYY-MM-DD".
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

MONTHS = {
    "janvier": 1,
    "février": 2,
    "fevrier": 2,
    "mars": 3,
    "avril": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "août": 8,
    "aout": 8,
    "septembre": 9,
    "octobre": 10,
    "novembre": 11,
    "décembre": 12,
    "decembre": 12,
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_M = "|".join(sorted(MONTHS, key=len, reverse=True))
_UNITS = {
    "jour": 1,
    "jours": 1,
    "day": 1,
    "days": 1,
    "semaine": 7,
    "semaines": 7,
    "week": 7,
    "weeks": 7,
    "mois": 30,
    "month": 30,
    "months": 30,
    "an": 365,
    "ans": 365,
    "année": 365,
    "années": 365,
    "year": 365,
    "years": 365,
}
_NUMBERS = {
    "un": 1,
    "une": 1,
    "a": 1,
    "an": 1,
    "one": 1,
    "deux": 2,
    "two": 2,
    "trois": 3,
    "three": 3,
    "quatre": 4,
    "four": 4,
    "cinq": 5,
    "five": 5,
    "six": 6,
    "dix": 10,
    "ten": 10,
    "quelques": 3,
    "few": 3,
}
WEEKDAYS = {
    "monday": 0,
    "tuesday": 1,
    "wednesday": 2,
    "thursday": 3,
    "friday": 4,
    "saturday": 5,
    "sunday": 6,
    "lundi": 0,
    "mardi": 1,
    "mercredi": 2,
    "jeudi": 3,
    "vendredi": 4,
    "samedi": 5,
    "dimanche": 6,
}
_WD = "|".join(WEEKDAYS)
_N = r"(?:\d+|" + "|".join(_NUMBERS) + ")"
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("iso", re.compile(r"\b(?P<y>(?:19|20)\d\d)-(?P<m>0[1-9]|1[0-2])(?:-(?P<d>[0-3]\d))?\b")),
    ("dmy", re.compile(rf"\b(?P<d>[0-3]?\d)(?:er)? (?P<mon>{_M})\.?,? (?P<y>(?:19|20)\d\d)\b", re.I)),
    (
        "mdy",
        re.compile(rf"\b(?P<mon>{_M})\.? (?P<d>[0-3]?\d)(?:st|nd|rd|th)?,? (?P<y>(?:19|20)\d\d)\b", re.I),
    ),
    ("my", re.compile(rf"\b(?P<mon>{_M}) (?:de |of )?(?P<y>(?:19|20)\d\d)\b", re.I)),
    ("dm", re.compile(rf"\b(?P<d>[0-3]?\d)(?:er)? (?P<mon>{_M})\b", re.I)),
    ("md", re.compile(rf"\b(?P<mon>{_M})\.? (?P<d>[0-3]?\d)(?:st|nd|rd|th)?\b(?!,? \d)", re.I)),
    (
        "ago",
        re.compile(
            rf"\bil y a (?:(?:moins|plus) d['’]\s?)?(?P<n>{_N}) (?P<u>jours?|semaines?|mois|ans?|années?)\b"
            rf"|\b(?P<n2>{_N}) (?P<u2>days?|weeks?|months?|years?) ago\b",
            re.I,
        ),
    ),
    (
        "last",
        re.compile(
            r"\b(?:(?P<fr>(?:la |le )?(?P<u>semaine|mois|année|an)(?: dernier| dernière))"
            r"|last (?P<u2>week|month|year))\b",
            re.I,
        ),
    ),
    (
        # "on Tuesday", "last Friday", "mardi", "mardi dernier": the latest such day up to publication
        "weekday",
        re.compile(rf"\b(?:on |last |this past |ce )?(?P<wd>{_WD})(?: dernier| passé)?\b(?! \d)", re.I),
    ),
    (
        "today",
        re.compile(
            r"\b(?:aujourd['’]hui|ce matin|cette semaine|today|this morning|this week|hier|yesterday)\b", re.I
        ),
    ),
    (
        "year",
        re.compile(
            r"(?<![\d,.])(?:en |in |depuis |since |dès |fin |début |early |late )?(?P<y>(?:19[89]|20[0-4])\d)\b"  # noqa: E501
            r"(?!\d|[,.]\d| ?%| ?(?:millions?|milliards?|patients|salariés|employees))",
            re.I,
        ),
    ),
]


@dataclass(frozen=True)
class DateMention:
    value: str
    start: int
    end: int
    kind: str


def _safe(y: int, m: int, d: int | None) -> str | None:
    if not 1 <= m <= 12:
        return None
    if d is None:
        return f"{y:04d}-{m:02d}"
    if not 1 <= d <= calendar.monthrange(y, m)[1]:
        return None
    return f"{y:04d}-{m:02d}-{d:02d}"


def _value(kind: str, m: re.Match[str], base: date | None) -> str | None:
    g = m.groupdict()
    if kind in ("iso", "dmy", "mdy", "my"):
        month = int(g["m"]) if kind == "iso" else MONTHS[g["mon"].lower().rstrip(".")]
        day = int(g["d"]) if g.get("d") else None
        return _safe(int(g["y"]), month, day)
    if kind == "year":
        return g["y"]
    if base is None:
        return None
    if kind in ("dm", "md"):
        month, day = MONTHS[g["mon"].lower().rstrip(".")], int(g["d"])
        year = base.year if (month, day) <= (base.month, base.day) else base.year - 1
        return _safe(year, month, day)
    if kind == "ago":
        n_raw = (g.get("n") or g.get("n2") or "1").lower()
        unit = (g.get("u") or g.get("u2") or "jour").lower()
        n = int(n_raw) if n_raw.isdigit() else _NUMBERS.get(n_raw, 1)
        when = base - timedelta(days=n * _UNITS.get(unit, 1))
        return when.isoformat()[:7] if _UNITS.get(unit, 1) >= 30 else when.isoformat()
    if kind == "last":
        unit = (g.get("u") or g.get("u2") or "").lower()
        days = {"semaine": 7, "week": 7, "mois": 30, "month": 30}.get(unit, 365)
        when = base - timedelta(days=days)
        return str(when.year) if days == 365 else when.isoformat()[:7]
    if kind == "weekday":
        back = (base.weekday() - WEEKDAYS[g["wd"].lower()]) % 7
        return (base - timedelta(days=back)).isoformat()
    if kind == "today":
        word = m.group(0).lower()
        when = base - timedelta(days=1) if word in ("hier", "yesterday") else base
        return when.isoformat()
    return None


def find_dates(text: str, base: date | None = None) -> list[DateMention]:
    """Dates in `text`, most precise reading first at each position; relative ones need `base`."""
    found: list[DateMention] = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            if any(m.start() < d.end and d.start < m.end() for d in found):
                continue
            value = _value(kind, m, base)
            if value is None and base is None and kind in ("dm", "md", "ago", "last", "today", "weekday"):
                value = ""  # a date is stated, but it cannot be placed without the publication date
            if value is not None:
                found.append(DateMention(value, m.start(), m.end(), kind))
    return sorted(found, key=lambda d: d.start)


def parse_date(text: str, base: date | None = None) -> str | None:
    """The first date in `text`, or None."""
    dates = [d for d in find_dates(text, base) if d.value]
    return dates[0].value if dates else None


_PUBLISHED = re.compile(
    r"(?:publié|publiée|mis à jour|published|updated|posted|date|le)\s*(?:le|on|:)?\s*", re.I
)


def publication_date(text: str) -> str | None:
    """The publication date a page states near its top ("Publié le 10 janvier 2023"), else None."""
    head = text[:3000]
    for m in _PUBLISHED.finditer(head):
        tail = head[m.end() : m.end() + 40]
        for d in find_dates(tail):
            if d.start == 0 and d.value and len(d.value) == 10:
                return d.value
    for d in find_dates(text[:600]):
        if len(d.value) == 10 and d.kind in ("iso", "dmy", "mdy"):
            return d.value
    return None


def to_date(value: str | None) -> date | None:
    """An ISO day string as a date, None otherwise."""
    if value and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None
