"""Amounts and dates: examples from the press, and properties over generated values."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alliances.extract.amounts import parse_amount
from alliances.extract.dates import find_dates, parse_date, publication_date


@pytest.mark.parametrize(
    ("text", "value", "currency"),
    [
        ("500 millions de dollars", 500e6, "USD"),
        ("a investi 50 Mds$ dans l'IA", 50e9, "USD"),
        ("Livmed's lève 5 M€", 5e6, "EUR"),
        ("a $1.2bn deal", 1.2e9, "USD"),
        ("worth up to $5.2 billion", 5.2e9, "USD"),
        ("1,2 milliard d'euros", 1.2e9, "EUR"),
        ("€30m round", 30e6, "EUR"),
        ("200 000 euros", 2e5, "EUR"),
        ("CHF 50 million", 50e6, "CHF"),
        ("£20 million", 20e6, "GBP"),
    ],
)
def test_amounts_from_press_style(text: str, value: float, currency: str) -> None:
    assert parse_amount(text) == {"value": value, "currency": currency}


def test_amounts_ignore_years_and_percentages() -> None:
    assert parse_amount("créée en 2016 par 300 chercheurs, 12 %") is None


@given(
    st.integers(min_value=1, max_value=999),
    st.sampled_from(
        [
            ("millions de dollars", 1e6, "USD"),
            ("M€", 1e6, "EUR"),
            ("milliards d'euros", 1e9, "EUR"),
            ("Mds$", 1e9, "USD"),
        ]
    ),
)
def test_amount_multipliers_property(n: int, unit: tuple[str, float, str]) -> None:
    words, mult, cur = unit
    assert parse_amount(f"lève {n} {words} auprès") == {"value": n * mult, "currency": cur}


@given(st.floats(min_value=0.1, max_value=99.9).map(lambda f: round(f, 1)))
def test_english_billions_property(x: float) -> None:
    assert parse_amount(f"a ${x}bn deal") == {"value": round(x * 1e9, 2), "currency": "USD"}


@pytest.mark.parametrize(
    ("text", "base", "expected"),
    [
        ("a annoncé le 17 juin un partenariat", date(2023, 1, 10), "2022-06-17"),
        ("a annoncé le 17 juin un partenariat", None, None),
        ("En 2016, ils avaient conclu", None, "2016"),
        ("on June 17, 2022 the companies", None, "2022-06-17"),
        ("il y a moins d'un mois", date(2023, 1, 10), "2022-12"),
        ("signed in March 2021", None, "2021-03"),
        ("this morning", date(2024, 4, 9), "2024-04-09"),
    ],
)
def test_dates_resolved_against_publication(text: str, base: date | None, expected: str | None) -> None:
    assert parse_date(text, base) == expected


def test_publication_date_from_byline() -> None:
    assert publication_date("Titre\n\nPar X. Publié le 10 janvier 2023 à 17h39") == "2023-01-10"


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 12, 31)))
def test_day_month_without_year_is_never_after_the_publication_date(base: date) -> None:
    day = base - timedelta(days=40)
    months = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ]
    found = parse_date(f"le {day.day} {months[day.month - 1]}", base)
    assert found is not None and found <= base.isoformat()
    assert found == day.isoformat()


@given(st.dates(min_value=date(1980, 1, 1), max_value=date(2049, 12, 31)))
def test_full_dates_round_trip(day: date) -> None:
    months = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ]
    assert [d.value for d in find_dates(f"on {months[day.month - 1]} {day.day}, {day.year} the")] == [
        day.isoformat()
    ]
