"""The relational model: organisations, alliances, projects, sources and evidence.

Multi-valued vocabularies (technologies, stages, therapeutic areas) live in one narrow tag table
per record kind so that filters are plain indexed joins on SQLite and PostgreSQL alike.
Every record carries `origin` (seed, real, user, extracted, synthetic) so synthetic data is never
mistaken for real, and `owner_id` + `visibility` so private records can be filtered per viewer.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Organisation(Base):
    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    norm: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(32), default="other", index=True)
    country: Mapped[str | None] = mapped_column(String(2), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id", ondelete="SET NULL"))
    wikidata: Mapped[str | None] = mapped_column(String(20))
    siren: Mapped[str | None] = mapped_column(String(9))
    lei: Mapped[str | None] = mapped_column(String(20))
    website: Mapped[str | None] = mapped_column(String(300))
    origin: Mapped[str] = mapped_column(String(16), default="user")
    created: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())

    aliases: Mapped[list[Alias]] = relationship(back_populates="organisation", cascade="all, delete-orphan")
    parent: Mapped[Organisation | None] = relationship(remote_side=[id])


class Alias(Base):
    __tablename__ = "alias"
    __table_args__ = (UniqueConstraint("norm", name="uq_alias_norm"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    norm: Mapped[str] = mapped_column(String(200))

    organisation: Mapped[Organisation] = relationship(back_populates="aliases")


class Source(Base):
    __tablename__ = "source"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str | None] = mapped_column(String(500))
    publisher: Mapped[str | None] = mapped_column(String(200))
    date: Mapped[str | None] = mapped_column(String(10))
    url: Mapped[str | None] = mapped_column(String(1000), index=True)
    path: Mapped[str | None] = mapped_column(String(1000))
    language: Mapped[str | None] = mapped_column(String(5))
    content_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    key: Mapped[str | None] = mapped_column(String(100), unique=True)
    created: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())


class Alliance(Base):
    __tablename__ = "alliance"
    __table_args__ = (Index("ix_alliance_announced", "announced", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str | None] = mapped_column(String(100), unique=True)
    type: Mapped[str] = mapped_column(String(40), index=True)
    status: Mapped[str | None] = mapped_column(String(16), index=True)
    announced: Mapped[str | None] = mapped_column(String(10))
    year: Mapped[int | None] = mapped_column(Integer, index=True)
    ended: Mapped[str | None] = mapped_column(String(10))
    amount: Mapped[float | None] = mapped_column(Float)
    currency: Mapped[str | None] = mapped_column(String(3))
    amount_kind: Mapped[str | None] = mapped_column(String(16))
    vehicle_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id", ondelete="SET NULL"))
    vehicle_name: Mapped[str | None] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(500), default="")
    description: Mapped[str | None] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(String(16), default="user", index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id", ondelete="SET NULL"))
    visibility: Mapped[str] = mapped_column(String(8), default="public")
    created: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())

    parties: Mapped[list[Party]] = relationship(
        back_populates="alliance", cascade="all, delete-orphan", order_by="Party.position"
    )
    tags: Mapped[list[AllianceTag]] = relationship(cascade="all, delete-orphan")
    events: Mapped[list[Event]] = relationship(cascade="all, delete-orphan", order_by="Event.date")
    evidence: Mapped[list[Evidence]] = relationship(cascade="all, delete-orphan")
    vehicle: Mapped[Organisation | None] = relationship(foreign_keys=[vehicle_id])


class Party(Base):
    __tablename__ = "party"
    __table_args__ = (UniqueConstraint("alliance_id", "organisation_id", name="uq_party"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    alliance_id: Mapped[int] = mapped_column(ForeignKey("alliance.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    role: Mapped[str] = mapped_column(String(16), default="partner")
    stated_name: Mapped[str | None] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)

    alliance: Mapped[Alliance] = relationship(back_populates="parties")
    organisation: Mapped[Organisation] = relationship()


class AllianceTag(Base):
    """One (facet, value) of an alliance: technology, stage or area (therapeutic area)."""

    __tablename__ = "alliance_tag"
    __table_args__ = (Index("ix_alliance_tag_value", "facet", "value"),)

    alliance_id: Mapped[int] = mapped_column(ForeignKey("alliance.id", ondelete="CASCADE"), primary_key=True)
    facet: Mapped[str] = mapped_column(String(12), primary_key=True)
    value: Mapped[str] = mapped_column(String(100), primary_key=True)


class Event(Base):
    __tablename__ = "event"

    id: Mapped[int] = mapped_column(primary_key=True)
    alliance_id: Mapped[int] = mapped_column(ForeignKey("alliance.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    date: Mapped[str | None] = mapped_column(String(10))
    note: Mapped[str | None] = mapped_column(Text)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("source.id", ondelete="SET NULL"))


class Project(Base):
    __tablename__ = "project"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str | None] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    announced: Mapped[str | None] = mapped_column(String(10))
    year: Mapped[int | None] = mapped_column(Integer, index=True)
    amount: Mapped[float | None] = mapped_column(Float)
    currency: Mapped[str | None] = mapped_column(String(3))
    figures: Mapped[dict[str, float] | None] = mapped_column(JSON)
    alliance_id: Mapped[int | None] = mapped_column(ForeignKey("alliance.id", ondelete="SET NULL"))
    origin: Mapped[str] = mapped_column(String(16), default="user")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id", ondelete="SET NULL"))
    visibility: Mapped[str] = mapped_column(String(8), default="public")

    owners: Mapped[list[ProjectOwner]] = relationship(cascade="all, delete-orphan")
    tags: Mapped[list[ProjectTag]] = relationship(cascade="all, delete-orphan")
    evidence: Mapped[list[Evidence]] = relationship(cascade="all, delete-orphan")


class ProjectOwner(Base):
    __tablename__ = "project_owner"

    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), primary_key=True, index=True)

    organisation: Mapped[Organisation] = relationship()


class ProjectTag(Base):
    __tablename__ = "project_tag"
    __table_args__ = (Index("ix_project_tag_value", "facet", "value"),)

    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), primary_key=True)
    facet: Mapped[str] = mapped_column(String(12), primary_key=True)
    value: Mapped[str] = mapped_column(String(100), primary_key=True)


class Evidence(Base):
    """A verbatim quote of a source, with character offsets, that supports one record."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id", ondelete="CASCADE"), index=True)
    alliance_id: Mapped[int | None] = mapped_column(ForeignKey("alliance.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    figure_id: Mapped[int | None] = mapped_column(ForeignKey("survey_figure.id", ondelete="CASCADE"))
    quote: Mapped[str | None] = mapped_column(Text)
    start: Mapped[int | None] = mapped_column(Integer)
    end: Mapped[int | None] = mapped_column(Integer)

    source: Mapped[Source] = relationship()


class Survey(Base):
    __tablename__ = "survey"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    publisher: Mapped[str | None] = mapped_column(String(200))
    date: Mapped[str | None] = mapped_column(String(10))
    source_id: Mapped[int | None] = mapped_column(ForeignKey("source.id", ondelete="SET NULL"))

    figures: Mapped[list[SurveyFigure]] = relationship(
        cascade="all, delete-orphan", order_by="SurveyFigure.id"
    )


class SurveyFigure(Base):
    __tablename__ = "survey_figure"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(100))
    label_en: Mapped[str] = mapped_column(String(300))
    label_fr: Mapped[str] = mapped_column(String(300))
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(20), default="percent")

    evidence: Mapped[list[Evidence]] = relationship(cascade="all, delete-orphan")


