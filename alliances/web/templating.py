"""Jinja filters and globals: amounts, colours, links, chart specs embedded as JSON."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment

from alliances.web.palette import KIND_GROUPS, OKABE_ITO, TYPE_COLOURS, heat, kind_colour

CURRENCY_SIGNS = {"EUR": "€", "USD": "$", "GBP": "£", "CHF": "CHF ", "JPY": "¥"}


def amount(value: dict[str, Any] | None) -> str:
    """ "$180M", "€1.2bn": amounts as a reader scans them; the exact figure is in the JSON."""
    if not value or value.get("value") is None:
        return ""
    number = float(value["value"])
    sign = CURRENCY_SIGNS.get(value.get("currency") or "", (value.get("currency") or "") + " ")
    if number >= 1e9:
        text = f"{number / 1e9:.1f}".rstrip("0").rstrip(".") + "bn"
    elif number >= 1e6:
        text = f"{number / 1e6:.1f}".rstrip("0").rstrip(".") + "M"
    else:
        text = f"{number:,.0f}"
    return f"{sign}{text}"


def source_href(source: dict[str, Any] | None) -> str | None:
    """The address of a source: its URL, else nothing (local paths are not links for a browser)."""
    if not source:
        return None
    url = source.get("url")
    return str(url) if url and str(url).startswith(("http://", "https://")) else None


def install(env: Environment) -> None:
    env.filters["amount"] = amount
    env.filters["kind_colour"] = kind_colour
    env.filters["source_href"] = source_href
    env.globals["heat"] = heat
    env.globals["kind_groups"] = KIND_GROUPS
    env.globals["type_colours"] = TYPE_COLOURS
    env.globals["okabe_ito"] = OKABE_ITO
