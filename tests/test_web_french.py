"""French pages are wholly French: every page rendered with ?lang=fr, checked against the catalogue's
English strings (interface and vocabulary labels) that differ from their French translation."""

from __future__ import annotations

import html as htmllib
import re
from collections.abc import Iterator
from functools import cache
from typing import Any

import pytest

from alliances.recommend.explain import templates
from alliances.store.db import Database
from alliances.taxonomy import FACETS, vocab
from alliances.taxonomy.areas import areas
from alliances.web.i18n import catalogue

PAGES = [
    "/",
    "/alliances",
    "/alliances?q=sanofi",
    "/alliances/1",
    "/organisations",
    "/organisations/Sanofi",
    "/organisations/Alphabet",
    "/matrix",
    "/matrix?source=both",
    "/matrix/cell?technology=ai&stage=research",
    "/network",
    "/network?kind=big_tech",
    "/trends",
    "/projects",
    "/projects/1",
    "/surveys",
    "/review",
    "/recommend",
    "/recommend?org=Servier&technology=ai&stage=development",
    "/docs",
    "/about",
    "/login",
    "/health",
    "/organisations/Sanofi/health",
    "/maturity",
    "/maturity/surveys",
    "/maturity/benchmark",
    "/maturity/trajectory",  # 403 for a visitor
    "/alliances/1/health",  # 404: no plan
    "/nowhere",  # 404
    "/alliances/999999",  # 404
    "/alliances?year_from=abc",  # 422
    "/alliances?type=merger",  # 422
    "/alliances?page=999",
]
_PLACEHOLDER = re.compile(r"\{[^}]*\}")
_TAG = re.compile(r"<[^>]+>")
_ATTR = re.compile(r'\b(?:title|placeholder|aria-label|alt|content)="([^"]*)"')
_SKIP = re.compile(
    r"<(script|style)\b.*?</\1>|<(?:pre|code|q|blockquote)\b.*?</(?:pre|code|q|blockquote)>", re.S
)


def ui_texts() -> list[tuple[str, str, str]]:
    """(key, English, French) of every interface text: catalogue, vocabularies, areas, reasons."""
    texts = [(k, e["en"], e.get("fr", "")) for k, e in catalogue().items()]
    texts += [(f"{f}.{t.key}", t.en, t.fr) for f in FACETS for t in vocab(f).terms]
    texts += [(f"areas.{a.key}", a.en, a.fr) for a in areas().values()]
    texts += [(f"reasons.{k}", v["en"], v["fr"]) for k, v in templates().items()]
    return texts


@cache
def english_fragments() -> list[tuple[str, re.Pattern[str]]]:
    """Every English text cut at its placeholders into fragments that no French text contains (so
    "Pharma" or "Big tech", French too, never count)."""
    french = " \n ".join(fr for _, _, fr in ui_texts())
    out = []
    for key, en, _fr in ui_texts():
        for part in _PLACEHOLDER.split(en):
            part = part.strip(" .,:;()–-→←·×")
            if len(part) < 4 or re.search(r"(?<!\w)" + re.escape(part) + r"(?!\w)", french):
                continue
            out.append((key, re.compile(r"(?<!\w)" + re.escape(part) + r"(?!\w)")))
    return out


@cache
def data_strings(path: str) -> list[str]:
    """Names, titles and quotes stored in a database: data, in whatever language it was written."""
    from sqlalchemy import select

    from alliances.store import models as m

    db = Database.open(f"sqlite:///{path}")
    columns = (m.Organisation.name, m.Alias.name, m.Alliance.title, m.Alliance.vehicle_name, m.Source.title)
    columns += (
        m.Project.name,
        m.Project.description,
        m.Survey.name,
        m.Evidence.quote,
        m.Alliance.description,
    )
    with db.session() as s:
        found = {v for col in columns for v in s.scalars(select(col)) if v}
    db.dispose()
    return sorted(found, key=len, reverse=True)


