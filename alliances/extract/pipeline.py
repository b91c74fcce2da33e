"""A spaCy-style pipeline: small named steps (`Doc -> Doc`) in a registry, their order in
`alliances/data/extract/pipeline.yaml`. A step may also offer `pipe(docs)` to work on a batch
(the NER step batches sentences of many documents through spaCy).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Protocol

from alliances.errors import InvalidInput
from alliances.extract.document import Doc
from alliances.extract.gazetteer import Gazetteer, default_gazetteer
from alliances.extract.resources import PipelineConfig, pipeline_config


class Step(Protocol):
    def __call__(self, doc: Doc) -> Doc: ...


@dataclass
class Context:
    """What step factories may use: the gazetteer and the pipeline configuration."""

    gazetteer: Gazetteer
    config: PipelineConfig = field(default_factory=lambda: PipelineConfig(steps=[]))


StepFactory = Callable[[Context], Step]
REGISTRY: dict[str, StepFactory] = {}


def register(name: str) -> Callable[[StepFactory], StepFactory]:
    """Register a step factory under `name` (the name used in pipeline.yaml)."""

    def deco(factory: StepFactory) -> StepFactory:
        REGISTRY[name] = factory
        return factory

    return deco


class Pipeline:
    """The configured steps; `pipe` streams documents through them in batches."""

    def __init__(self, steps: Sequence[tuple[str, Step]], batch_size: int = 64) -> None:
        self.steps = list(steps)
        self.batch_size = batch_size

    @classmethod
    def from_config(cls, gazetteer: Gazetteer | None = None, names: Sequence[str] | None = None) -> Pipeline:
        import alliances.extract.steps  # noqa: F401  (registers the steps)

        config = pipeline_config()
        context = Context(gazetteer or default_gazetteer(), config)
        chosen = list(names) if names is not None else list(config["steps"])
        unknown = [n for n in chosen if n not in REGISTRY]
        if unknown:
            raise InvalidInput(
                f"unknown pipeline step(s): {', '.join(unknown)} (known: {', '.join(REGISTRY)})"
            )
        return cls(
            [(n, REGISTRY[n](context)) for n in chosen], int(config.get("spacy", {}).get("batch_size", 64))
        )

    def __call__(self, doc: Doc) -> Doc:
        for _, step in self.steps:
            doc = step(doc)
        return doc

    def pipe(self, docs: Iterable[Doc]) -> Iterator[Doc]:
        """Run every step over batches of documents, in order, keeping memory bounded."""
        it = iter(docs)
        while batch := list(islice(it, self.batch_size)):
            for _, step in self.steps:
                batch_pipe = getattr(step, "pipe", None)
                batch = list(batch_pipe(batch)) if batch_pipe else [step(d) for d in batch]
            yield from batch
