"""Roles, from least to most trusted: each one may do what the ones before it may."""

from __future__ import annotations

from alliances.errors import InvalidInput
from alliances.store.viewer import Viewer

ROLES = ("viewer", "analyst", "alliance_manager", "admin")


def check_role(role: str) -> str:
    if role not in ROLES:
        raise InvalidInput(f"unknown role {role!r}: choose one of {', '.join(ROLES)}")
    return role


def at_least(role: str | None, needed: str) -> bool:
    """Whether `role` grants what `needed` grants (an unknown or missing role grants nothing)."""
    return role in ROLES and ROLES.index(role) >= ROLES.index(needed)


def highest(roles: list[str]) -> str | None:
    known = [r for r in roles if r in ROLES]
    return max(known, key=ROLES.index) if known else None


def may_act_for(viewer: Viewer, organisation_id: int | None, needed: str) -> bool:
    """Whether the viewer holds at least `needed` in that organisation (admins everywhere).

    For the records an organisation owns: an alliance manager edits only its own organisation's plans.
    """
    if viewer.is_admin:
        return True
    return organisation_id is not None and any(
        org == organisation_id and at_least(role, needed) for org, role in viewer.memberships
    )
