"""French and English interface strings, read from `alliances/data/i18n.yaml` (data, not code).

The language comes from `?lang=` (remembered in a cookie), else the cookie, else Accept-Language,
else the settings' default. Vocabulary labels (types, technologies…) come from the taxonomy.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from pydantic import BaseModel, ConfigDict

from alliances.taxonomy import load_data_file, vocab

LANGS = ("en", "fr")
_ISO_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_FR_MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip


@cache
def catalogue() -> dict[str, dict[str, str]]:
    """Flatten the nested YAML into dotted keys: {"nav.overview": {"en": ..., "fr": ...}}."""
    flat: dict[str, dict[str, str]] = {}

    def walk(prefix: str, node: dict[str, Any]) -> None:
        for key, value in node.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if isinstance(value, dict) and set(value) <= set(LANGS) and value:
                flat[name] = {lang: str(text) for lang, text in value.items()}
            elif isinstance(value, dict):
                walk(name, value)

    walk("", load_data_file("i18n.yaml"))
    return flat


class Translator:
    """`t("nav.overview")` in templates; `t.label("technologies", "ai")` for vocabulary terms."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in LANGS else "en"

    def __call__(self, key: str, **values: Any) -> str:
        entry = catalogue().get(key)
        text = key if entry is None else entry.get(self.lang) or entry.get("en", key)
        return text.format(**values) if values else text

    def plural(self, key: str, n: int, **values: Any) -> str:
        """`key` with {n}, or `key_one` for one (French also for zero): "1 candidat", "2 candidats"."""
        one = n == 1 or (self.lang == "fr" and n == 0)
        chosen = f"{key}_one" if one and f"{key}_one" in catalogue() else key
        return self(chosen, n=self.number(n), **values)

    @property
    def colon(self) -> str:
        """The colon after a label: French puts a narrow no-break space before it ("Pays : FR")."""
        return "\u202f:" if self.lang == "fr" else ":"

    def date(self, value: object) -> str:
        """A date, possibly partial ("2026", "2026-06", "2026-06-23"), as the reader writes it: ISO in
        English, "juin 2026" and "23 juin 2026" (1er for the first) in French. Anything else as it is."""
        if value is None or value == "":
            return ""
        text = str(value)
        match = _ISO_DATE.fullmatch(text)
        if self.lang != "fr" or match is None:
            return text
        year, month, day = match.group(1), match.group(2), match.group(3)
        if month is None:
            return year
        if not 1 <= int(month) <= 12:
            return text
        name = _FR_MONTHS[int(month) - 1]
        if day is None:
            return f"{name} {year}"
        return f"{'1er' if int(day) == 1 else int(day)} {name} {year}"

    @property
    def percent(self) -> str:
        """The per cent sign after a number: "40%", "40 %" (narrow no-break space) in French."""
        return "\u202f%" if self.lang == "fr" else "%"

    def api(self, english: str) -> str:
        """An OpenAPI summary or description in this language, when the catalogue's `api_doc` has it."""
        if self.lang == "en" or not english:
            return english
        return api_texts().get(english, english)

    def error(self, message: str) -> str:
        return translate_error(message, self.lang)

    def reason(self, reason: object) -> str:
        """A recommendation reason in this language (plain strings as they are)."""
        render = getattr(reason, "render", None)
        return str(render(self.lang)) if callable(render) else str(reason)

    def label(self, facet: str, key: str | None) -> str:
        if not key:
            return ""
        return vocab(facet).label(key, self.lang)

    def number(self, value: float | int | None, digits: int = 0) -> str:
        """Thousands separated the way each language writes them (1,234.5 / 1 234,5)."""
        if value is None:
            return ""
        text = f"{value:,.{digits}f}"
        if self.lang == "fr":
            text = text.replace(",", "\u202f").replace(".", ",")
        return text


@cache
def api_texts() -> dict[str, str]:
    """English OpenAPI text -> French, from the catalogue's `api_doc` section."""
    return {e["en"]: e.get("fr", e["en"]) for k, e in catalogue().items() if k.startswith("api_doc.")}


class ErrorPattern(BaseModel):
    """An English error sentence (a regex) and its French; other keys wrap a named group when present."""

    model_config = ConfigDict(extra="allow")

    en: str
    fr: str
    terms: list[str] = []  # groups whose value is itself translated from `terms`
    nested: list[str] = []  # groups whose value is itself an error sentence (`file:2: amount: …`)

    def wrapper(self, group: str) -> str | None:
        value = (self.model_extra or {}).get(group)
        return str(value) if value else None


@cache
def error_patterns() -> list[tuple[re.Pattern[str], ErrorPattern]]:
    raw = load_data_file("errors.yaml")
    return [(re.compile(p["en"]), ErrorPattern.model_validate(p)) for p in raw["patterns"]]


def translate_error(message: str, lang: str) -> str:
    """An error sentence in the reader's language (`alliances/data/errors.yaml`); English as it is."""
    if lang != "fr":
        return message
    terms = load_data_file("errors.yaml")["terms"]
    for rx, entry in error_patterns():
        match = rx.fullmatch(message)
        if match is None:
            continue
        values = {}
        for name, value in match.groupdict().items():
            if name in entry.terms:
                value = terms.get(value, value)
            if name in entry.nested and value is not None:
                value = translate_error(value, lang)
            wrap = entry.wrapper(name)
            values[name] = "" if value is None else (wrap.format(value) if wrap else value)
        return entry.fr.format(**values)
    return message


def negotiate(query: str | None, cookie: str | None, accept: str | None, default: str = "en") -> str:
    """Pick the interface language; unknown values fall through to the next source."""
    for candidate in (query, cookie):
        if candidate in LANGS:
            return str(candidate)
    for part in (accept or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGS:
            return code
    return default if default in LANGS else "en"
