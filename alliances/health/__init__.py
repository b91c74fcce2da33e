"""Alliance health: plans, milestones, spend, health checks, the score and the escalation alert.

Pure domain code (no SQL, no HTTP): `replay(history)` turns a dated plan history into reviews.
"""

from alliances.health.model import History
from alliances.health.replay import Review, replay

__all__ = ["History", "Review", "replay"]
