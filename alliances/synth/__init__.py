"""Synthetic alliance networks for scale tests and benchmarks, always marked origin="synthetic"."""

from alliances.synth.generator import SynthNetwork, generate
from alliances.synth.writer import Written, synthetic_name, write

__all__ = ["SynthNetwork", "Written", "generate", "synthetic_name", "write"]
