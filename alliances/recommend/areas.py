"""Therapeutic areas are free text ("breast cancer", "NSCLC"): fold them into a few families.

Capability profiles and need filters compare families, so "oncology" finds partners whose alliances
were tagged "breast cancer" or "immuno-oncology".
"""

from __future__ import annotations

from functools import cache

from alliances.taxonomy.areas import area_label, canonical_area

# Order matters: the first family whose keyword occurs in the area wins ("lung cancer" is oncology).
FAMILY_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "oncology",
        (
            "cancer",
            "oncolog",
            "tumo",
            "carcinoma",
            "leukemia",
            "leukaemia",
            "lymphoma",
            "myeloma",
            "melanoma",
            "glioblastoma",
            "sarcoma",
            "nsclc",
        ),
    ),
    (
        "infectious diseases",
        (
            "infect",
            "covid",
            "viral",
            "virus",
            "hiv",
            "sepsis",
            "vaccin",
            "antimicrob",
            "antibiotic",
            "tubercul",
            "malaria",
            "hepatitis",
        ),
    ),
    ("metabolic diseases", ("diabet", "obesity", "metabolic", "steatohepatitis", "nash", "insulin")),
    ("cardiovascular", ("cardi", "heart", "vascular", "hypertension", "stroke", "atrial")),
    (
        "mental health",
        (
            "schizophren",
            "bipolar",
            "depress",
            "mental",
            "psychiatr",
            "anxiety",
            "addiction",
            "insomnia",
            "adhd",
        ),
    ),
    (
        "neurology",
        (
            "neuro",
            "alzheimer",
            "parkinson",
            "dementia",
            "sclerosis",
            "epilep",
            "migraine",
            "central nervous",
            "pain",
        ),
    ),
    (
        "immunology",
        (
            "immun",
            "arthritis",
            "rheumat",
            "lupus",
            "psoria",
            "dermatitis",
            "inflamm",
            "crohn",
            "colitis",
            "dermatolog",
            "atopic",
        ),
    ),
    ("respiratory", ("respir", "pulmonary", "asthma", "copd", "lung", "fibrosis")),
    ("kidney", ("kidney", "renal", "nephro")),
    ("ophthalmology", ("ophthalm", "eye", "retina", "macular", "vision")),
    ("rare diseases", ("rare", "orphan", "genetic")),
    ("imaging", ("radiolog", "imaging")),
)

FAMILIES: tuple[str, ...] = tuple(name for name, _ in FAMILY_KEYWORDS) + ("other areas",)


@cache
def area_family(area: str) -> str:
    """The family of one free-text therapeutic area; "other areas" when no keyword matches."""
    text = f"{area.lower()} {area_label(canonical_area(area)).lower()}"  # areas.yaml key and label too
    for name, keywords in FAMILY_KEYWORDS:
        if name == text or any(word in text for word in keywords):
            return name
    return "other areas"


def area_matches(query: str, area: str) -> bool:
    """Does a free-text area satisfy a user's area filter (family or substring, case-insensitive)?"""
    q = query.strip().lower()
    return q in area.lower() or area_family(q) == area_family(area) != "other areas"
