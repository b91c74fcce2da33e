"""Accounts: users, their memberships of organisations with a role, API tokens and web sessions.

Secrets are never stored: passwords as argon2 hashes, tokens as SHA-256 digests of a random value
that is shown once. Sessions are tokens of kind "session", so logging out is a revocation.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from alliances.store.models import Base, Organisation


def utcnow() -> datetime:
    """Naive UTC: both engines store DateTime without a zone here."""
    return datetime.now(UTC).replace(tzinfo=None)


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())

    memberships: Mapped[list[Membership]] = relationship(cascade="all, delete-orphan")


class Membership(Base):
    """A user belongs to an organisation with one role there."""

    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("user_id", "organisation_id", name="uq_membership"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(20))

    organisation: Mapped[Organisation] = relationship()


class ApiToken(Base):
    """A bearer token or a web session: only the digest is kept; revoked or expired ones are refused."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10), default="api")
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str | None] = mapped_column(String(100))
    created: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
    expires: Mapped[datetime] = mapped_column(DateTime)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)

    user: Mapped[User] = relationship()


class AuditEntry(Base):
    """One line of the tamper-evident log: each entry's hash covers its fields and the previous hash."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    at: Mapped[str] = mapped_column(String(32))
    who: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(60), index=True)
    record: Mapped[str | None] = mapped_column(String(200), index=True)
    origin: Mapped[str | None] = mapped_column(String(200))
    detail: Mapped[str | None] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


def user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email.strip().lower()))


def token_by_digest(session: Session, digest: str) -> ApiToken | None:
    return session.scalar(select(ApiToken).where(ApiToken.digest == digest))


def memberships_of(session: Session, user_id: int) -> list[tuple[int, str]]:
    """(organisation id, role) of each membership of a user."""
    stmt = select(Membership.organisation_id, Membership.role).where(Membership.user_id == user_id)
    return [(org, role) for org, role in session.execute(stmt)]


def list_users(session: Session) -> list[dict[str, object]]:
    users = session.scalars(select(User).order_by(User.id))
    names = {org_id: name for org_id, name in session.execute(select(Organisation.id, Organisation.name))}
    return [
        {
            "id": u.id,
            "email": u.email,
            "active": u.active,
            "memberships": [
                f"{names.get(m.organisation_id, m.organisation_id)}:{m.role}" for m in u.memberships
            ],
        }
        for u in users
    ]


def tokens_of(session: Session, user_id: int) -> list[ApiToken]:
    stmt = select(ApiToken).where(ApiToken.user_id == user_id, ApiToken.kind == "api").order_by(ApiToken.id)
    return list(session.scalars(stmt))
