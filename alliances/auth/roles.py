"""Roles, from least to most trusted: each one may do what the ones before it may."""

from __future__ import annotations

from alliances.errors import InvalidInput

ROLES = ("viewer", "analyst", "alliance_manager", "admin")


def check_role(role: str) -> str:
    if role not in ROLES:
        raise InvalidInput(f"unknown role {role!r}: choose one of {', '.join(ROLES)}")
    return role


def at_least(role: str | None, needed: str) -> bool:
    """Whether `role` grants what `needed` grants (an unknown or missing role grants nothing)."""
    return role in ROLES and ROLES.index(role) >= ROLES.index(needed)  # type: ignore[arg-type]


def highest(roles: list[str]) -> str | None:
    known = [r for r in roles if r in ROLES]
    return max(known, key=ROLES.index) if known else None
