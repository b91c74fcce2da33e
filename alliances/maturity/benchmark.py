"""Anonymous peer benchmarks: percentiles of dimension scores for groups of at least `min_group`.

A requested group (sector + size + country) too small to show is widened by dropping country, then
size, then sector, down to everyone; groups under the threshold never leave this module.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from pydantic import BaseModel

from alliances.maturity.model import Model, load_model
from alliances.maturity.schemas import PanelAnswers
from alliances.maturity.scoring import score

PERCENTILES = (25, 50, 75, 90)
WIDENING = ("country", "size", "sector")  # dropped in this order
OVERALL = "overall"


class Group(BaseModel):
    group: dict[str, str]  # {} is everyone
    key: str  # "all" or "sector=medtech,size=medium"
    n: int
    percentiles: dict[str, dict[str, float]]  # dimension (and "overall") -> {"p25": …, "p90": …}
    position: dict[str, float] | None = None  # share of the group at or below the reader's score


class Benchmark(BaseModel):
    requested: dict[str, str]
    shown: dict[str, str] | None  # the (possibly widened) peer group, None if even "all" is too small
    widened: bool
    min_group: int
    synthetic: int  # respondents of synthetic origin in the panel
    groups: list[Group]


Row = tuple[dict[str, str], dict[str, float]]  # profile, scores per dimension (+ overall)


def scored_panel(panel: Iterable[PanelAnswers], model: Model | None = None) -> list[Row]:
    """Score each anonymous panel answer set once."""
    model = model or load_model()
    rows: list[Row] = []
    for item in panel:
        s = score(item.answers, model)
        values = {d.key: d.score for d in s.dimensions if d.score is not None}
        if s.overall_score is not None:
            values[OVERALL] = s.overall_score
        profile = {"sector": item.sector or "", "size": item.size or "", "country": item.country or ""}
        rows.append((profile, values))
    return rows


def group_key(group: dict[str, str]) -> str:
    return ",".join(f"{k}={group[k]}" for k in ("sector", "size", "country") if k in group) or "all"


def members(rows: list[Row], group: dict[str, str]) -> list[dict[str, float]]:
    return [values for profile, values in rows if all(profile[k] == v for k, v in group.items())]


def percentiles(values: list[float]) -> dict[str, float]:
    cuts = np.percentile(np.asarray(values, dtype=float), PERCENTILES)
    return {f"p{p}": round(float(c), 4) for p, c in zip(PERCENTILES, cuts, strict=True)}


def describe(rows: list[Row], group: dict[str, str], own: dict[str, float] | None = None) -> Group:
    chosen = members(rows, group)
    dims = sorted({k for values in chosen for k in values}, key=lambda k: (k == OVERALL, k))
    pcts = {d: percentiles([v[d] for v in chosen if d in v]) for d in dims}
    position = None
    if own:
        position = {
            d: round(sum(1 for v in chosen if d in v and v[d] <= own[d]) / len(chosen), 4)
            for d in dims
            if d in own
        }
    return Group(group=group, key=group_key(group), n=len(chosen), percentiles=pcts, position=position)


def widen(rows: list[Row], requested: dict[str, str], min_group: int) -> dict[str, str] | None:
    """The first group of the widening chain with enough respondents (None if not even everyone)."""
    group = dict(requested)
    while True:
        if len(members(rows, group)) >= min_group:
            return group
        drop = next((k for k in WIDENING if k in group), None)
        if drop is None:
            return None
        del group[drop]


def benchmark(
    panel: list[PanelAnswers],
    *,
    sector: str | None = None,
    size: str | None = None,
    country: str | None = None,
    own: dict[str, float] | None = None,
    model: Model | None = None,
) -> Benchmark:
    """The peer group for a profile (widened if needed) and everyone; with no filter, every sector too."""
    synthetic = sum(1 for item in panel if item.origin == "synthetic")
    return benchmark_rows(
        scored_panel(panel, model), synthetic, sector=sector, size=size, country=country, own=own, model=model
    )


def benchmark_rows(
    rows: list[Row],
    synthetic: int,
    *,
    sector: str | None = None,
    size: str | None = None,
    country: str | None = None,
    own: dict[str, float] | None = None,
    model: Model | None = None,
) -> Benchmark:
    """`benchmark` over a panel already scored (callers cache `scored_panel`)."""
    model = model or load_model()
    requested = {k: v for k, v in (("sector", sector), ("size", size), ("country", country)) if v}
    shown = widen(rows, requested, model.min_group)
    wanted: list[dict[str, str]] = []
    if shown is not None:
        wanted.append(shown)
    if shown != {}:
        wanted.append({})
    if not requested:
        wanted.extend({"sector": s} for s in model.sectors)
    groups = [describe(rows, g, own) for g in wanted]
    return Benchmark(
        requested=requested,
        shown=shown,
        widened=shown != requested,
        min_group=model.min_group,
        synthetic=synthetic,
        groups=[g for g in groups if g.n >= model.min_group],  # the threshold, enforced at the exit
    )
