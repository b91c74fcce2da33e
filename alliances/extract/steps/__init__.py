"""The registered pipeline steps; importing this package registers them all."""

from alliances.extract.steps import alliances, basic, context, learned, organisations  # noqa: F401
