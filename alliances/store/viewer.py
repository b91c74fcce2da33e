"""Who is reading: every read goes through `visible()` so private records stay with their owners."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVarTuple

from sqlalchemy import Select, or_

Ts = TypeVarTuple("Ts")


@dataclass(frozen=True)
class Viewer:
    """A reader: the organisations whose private records they may see, and whether they see all."""

    organisation_ids: frozenset[int] = field(default_factory=frozenset)
    is_admin: bool = False
    # Who, for permissions and the audit log; left out of equality so caches are shared per organisation set.
    user_id: int | None = field(default=None, compare=False)
    role: str | None = field(default=None, compare=False)
    email: str | None = field(default=None, compare=False)

    @property
    def who(self) -> str:
        """How the audit log names this reader."""
        if self.email:
            return self.email
        return "admin (cli)" if self.is_admin else "anonymous"


def visible(stmt: Select[*Ts], model: Any, viewer: Viewer | None) -> Select[*Ts]:
    """Restrict a select on a model with `visibility`/`owner_id` to what the viewer may read."""
    if viewer is not None and viewer.is_admin:
        return stmt
    allowed = viewer.organisation_ids if viewer else frozenset()
    condition = model.visibility == "public"
    if allowed:
        condition = or_(condition, model.owner_id.in_(allowed))
    return stmt.where(condition)