class Candidate(Base):
    """An alliance proposed by extraction, waiting for an analyst's decision."""

    __tablename__ = "candidate"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id", ondelete="CASCADE"), index=True)
    record: Mapped[dict[str, object]] = mapped_column(JSON)
    confidence: Mapped[float | None] = mapped_column(Float)
    state: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    alliance_id: Mapped[int | None] = mapped_column(ForeignKey("alliance.id", ondelete="SET NULL"))
    decided: Mapped[datetime | None] = mapped_column(DateTime)
    created: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())

    source: Mapped[Source] = relationship()


# Accounts, tokens and the audit log (issue 13) live in their own module; imported so metadata is complete.
import alliances.store.search  # noqa: E402,F401  (issue 12: keeps the full-text index current on every write)
from alliances.store import accounts as _accounts  # noqa: E402, F401
from alliances.store import audit as _audit  # noqa: E402, F401  (registers the write hooks)
from alliances.store import health as _health  # noqa: E402,F401  (issue 14: plan tables in the metadata)
from alliances.store import maturity as _maturity  # noqa: E402, F401  (issue 15: maturity tables in the metadata)
from alliances.store import rollup as _rollup  # noqa: E402, F401  (issue 16: pre-aggregated counts, write hooks)
from alliances.store import scale as _scale  # noqa: E402, F401  (issue 16: indexes declared there)
from alliances.store import search_indexes as _search_indexes  # noqa: E402, F401  (s16c: indexes of 0010_search)
