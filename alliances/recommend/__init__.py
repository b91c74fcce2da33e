"""Partner recommendation: ranked, explained candidates, and a temporal evaluation of the methods."""

from alliances.recommend.api import (
    Recommendation,
    Recommender,
    find_partners,
    recommend,
    resolve_organisation,
)
from alliances.recommend.evaluate import evaluate
from alliances.recommend.need import Need

__all__ = [
    "Need",
    "Recommendation",
    "Recommender",
    "evaluate",
    "find_partners",
    "recommend",
    "resolve_organisation",
]
