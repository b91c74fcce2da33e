"""Accounts as the admin and the login form use them: create, authenticate, issue and revoke secrets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy.orm import Session

from alliances.auth.passwords import hash_password, verify_password
from alliances.auth.roles import check_role, highest
from alliances.auth.tokens import digest, new_secret
from alliances.errors import Conflict, InvalidInput, NotFound
from alliances.store.accounts import (
    ApiToken,
    Membership,
    User,
    memberships_of,
    token_by_digest,
    user_by_email,
    utcnow,
)
from alliances.store.models import Organisation
from alliances.store.organisations import find_organisation
from alliances.store.viewer import Viewer, token_grants

SESSION_HOURS = 12
TOKEN_DAYS = 90


def clean_email(email: str) -> str:
    text = (email or "").strip().lower()
    if "@" not in text or len(text) > 254 or any(c.isspace() for c in text):
        raise InvalidInput(f"not an email address: {email!r}")
    return text


def add_user(session: Session, email: str, password: str, *, organisation: str, role: str) -> User:
    """A new account, member of one organisation (by id or name) with a role."""
    email = clean_email(email)
    check_role(role)
    if user_by_email(session, email) is not None:
        raise Conflict(f"user {email} already exists")
    org = _organisation(session, organisation)
    user = User(email=email, password_hash=hash_password(password), active=True)
    session.add(user)
    session.flush()
    session.add(Membership(user_id=user.id, organisation_id=org.id, role=role))
    session.flush()
    return user


def _organisation(session: Session, ref: str) -> Organisation:
    try:
        return find_organisation(session, ref)
    except NotFound as exc:
        raise InvalidInput(f"no organisation {ref!r}: add it first or give its id") from exc


def require_user(session: Session, email: str) -> User:
    user = user_by_email(session, email)
    if user is None:
        raise NotFound(f"no user {email}")
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with this email and password, else None (same cost either way)."""
    user = user_by_email(session, email or "")
    ok = verify_password(user.password_hash if user else None, password or "")
    return user if ok and user is not None and user.active else None


def viewer_of(session: Session, user: User) -> Viewer:
    """What a user may read and do: their organisations' private records, their highest role."""
    rows = memberships_of(session, user.id)
    role = highest([r for _, r in rows])
    return Viewer(
        organisation_ids=frozenset(org for org, _ in rows),
        is_admin=role == "admin",
        user_id=user.id,
        role=role,
        email=user.email,
        memberships=frozenset(rows),
    )


@dataclass(frozen=True)
class Issued:
    """A secret as issued: the clear value (shown once) and its row id."""

    secret: str
    token_id: int
    expires: datetime


def issue(
    session: Session, user: User, *, kind: str = "api", days: float | None = None, label: str = ""
) -> Issued:
    """A new bearer token (kind "api") or web session (kind "session") for a user."""
    lifetime = timedelta(days=days) if days is not None else None
    if lifetime is None:
        lifetime = timedelta(hours=SESSION_HOURS) if kind == "session" else timedelta(days=TOKEN_DAYS)
    if lifetime <= timedelta(0):
        raise InvalidInput("a token must live for a positive number of days")
    secret = new_secret()
    row = ApiToken(
        user_id=user.id, kind=kind, digest=digest(secret), label=label or None, expires=utcnow() + lifetime
    )
    session.add(row)
    session.flush()
    return Issued(secret, row.id, row.expires)


@dataclass(frozen=True)
class Grant:
    """A live token or web session, as read on each request (its row id, kind and expiry)."""

    id: int
    kind: str
    expires: datetime


class Resolved(NamedTuple):
    """A live secret as a request presents it: the token and who it makes the reader."""

    token: Grant
    viewer: Viewer


def resolve(session: Session, secret: str, kind: str) -> Resolved | None:
    """The viewer of a live secret of that kind (token or web session); None when refused.

    Asked on every request (issue 13, load): one indexed query, no ORM objects, and the viewer built
    from its rows is shared by every request presenting the same grants.
    """
    if not secret or len(secret) > 200:
        return None
    return from_grants(token_grants(session, digest(secret)), kind)


def from_grants(rows: list[tuple[Any, ...]], kind: str) -> Resolved | None:
    """The viewer of a secret's grant rows (`store.viewer.token_grants`); None when refused."""
    if not rows:
        return None
    token_id, token_kind, revoked, expires, user_id, active, email = rows[0][:7]
    if token_kind != kind or revoked or expires <= utcnow() or not active:
        return None
    memberships = frozenset((org, role) for *_, org, role in rows if org is not None)
    return Resolved(Grant(token_id, kind, expires), _viewer(user_id, email, memberships))


@lru_cache(maxsize=1024)
def _viewer(user_id: int, email: str, memberships: frozenset[tuple[int, str]]) -> Viewer:
    """A viewer from its grants: a pure function of them, so cached (nothing stale can be served)."""
    role = highest([r for _, r in memberships])
    return Viewer(
        organisation_ids=frozenset(org for org, _ in memberships),
        is_admin=role == "admin",
        user_id=user_id,
        role=role,
        email=email,
        memberships=memberships,
    )


def revoke(session: Session, token_id: int) -> ApiToken:
    row = session.get(ApiToken, token_id)
    if row is None:
        raise NotFound(f"no token #{token_id}")
    row.revoked = True
    session.flush()
    return row


def revoke_secret(session: Session, secret: str) -> None:
    """Log out: the session's secret stops working at once."""
    row = token_by_digest(session, digest(secret))
    if row is not None:
        row.revoked = True
        session.flush()