# Names that are the same in both languages (acatech's "Industrie 4.0 Maturity Index").
PROPER_NAMES = ("Industrie 4.0",)


def visible_text(page: str, data: list[str] = ()) -> str:  # type: ignore[assignment]
    """What a reader sees or hears: text and the attributes read aloud, without code or stored data."""
    attrs = " ".join(_ATTR.findall(page))
    text = htmllib.unescape(_TAG.sub(" ", _SKIP.sub(" ", page)) + " " + htmllib.unescape(attrs))
    for value in [*data, *PROPER_NAMES]:
        text = text.replace(value, " ")
    return text


# English number forms: "$180M", "€1.2bn", "0.85"
_ENGLISH_NUMBERS = re.compile(r"[$€£]\s?\d|\d(?:bn|M)\b|(?<![\w.,])\d+\.\d+(?![\w.])")


# The sentence of an error page, and English words no French error sentence has.
_MESSAGE = re.compile(r'<p class="message">(.*?)</p>', re.S)
_ENGLISH_WORDS = re.compile(r"\b(?:the|to|of|with|must|is|are|not|no|you|only|unknown|expected|sign in)\b")


def english_left(page: str, data: list[str] = ()) -> list[str]:  # type: ignore[assignment]
    text = visible_text(page, data)
    found = {f"{key}: {rx.pattern}" for key, rx in english_fragments() if rx.search(text)}
    found |= {f"number: {m.group(0)}" for m in _ENGLISH_NUMBERS.finditer(text)}
    for match in _MESSAGE.finditer(page):
        message = htmllib.unescape(match.group(1)).strip()
        if _ENGLISH_WORDS.search(message):
            found.add(f"error: {message}")
    return sorted(found)


@pytest.fixture(autouse=True)
def _forget_the_language(web_client: Any, bundled_client: Any) -> Iterator[None]:
    """`?lang=fr` is remembered in a cookie: the shared clients go back to English for the next file."""
    yield
    web_client.cookies.clear()
    bundled_client.cookies.clear()


@pytest.mark.parametrize("path", PAGES)
def test_every_page_is_french(web_client: Any, web_db_file: Any, path: str) -> None:
    sep = "&" if "?" in path else "?"
    response = web_client.get(f"{path}{sep}lang=fr")
    assert response.headers["content-language"] == "fr"
    assert english_left(response.text, data_strings(str(web_db_file))) == [], path


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/alliances",
        "/organisations/Alphabet",
        "/recommend?org=Servier&technology=ai&stage=development",
        "/trends",
        "/network?kind=big_tech",
    ],
)
def test_bundled_pages_are_french(bundled_client: Any, bundled_db_file: Any, path: str) -> None:
    sep = "&" if "?" in path else "?"
    page = bundled_client.get(f"{path}{sep}lang=fr").text
    assert english_left(page, data_strings(str(bundled_db_file))) == [], path


def test_the_check_catches_english(web_client: Any) -> None:
    """The checker itself: the English page is full of catalogue strings."""
    assert len(english_left(web_client.get("/alliances?lang=en").text)) > 10


def unescaped(response: Any) -> str:
    return htmllib.unescape(response.text)


def test_french_numbers_plurals_and_agreement(web_client: Any) -> None:
    page = web_client.get("/alliances?lang=fr").text
    assert "180\xa0M\u202f$" in page and "10 alliances" in page  # W03: $180M
    assert "1 alliance<" in web_client.get("/alliances?lang=fr&q=cœur").text
    assert "10 alliances retenues" in web_client.get("/matrix?lang=fr").text
    assert "2 projets retenus" in web_client.get("/matrix?lang=fr&source=projects").text
    missing = web_client.get("/alliances/999999?lang=fr")
    assert missing.status_code == 404 and "aucune alliance avec l'identifiant 999999" in unescaped(missing)
    bad = web_client.get("/alliances?lang=fr&type=merger")
    assert bad.status_code == 422 and "valeur inconnue pour « type d'alliance »" in unescaped(bad)
    api = web_client.get("/api/v1/alliances?type=merger", headers={"Accept-Language": "fr"})
    assert "unknown alliance type" in api.json()["error"]  # the API keeps English


