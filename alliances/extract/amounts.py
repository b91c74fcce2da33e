"""Money amounts in French and English press style: "500 millions de dollars", "50 Mds$", "5 M€",
"$1.2bn", "up to $5.2 billion", "€30m", "1,2 milliard d'euros".

Generic price parsers drop the magnitude word (NOTES.md), so the multipliers are ours.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from alliances.extract.records import AmountRecord

_MULT = {
    "k": 1e3,
    "mille": 1e3,
    "thousand": 1e3,
    "m": 1e6,
    "mn": 1e6,
    "mio": 1e6,
    "million": 1e6,
    "millions": 1e6,
    "mln": 1e6,
    "md": 1e9,
    "mds": 1e9,
    "mrd": 1e9,
    "mrds": 1e9,
    "milliard": 1e9,
    "milliards": 1e9,
    "bn": 1e9,
    "b": 1e9,
    "billion": 1e9,
    "billions": 1e9,
}
_CUR = {
    "$": "USD",
    "us$": "USD",
    "usd": "USD",
    "dollar": "USD",
    "dollars": "USD",
    "€": "EUR",
    "eur": "EUR",
    "euro": "EUR",
    "euros": "EUR",
    "£": "GBP",
    "gbp": "GBP",
    "livre": "GBP",
    "livres": "GBP",
    "pounds": "GBP",
    "chf": "CHF",
    "francs suisses": "CHF",
    "swiss francs": "CHF",
    "¥": "JPY",
    "jpy": "JPY",
    "yen": "JPY",
    "yens": "JPY",
    "cad": "CAD",
    "c$": "CAD",
}
_NUM = r"(?P<num>\d{1,3}(?:[ \u00a0\u202f ]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?)"
_MULTW = r"(?P<mult>milliards?|millions?|billions?|thousand|mille|mds|mrds?|md|mln|mio|mn|bn|m|b|k)"
_CURW = r"(?P<cur>us\$|c\$|\$|€|£|¥|usd|eur|gbp|chf|jpy|cad|dollars?|euros?|livres?(?: sterling)?|pounds?|francs suisses|swiss francs|yens?)"  # noqa: E501
_PATTERNS = [
    # $1.2bn, € 30 million, USD 10 million, up to $5.2 billion
    re.compile(
        rf"(?<![\w$€£])(?P<cur>us\$|c\$|\$|€|£|¥|usd|eur|gbp|chf|jpy|cad)\s?{_NUM}(?:\s?(?P<mult>milliards?|millions?|billions?|thousand|mds|md|mln|mn|bn|m|b|k)\b)?",
        re.IGNORECASE,
    ),
    # 500 millions de dollars, 50 Mds$, 5 M€, 1,2 milliard d'euros, 200 000 euros, 10 million USD
    re.compile(
        rf"(?<![\w.,]){_NUM}\s?(?:{_MULTW}\.?\s?(?:de |d['’]\s?|of )?)?{_CURW}(?![\w])", re.IGNORECASE
    ),
]


@dataclass(frozen=True)
class Amount:
    value: float
    currency: str
    start: int
    end: int

    def as_dict(self) -> AmountRecord:
        return {"value": self.value, "currency": self.currency}


def _number(raw: str) -> float:
    raw = re.sub(r"[ \u00a0\u202f ]", "", raw)
    if "," in raw and "." in raw:
        raw = raw.replace(",", "")
    elif "," in raw:
        head, _, tail = raw.rpartition(",")
        raw = head + "." + tail if len(tail) != 3 else head + tail
    return float(raw)


def find_amounts(text: str) -> list[Amount]:
    """Every amount in `text`, in order of appearance, with its currency code."""
    found: list[Amount] = []
    taken: list[tuple[int, int]] = []
    for pattern in _PATTERNS:
        for m in pattern.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            cur = _CUR.get(re.sub(r"\s+sterling$", "", m.group("cur").lower()))
            if cur is None:
                continue
            mult_raw = (m.group("mult") or "").lower()
            try:
                value = _number(m.group("num")) * _MULT.get(mult_raw, 1.0)
            except ValueError:
                continue
            found.append(Amount(round(value, 2), cur, m.start(), m.end()))
            taken.append((m.start(), m.end()))
    return sorted(found, key=lambda a: a.start)


def parse_amount(text: str) -> AmountRecord | None:
    """The first amount in `text` as {"value", "currency"}, or None."""
    amounts = find_amounts(text)
    return amounts[0].as_dict() if amounts else None
