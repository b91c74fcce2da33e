"""A synthetic stream of press releases, French and English, for ingestion benchmarks and tests.

Each document names real bundled organisations (so the gazetteer resolves them) in sentences written for
this generator, a few of which state an alliance; the rest is the filler a real release carries. Every
document is distinct (it carries its number), so content hashes differ and exactly-once can be checked.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

HEALTH = {"pharma", "biotech", "medtech", "diagnostics", "hospital"}
TECH = {"tech", "big_tech", "startup"}
EN_TECH = ["artificial intelligence", "cloud computing", "real-world data", "digital twins", "robotics"]
FR_TECH = ["l'intelligence artificielle", "le cloud", "les données de vie réelle", "la robotique"]
EN_STAGE = ["drug discovery", "clinical trials", "manufacturing", "patient follow-up"]
FR_STAGE = ["la recherche", "les essais cliniques", "la production", "le suivi des patients"]
CITIES = ["Paris", "Lyon", "Boston", "Basel", "London", "Toulouse", "Munich"]
MONTHS_FR = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "septembre", "octobre"]
MONTHS_EN = ["January", "February", "March", "April", "May", "June", "July", "September", "October"]

EN_ALLIANCE = [
    "{a} and {b} today announced a research collaboration to apply {tech} to {stage}.",
    "{a} has signed a licensing agreement with {b} covering its {tech} software for {stage}.",
    "{b} partners with {a} to bring {tech} to {stage} across Europe.",
]
FR_ALLIANCE = [
    "{a} s'associe à {b} pour développer {tech} dans {stage}.",
    "{a} et {b} ont signé un accord de collaboration portant sur {tech} appliquée à {stage}.",
    "{b} annonce un partenariat avec {a} afin d'utiliser {tech} pour {stage}.",
]
EN_FILLER = [
    "The programme will run for {n} years and involve teams on both sides.",
    "Financial terms were not disclosed.",
    "{a} employs about {k},000 people and sells its products in {n}0 countries.",
    "Analysts expect the first results to be presented at a conference next year.",
    "The teams will share anonymised data under strict governance rules.",
]
FR_FILLER = [
    "Le programme doit durer {n} ans et mobilisera des équipes des deux côtés.",
    "Le montant de l'opération n'a pas été communiqué.",
    "{a} emploie environ {k} 000 personnes dans {n}0 pays.",
    "Les premiers résultats sont attendus l'an prochain.",
    "Les données partagées seront anonymisées et hébergées en Europe.",
]


@dataclass(frozen=True)
class SynthDocument:
    name: str
    text: str


def _organisations() -> tuple[list[str], list[str]]:
    raw = yaml.safe_load(
        resources.files("alliances").joinpath("data", "organisations.yaml").read_text("utf-8")
    )
    health = [o["name"] for o in raw if o.get("kind") in HEALTH and not o.get("parent")]
    tech = [o["name"] for o in raw if o.get("kind") in TECH and not o.get("parent")]
    return health, tech


def document_stream(count: int, seed: int = 0, french_share: float = 0.5) -> Iterator[SynthDocument]:
    """`count` press releases, reproducible from `seed`; about `french_share` of them in French."""
    rng = random.Random(seed)
    health, tech = _organisations()
    for i in range(count):
        fr = rng.random() < french_share
        a, b = rng.choice(health), rng.choice(tech)
        year, month = rng.randint(2015, 2026), rng.randrange(9)
        values = {
            "a": a,
            "b": b,
            "tech": rng.choice(FR_TECH if fr else EN_TECH),
            "stage": rng.choice(FR_STAGE if fr else EN_STAGE),
            "n": rng.randint(2, 5),
            "k": rng.randint(2, 90),
        }
        city = rng.choice(CITIES)
        if fr:
            head = f"Communiqué n° {i + 1} — {city}, le {rng.randint(1, 28)} {MONTHS_FR[month]} {year}"
        else:
            head = f"Press release no. {i + 1} — {city}, {MONTHS_EN[month]} {rng.randint(1, 28)}, {year}"
        body = [rng.choice(FR_ALLIANCE if fr else EN_ALLIANCE).format(**values)]
        body += [s.format(**values) for s in rng.sample(FR_FILLER if fr else EN_FILLER, 3)]
        yield SynthDocument(f"doc-{i + 1:07d}.txt", head + "\n\n" + "\n\n".join(body) + "\n")


def write_documents(folder: Path, count: int, seed: int = 0) -> int:
    """Write the stream as .txt files into `folder` (created); returns how many were written."""
    folder.mkdir(parents=True, exist_ok=True)
    n = 0
    for doc in document_stream(count, seed):
        (folder / doc.name).write_text(doc.text, encoding="utf-8")
        n += 1
    return n
