"""Alliance Observatory: alliances between health-industry and technology organisations."""

__version__ = "0.1.0"
