"""Organisation-name normalisation: the key under which names and aliases are compared."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from alliances.taxonomy import load_data_file

_PUNCT = re.compile(r"[^\w\s&]+")
_SPACE = re.compile(r"\s+")
_POSSESSIVE = re.compile(r"'s\b")


@cache
def legal_suffixes() -> frozenset[str]:
    return frozenset(load_data_file("legal_suffixes.yaml")["suffixes"])


def strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def normalise(name: str) -> str:
    """Lower-case, accent-free, punctuation-free, without trailing legal forms.

    Forms that tell companies apart (Merck KGaA vs Merck & Co.) are not in the suffix list, and "& Co."
    is kept: "Merck" alone names Merck KGaA in the data, "Merck & Co." the American company (MSD).
    """
    text = _POSSESSIVE.sub("s", strip_accents(name).lower().replace("’", "'"))
    text = _PUNCT.sub(" ", text)
    tokens = _SPACE.sub(" ", text).strip().split(" ")
    suffixes = legal_suffixes()
    while len(tokens) > 1 and (tokens[-1] in suffixes or tokens[-1] == "&"):
        if tokens[-1] == "co" and tokens[-2] == "&":  # "Merck & Co." is not "Merck" (Merck KGaA)
            break
        tokens.pop()
    return " ".join(tokens)
