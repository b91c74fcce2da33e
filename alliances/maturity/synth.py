"""A synthetic panel of maturity assessments, for benchmarks, tests and demonstrations.

How it is drawn (seeded, so the same arguments give the same panel):
- each respondent gets a sector (pharma 30%, biotech 25%, medtech 25%, diagnostics 10%, CRO 10%),
  a size band (small 40%, medium 35%, large 25%) and a country (FR 35%, DE 15%, US 15%, GB 12%,
  CH 8%, IT 8%, ES 7%);
- a latent maturity on the 0-5 scale: 1.2 for small, 2.0 for medium, 2.8 for large companies, plus a
  sector offset (pharma +0.3, CRO +0.2, biotech 0, medtech -0.1, diagnostics -0.2) and noise N(0, 0.6);
- each technology × link cell is the latent value plus a technology offset (cloud +0.8 … augmented
  reality -1.0) and noise N(0, 0.8), rounded and clipped to 0-5; organisation adoption scales the
  same without technology offset;
- yes/partial/no and done/planned/none items are "yes"/"done" with probability
  sigmoid(1.6 × (latent - 2)), else "partial"/"planned" with half the rest, else "no"/"none";
- a share `repeat` (default 40%) of respondents is assessed again a year later with its latent
  maturity raised by U(0.1, 0.8): the trajectory.
Every organisation and assessment it writes is marked origin="synthetic".
"""

from __future__ import annotations

import math
import random

from alliances.maturity.model import Model, load_model
from alliances.maturity.schemas import AssessmentIn

SECTORS = {"pharma": 0.30, "biotech": 0.25, "medtech": 0.25, "diagnostics": 0.10, "cro": 0.10}
SECTOR_OFFSET = {"pharma": 0.3, "cro": 0.2, "biotech": 0.0, "medtech": -0.1, "diagnostics": -0.2}
SIZES = {"small": 0.40, "medium": 0.35, "large": 0.25}
SIZE_BASE = {"small": 1.2, "medium": 2.0, "large": 2.8}
COUNTRIES = {"FR": 0.35, "DE": 0.15, "US": 0.15, "GB": 0.12, "CH": 0.08, "IT": 0.08, "ES": 0.07}
TECH_OFFSET = {
    "cloud": 0.8,
    "cybersecurity_blockchain": 0.5,
    "big_data": 0.3,
    "ai": 0.0,
    "iot": -0.2,
    "simulation": -0.3,
    "robotics": -0.6,
    "augmented_reality": -1.0,
}


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _answers(rng: random.Random, latent: float, model: Model) -> dict[str, str]:
    answers: dict[str, str] = {}
    p_full = 1 / (1 + math.exp(-1.6 * (latent - 2)))
    for q in model.questions:
        if q.type == "adoption":
            offset = TECH_OFFSET.get(q.technology or "", 0.0)
            value = round(latent + offset + rng.gauss(0, 0.8))
            answers[q.key] = str(min(5, max(0, value)))
        else:
            full, middle, none = list(model.scales[q.type])
            draw = rng.random()
            answers[q.key] = full if draw < p_full else middle if draw < p_full + (1 - p_full) / 2 else none
    return answers


def synth_panel(
    respondents: int, *, seed: int = 15, year: int = 2026, repeat: float = 0.4
) -> list[AssessmentIn]:
    """`respondents` organisations with one assessment each in `year - 1`, some assessed again in `year`."""
    model = load_model()
    rng = random.Random(seed)
    panel = []
    for i in range(1, respondents + 1):
        sector, size, country = _pick(rng, SECTORS), _pick(rng, SIZES), _pick(rng, COUNTRIES)
        latent = SIZE_BASE[size] + SECTOR_OFFSET[sector] + rng.gauss(0, 0.6)
        name = f"Synthetic {sector} {i:04d} (syn-maturity)"
        base = {"organisation": name, "sector": sector, "size": size, "country": country}
        first = _answers(rng, latent, model)
        panel.append(AssessmentIn(**base, label="T0", assessed=f"{year - 1}-03-15", answers=first))
        if rng.random() < repeat:
            later = _answers(rng, latent + rng.uniform(0.1, 0.8), model)
            panel.append(AssessmentIn(**base, label="T1", assessed=f"{year}-03-15", answers=later))
    return panel
