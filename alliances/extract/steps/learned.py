"""Registration of the learned steps (alliances.extract.learn): English organisations, pair scoring."""

from __future__ import annotations

from alliances.extract.learn import pairs  # noqa: F401  (registers score_pairs)
from alliances.extract.learn.ner import RecogniseEnglish
from alliances.extract.pipeline import Context, Step, register


@register("recognise_english")
def make_recognise_english(context: Context) -> Step:
    return RecogniseEnglish(int(context.config.get("spacy", {}).get("batch_size", 64)))
