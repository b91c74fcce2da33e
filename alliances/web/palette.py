"""Colour-blind-safe colours (Okabe & Ito, 2008) for organisation kinds and alliance types.

Eight colours cannot tell fourteen kinds apart, so kinds are grouped by what a reader compares:
the health industry, medtech, big tech, other tech, start-ups, the public/academic side, the rest.
"""

from __future__ import annotations

OKABE_ITO = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "grey": "#999999",
    "black": "#000000",
}

KIND_GROUPS: dict[str, tuple[str, tuple[str, ...]]] = {
    "pharma": (OKABE_ITO["orange"], ("pharma",)),
    "biotech": (OKABE_ITO["reddish_purple"], ("biotech", "cro")),
    "medtech": (OKABE_ITO["bluish_green"], ("medtech", "diagnostics")),
    "big_tech": (OKABE_ITO["blue"], ("big_tech",)),
    "tech": (OKABE_ITO["sky_blue"], ("tech",)),
    "startup": (OKABE_ITO["vermillion"], ("startup",)),
    "academic": (OKABE_ITO["yellow"], ("academic", "hospital", "public_body")),
    "other": (OKABE_ITO["grey"], ("investor", "insurer", "distributor", "other")),
}

KIND_COLOURS = {kind: colour for colour, kinds in KIND_GROUPS.values() for kind in kinds}

TYPE_COLOURS = {
    "rd_collaboration": OKABE_ITO["blue"],
    "licensing_commercialisation": OKABE_ITO["orange"],
    "joint_venture": OKABE_ITO["reddish_purple"],
    "open_innovation": OKABE_ITO["yellow"],
    "equity_investment": OKABE_ITO["vermillion"],
    "acquisition": OKABE_ITO["black"],
    "supply_or_service": OKABE_ITO["sky_blue"],
    "other": OKABE_ITO["grey"],
}

# Series of the trends charts that are not alliance types (technologies, partner kinds).
SERIES = [
    OKABE_ITO[c]
    for c in (
        "blue",
        "orange",
        "bluish_green",
        "vermillion",
        "sky_blue",
        "reddish_purple",
        "yellow",
        "black",
        "grey",
    )
]


def kind_colour(kind: str | None) -> str:
    return KIND_COLOURS.get(kind or "other", OKABE_ITO["grey"])


def heat(value: int, top: int) -> tuple[str, str]:
    """Background and text colour of a matrix cell: a single-hue blue ramp, readable in grey scale."""
    if top <= 0 or value <= 0:
        return "#f7f9fb", "#5b6570"
    share = value / top
    light, dark = (239, 246, 252), (8, 64, 129)
    rgb = tuple(round(a + (b - a) * share**0.7) for a, b in zip(light, dark, strict=True))
    text = "#ffffff" if share > 0.45 else "#10243a"
    return "#{:02x}{:02x}{:02x}".format(*rgb), text