def test_french_recommendation_reasons(bundled_client: Any) -> None:
    page = unescaped(bundled_client.get("/recommend?org=Servier&technology=ai&stage=development&lang=fr"))
    assert "société sœur de Google, déjà partenaire de Servier (même groupe : Alphabet)" in page
    assert "intelligence artificielle × développement" in page and "0,9" in page
    english = bundled_client.get("/api/v1/recommendations?org=Servier&technology=ai&stage=development").json()
    verily = next(i for i in english["items"] if i["organisation"] == "Verily")
    assert "sister company of Google, already a partner of Servier (both under Alphabet)" in verily["reasons"]
    assert any(r.startswith("caution: ") for r in verily["reasons"])  # one terminated deal is enough
    assert any(r.startswith(("dormant: ", "recent activity: ")) for r in verily["reasons"])


def _api_texts(node: object) -> set[str]:
    """Every summary and description of the OpenAPI paths (operations, parameters, responses)."""
    if isinstance(node, dict):
        found = {v for k, v in node.items() if k in ("summary", "description") and isinstance(v, str)}
        return found.union(*(_api_texts(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_api_texts(v) for v in node))
    return set()


def test_every_api_text_has_its_french_and_no_entry_drifted(web_client: Any) -> None:
    """The French /docs is built from the catalogue by exact English text: a reworded docstring or
    parameter description would silently fall back to English, and its old entry would linger."""
    from alliances.web.i18n import api_texts

    used = _api_texts(web_client.app.openapi()["paths"])
    known = api_texts()
    assert sorted(used - set(known)) == []
    assert sorted(set(known) - used) == []
    assert all(fr and fr != en for en, fr in known.items() if len(en) > 3)


# One sentence of each error a page can show (routes, accounts, health imports, maturity), as raised.
PAGE_ERRORS = [
    "missing or wrong CSRF token: reload the page and try again",
    "missing or wrong CSRF token: reload the sign-in page and try again",
    "sign in (or send a bearer token) to do this",
    "this needs the analyst role; you are viewer",
    "this needs the analyst role; you are without a role",
    "only a member with the alliance_manager role in this plan's organisations may change it",
    "sign in to use this observatory (/login)",
    "too many failed sign-ins; try again in a few minutes",
    "no organisation 'Nobody'",
    "no health plan for alliance 5",
    "only a member of a party of alliance 5 may change its plan",
    "no alert 'bogus' on the latest review of alliance 5",
    "checklist: exit_readiness: unknown answer 'maybe'",
    "an organisation's trajectory is visible to its members only",
    "sign in as a member of an organisation to see its trajectory",
    "you may only assess an organisation you belong to",
    "no assessment with id 999",
    "assessment 3 is complete; start a new one to change answers",
    "by must be sector, size or country, not 'colour'",
    "unknown sector 'food' (expected one of: pharma, biotech, medtech, diagnostics, cro)",
    "unknown size band 'huge' (expected one of: micro, small, medium, large)",
    "country must be a two-letter code such as FR, not 'France'",
    "12 question(s) still unanswered, first ai.research",
    "spend.csv:1: file: not UTF-8 text",
    "spend.csv:1: party: unknown column (expected: date, milestone, event, on, name, reason)",
    "spend.csv:1: amount: required column missing",
    "spend.csv:1: header: the file is empty (expected columns: date, party, amount, note)",
    "spend.csv:3: row: more cells than columns",
    "spend.csv:2: amount: Input should be a valid number, unable to parse string as a number",
    "spend.csv:2: date: Input should be a valid date or datetime, month value is outside expected range",
    "spend.csv:2: party: Field required",
    "health_checks.csv:2: score: Input should be less than or equal to 5",
    "health_checks.csv:2: question: unknown question 'bogus' (expected one of: objectives_aligned)",
    "checklist.csv:2: item: unknown checklist item 'bogus' (expected one of: governance_and_team)",
    "milestones.csv:2: event: unknown value 'exploded' (expected one of: planned, rebaselined, completed)",
    "obstacles.csv:2: status: Input should be 'open', 'mitigated' or 'closed'",
    "kpis.csv:3: objective: unknown objective 'nothing'",
    "year_from: Input should be a valid integer, unable to parse string as an integer",
    "page: Input should be greater than or equal to 1",
    "source: 'bogus' is not one of: alliances, projects, both",
    "country: String should match pattern '^[A-Za-z]{2}$'",
    "status: unknown status 'x' (expected one of: announced, active, terminated); kind: unknown organisation"
    " kind 'y' (expected one of: pharma, biotech)",
]


@pytest.mark.parametrize("message", PAGE_ERRORS)
def test_error_sentences_of_the_pages_are_french(message: str) -> None:
    from alliances.web.i18n import translate_error

    french = translate_error(message, "fr")
    assert french != message
    assert _ENGLISH_WORDS.search(french.replace("'", " ")) is None, french


def test_french_colons_and_project_figures(bundled_client: Any) -> None:
    """French puts a narrow no-break space before a colon; a project's key figures are labelled and
    formatted in the reader's language."""
    org = bundled_client.get("/organisations/Microsoft?lang=fr").text
    assert "Pays\u202f: US" in org and "Filiales\u202f:" in org
    assert "Country: US" in bundled_client.get("/organisations/Microsoft?lang=en").text
    listing = bundled_client.get("/api/v1/projects").json()
    darwin = next(p for p in listing["items"] if p["name"] == "DARWIN")
    page = bundled_client.get(f"/projects/{darwin['id']}?lang=fr").text
    assert "Patients\u202f: <strong>345\u202f000\u202f000</strong>" in page
    assert "Études cliniques\u202f: <strong>48</strong>" in page
    english = bundled_client.get(f"/projects/{darwin['id']}?lang=en").text
    assert "Clinical studies: <strong>48</strong>" in english and "345,000,000" in english


def test_french_dates(bundled_client: Any) -> None:
    """Dates, often partial, read "23 juin 2026", "juin 2026", "1er mars 2020" in French; ISO in English."""
    from datetime import date

    from alliances.web.i18n import Translator

    fr, en = Translator("fr"), Translator("en")
    assert [fr.date(v) for v in ("2026", "2026-06", "2026-06-23", "2020-03-01", None, "?")] == [
        "2026",
        "juin 2026",
        "23 juin 2026",
        "1er mars 2020",
        "",
        "?",
    ]
    assert fr.date(date(2019, 12, 31)) == "31 décembre 2019" and en.date("2026-06-23") == "2026-06-23"
    overview = unescaped(bundled_client.get("/?lang=fr"))
    assert "23 juin 2026 · Collaboration de R&D" in overview  # Samsung – Alcedis, the latest alliance
    assert "2026-06-23 · R&D collaboration" in unescaped(bundled_client.get("/?lang=en"))
    microsoft = unescaped(bundled_client.get("/organisations/Microsoft?lang=fr"))
    assert "8 juin 2026" in microsoft and "2026-06-08" not in microsoft


def test_french_brings_reason_reads_as_french(bundled_client: Any) -> None:
    """ "apporte technologies réalité augmentée, que Servier n'a encore jamais mobilisés" did not agree."""
    page = unescaped(
        bundled_client.get("/recommend?org=Servier&technology=augmented_reality&stage=production&lang=fr")
    )
    assert "apporte ce que Servier n'a encore jamais mobilisé dans ses alliances : technologies " in page
    assert "mobilisés" not in page
