"""Jinja filters and globals: amounts, colours, links, chart specs embedded as JSON."""

from __future__ import annotations

from typing import Any

from babel.numbers import format_compact_decimal, format_decimal
from jinja2 import Environment, pass_context
from jinja2.runtime import Context
from pydantic import BaseModel

from alliances.taxonomy.areas import area_label, areas
from alliances.web.palette import KIND_GROUPS, OKABE_ITO, TYPE_COLOURS, heat, kind_colour

CURRENCY_SIGNS = {"EUR": "€", "USD": "$", "GBP": "£", "CHF": "CHF ", "JPY": "¥"}
Fields = dict[str, Any] | BaseModel  # a record as a dict (projects, candidates) or a store model (alliances)


def _as_dict(value: Fields | None) -> dict[str, Any]:
    return value.model_dump() if isinstance(value, BaseModel) else dict(value or {})


def amount(record: Fields | None, lang: str = "en") -> str:
    """ "$180M", "€1.2bn" (French "180 M$", "1,2 Md€"): amounts as a reader scans them; the exact figure
    is in the JSON."""
    value = _as_dict(record)
    if not value or value.get("value") is None:
        return ""
    number = float(value["value"])
    sign = CURRENCY_SIGNS.get(value.get("currency") or "", (value.get("currency") or "") + " ")
    if lang == "fr":  # Babel's French compact forms ("1,2 Md", "230 M"), sign after the figure
        figure = (
            format_compact_decimal(number, format_type="short", locale="fr_FR", fraction_digits=1)
            if number >= 1e6
            else format_decimal(number, format="#,##0", locale="fr_FR")
        )
        unit = sign.strip()
        return f"{figure}\u202f{unit}" if unit != "€" or figure[-1].isdigit() else f"{figure}{unit}"
    if number >= 1e9:
        text = f"{number / 1e9:.1f}".rstrip("0").rstrip(".") + "bn"
    elif number >= 1e6:
        text = f"{number / 1e6:.1f}".rstrip("0").rstrip(".") + "M"
    else:
        text = f"{number:,.0f}"
    return f"{sign}{text}"


@pass_context
def amount_in_page(context: Context, value: Fields | None) -> str:
    """The amount filter in templates: in the page's language."""
    return amount(value, str(context.get("lang") or "en"))


def amount_input(record: Fields | None) -> str:
    """An amount as the review form's text field shows it and reads it back: "230000000 EUR"."""
    value = _as_dict(record)
    if not value or value.get("value") is None:
        return ""
    return f"{float(value['value']):.0f} {value.get('currency') or ''}".strip()


@pass_context
def decimal(context: Context, value: float | None, digits: int = 2) -> str:
    """A decimal figure in the page's language: 0.85 / 0,85."""
    if value is None:
        return ""
    lang = str(context.get("lang") or "en")
    return format_decimal(round(value, digits), format=f"0.{'0' * digits}", locale=lang)


@pass_context
def area_in_page(context: Context, value: str) -> str:
    """A therapeutic area (areas.yaml key or free tag) in the page's language."""
    return area_label(value, str(context.get("lang") or "en"))


def source_href(source: Fields | None) -> str | None:
    """The address of a source: its URL, else nothing (local paths are not links for a browser)."""
    url = _as_dict(source).get("url")
    return str(url) if url and str(url).startswith(("http://", "https://")) else None


def install(env: Environment) -> None:
    env.filters["amount"] = amount_in_page
    env.filters["amount_input"] = amount_input
    env.filters["decimal"] = decimal
    env.filters["area"] = area_in_page
    env.globals["area_keys"] = lambda: tuple(areas())
    env.filters["kind_colour"] = kind_colour
    env.filters["source_href"] = source_href
    env.globals["heat"] = heat
    env.globals["kind_groups"] = KIND_GROUPS
    env.globals["type_colours"] = TYPE_COLOURS
    env.globals["okabe_ito"] = OKABE_ITO
