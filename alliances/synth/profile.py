"""The shape of the synthetic networks, measured on the bundled real alliances (294, 2010-2026).

Kinds, types, technologies and stages are drawn in the proportions seen in the real data; the number
of alliances per year follows its growth curve. Parties play two roles, as in the real, nearly
bipartite network: a health-side "seeker" (pharma, hospital...) and a technology-side "provider"
(start-up, big tech...).
"""

from __future__ import annotations

# Share of organisations of each kind, by role (real counts of distinct organisations, smoothed).
SEEKER_KINDS = {
    "pharma": 0.40,
    "hospital": 0.17,
    "medtech": 0.12,
    "biotech": 0.10,
    "academic": 0.08,
    "public_body": 0.05,
    "diagnostics": 0.04,
    "insurer": 0.03,
    "cro": 0.01,
}
PROVIDER_KINDS = {"startup": 0.72, "tech": 0.14, "big_tech": 0.02, "investor": 0.05, "other": 0.07}
SEEKER_SHARE = 0.38

TYPES = {
    "rd_collaboration": 0.54,
    "supply_or_service": 0.14,
    "acquisition": 0.11,
    "open_innovation": 0.07,
    "licensing_commercialisation": 0.05,
    "equity_investment": 0.05,
    "joint_venture": 0.03,
    "other": 0.01,
}
TECHNOLOGIES = {
    "ai": 0.38,
    "big_data": 0.20,
    "other_digital": 0.14,
    "cloud": 0.14,
    "iot": 0.07,
    "simulation": 0.045,
    "robotics": 0.02,
    "cybersecurity_blockchain": 0.015,
    "augmented_reality": 0.01,
}
STAGES = {"research": 0.34, "usage": 0.30, "development": 0.26, "distribution": 0.07, "production": 0.03}
AREAS = {
    "oncology": 0.30,
    "metabolic diseases": 0.12,
    "cardiovascular": 0.10,
    "neurology": 0.09,
    "infectious diseases": 0.09,
    "immunology": 0.08,
    "mental health": 0.06,
    "respiratory": 0.05,
    "rare diseases": 0.04,
    "ophthalmology": 0.04,
    "kidney": 0.03,
}
COUNTRIES = {
    "US": 0.40,
    "FR": 0.30,
    "GB": 0.07,
    "DE": 0.05,
    "CN": 0.05,
    "JP": 0.04,
    "CH": 0.03,
    "CA": 0.03,
    "IL": 0.03,
}
# Alliances per year in the real data (2010-2026), used as relative weights.
YEARS = {
    2010: 1,
    2011: 1,
    2012: 2,
    2013: 3,
    2014: 6,
    2015: 8,
    2016: 12,
    2017: 15,
    2018: 30,
    2019: 44,
    2020: 36,
    2021: 38,
    2022: 33,
    2023: 35,
    2024: 30,
    2025: 26,
    2026: 20,
}
# Value-chain stages an organisation works in, by kind (drug makers in research and development, care
# providers in usage); other kinds follow STAGES. Each organisation keeps one or two of them.
KIND_STAGES = {
    "pharma": {
        "research": 0.45,
        "development": 0.35,
        "usage": 0.10,
        "production": 0.05,
        "distribution": 0.05,
    },
    "biotech": {"research": 0.60, "development": 0.35, "usage": 0.05},
    "cro": {"research": 0.40, "development": 0.60},
    "academic": {"research": 0.80, "development": 0.10, "usage": 0.10},
    "hospital": {"usage": 0.70, "research": 0.20, "development": 0.10},
    "insurer": {"usage": 0.85, "distribution": 0.15},
    "public_body": {"usage": 0.70, "research": 0.30},
    "medtech": {"development": 0.40, "usage": 0.40, "production": 0.20},
    "diagnostics": {"development": 0.40, "usage": 0.50, "production": 0.10},
}
# Kind pairing: how readily a health-side organisation considers each kind of technology-side partner
# (relative; calibrated so that pair shares look like the real ones, where pharma–start-up is the
# commonest pair and hospitals and medtech lean on big tech).
PAIRING_DEFAULT = {"startup": 1.0, "tech": 0.6, "big_tech": 0.5, "investor": 0.15, "other": 0.3}
PAIRING = {
    "hospital": {"startup": 0.5, "big_tech": 2.5},
    "medtech": {"startup": 0.5, "tech": 1.0, "big_tech": 2.5},
    "insurer": {"startup": 0.6, "big_tech": 2.0},
    "public_body": {"startup": 0.6, "big_tech": 2.0},
    "academic": {"startup": 0.8, "big_tech": 1.5},
}
# Number of parties: 84 % two, then a thin tail up to consortia.
PARTIES = {2: 0.84, 3: 0.09, 4: 0.03, 5: 0.02, 6: 0.01, 8: 0.01}
STATUS = {"announced": 0.75, "active": 0.23, "terminated": 0.02}

NAME_HEADS = (
    "Nova",
    "Medi",
    "Cura",
    "Thera",
    "Gen",
    "Vita",
    "Onco",
    "Neuro",
    "Cardio",
    "Bio",
    "Helix",
    "Axon",
    "Lumen",
    "Quanta",
    "Data",
    "Cloud",
    "Sense",
    "Robo",
    "Syn",
    "Opti",
    "Ortho",
    "Immu",
    "Pulse",
    "Astra",
)
NAME_TAILS = (
    "ra",
    "vis",
    "gen",
    "lix",
    "mind",
    "path",
    "core",
    "logic",
    "wave",
    "nex",
    "tica",
    "sys",
    "form",
    "gram",
    "labs",
    "mira",
    "quest",
    "scope",
    "tek",
    "via",
)
KIND_WORDS = {
    "pharma": "Pharma",
    "biotech": "Bio",
    "medtech": "Medical",
    "diagnostics": "Diagnostics",
    "big_tech": "Big Tech",
    "tech": "Technologies",
    "startup": "AI",
    "cro": "Research Services",
    "academic": "Institute",
    "hospital": "Hospital",
    "public_body": "Agency",
    "investor": "Ventures",
    "insurer": "Assurance",
    "other": "Group",
}
