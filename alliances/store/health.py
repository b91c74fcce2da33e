"""Alliance plans and their dated entries (milestones, spend, health checks…), private to the parties.

A plan belongs to one alliance and has an owner organisation. Every read takes a `viewer` and filters
in SQL: a reader sees a plan when they are admin, or a member of its owner or of one of the alliance's
parties. Entries are stored as the domain's validated pydantic payloads, one row each.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVarTuple

from pydantic import BaseModel
from sqlalchemy import JSON, DateTime, ForeignKey, Integer, Select, String, delete, exists, false, func, or_
from sqlalchemy import select as sa_select
from sqlalchemy.orm import Mapped, Session, mapped_column

from alliances.errors import Forbidden, InvalidInput, NotFound
from alliances.health.csvio import problems
from alliances.health.model import KINDS, History, Plan
from alliances.store.models import Alliance, Base, Party
from alliances.store.viewer import Viewer, visible

Ts = TypeVarTuple("Ts")

# Ledgers grow with each import; the other kinds describe the current state and are replaced whole.
LEDGERS = ("kpis", "milestones", "spend", "governance", "health_checks")


class HealthPlan(Base):
    __tablename__ = "health_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    alliance_id: Mapped[int] = mapped_column(ForeignKey("alliance.id", ondelete="CASCADE"), unique=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    plan: Mapped[dict[str, Any]] = mapped_column(JSON)
    created: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())


class HealthEntry(Base):
    __tablename__ = "health_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("health_plan.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


def readable(stmt: Select[*Ts], viewer: Viewer) -> Select[*Ts]:
    """Plans the viewer may read: admin, the owner's members, or members of a party of the alliance."""
    if viewer.is_admin:
        return stmt
    ids = viewer.organisation_ids
    if not ids:
        return stmt.where(false())
    party = exists().where(Party.alliance_id == HealthPlan.alliance_id, Party.organisation_id.in_(ids))
    return stmt.where(or_(HealthPlan.owner_id.in_(ids), party))


def may_write(session: Session, alliance_id: int, viewer: Viewer) -> None:
    """Only a member of one of the alliance's parties (or an admin) attaches or changes a plan."""
    alliance = session.scalar(
        visible(sa_select(Alliance), Alliance, viewer).where(Alliance.id == alliance_id)
    )
    if alliance is None:
        raise NotFound(f"no alliance with id {alliance_id}")
    parties = {p.organisation_id for p in alliance.parties}
    if not viewer.is_admin and not parties & viewer.organisation_ids:
        raise Forbidden(f"only a member of a party of alliance {alliance_id} may change its plan")


def get_plan(session: Session, alliance_id: int, *, viewer: Viewer) -> HealthPlan:
    row = session.scalar(readable(sa_select(HealthPlan), viewer).where(HealthPlan.alliance_id == alliance_id))
    if row is None:
        raise NotFound(f"no health plan for alliance {alliance_id}")
    return row


def history_of(session: Session, plan: HealthPlan) -> History:
    """The domain history of a stored plan, entries in their stored order."""
    parts: dict[str, list[Any]] = {k: [] for k in KINDS if k != "plan"}
    rows = session.scalars(
        sa_select(HealthEntry)
        .where(HealthEntry.plan_id == plan.id)
        .order_by(HealthEntry.kind, HealthEntry.position)
    )
    for row in rows:
        parts[row.kind].append(KINDS[row.kind].model_validate(row.data))
    return History(plan=Plan.model_validate(plan.plan), **parts)


def get_history(session: Session, alliance_id: int, *, viewer: Viewer) -> History:
    return history_of(session, get_plan(session, alliance_id, viewer=viewer))


def portfolio(session: Session, organisation_id: int, *, viewer: Viewer) -> list[tuple[Alliance, History]]:
    """The plans of the alliances an organisation is a party to (or owns), that the viewer may read."""
    party = exists().where(
        Party.alliance_id == HealthPlan.alliance_id, Party.organisation_id == organisation_id
    )
    stmt = readable(sa_select(HealthPlan, Alliance), viewer).join(
        Alliance, Alliance.id == HealthPlan.alliance_id
    )
    stmt = stmt.where(or_(HealthPlan.owner_id == organisation_id, party)).order_by(Alliance.id)
    return [(alliance, history_of(session, plan)) for plan, alliance in session.execute(stmt).all()]


def save_entries(
    session: Session,
    alliance_id: int,
    kind: str,
    rows: Sequence[BaseModel],
    *,
    viewer: Viewer,
    owner_id: int | None = None,
    where: str = "",
    lines: list[int] | None = None,
) -> int:
    """Write one kind of entries; the number written (all or nothing: the caller's transaction rolls back).

    `lines` are the rows' line numbers in their file (default: one row a line after the header).
    """
    lines = lines or [i + 2 for i in range(len(rows))]
    may_write(session, alliance_id, viewer)
    plan = session.scalar(sa_select(HealthPlan).where(HealthPlan.alliance_id == alliance_id))
    if kind == "plan":
        if len(rows) != 1:
            raise InvalidInput(f"{where}:2: plan: expected exactly one row, found {len(rows)}")
        data = rows[0].model_dump(mode="json")
        if plan is None:
            alliance = session.get(Alliance, alliance_id)
            owner = owner_id or (
                alliance.parties[0].organisation_id if alliance and alliance.parties else None
            )
            if owner is None:
                raise InvalidInput(f"alliance {alliance_id} has no party to own its plan")
            session.add(HealthPlan(alliance_id=alliance_id, owner_id=owner, plan=data))
        else:
            plan.plan = data
        session.flush()
        return 1
    if plan is None:
        raise InvalidInput(f"alliance {alliance_id} has no plan yet: import its plan.csv first")
    stored = list(
        session.scalars(
            sa_select(HealthEntry.data).where(HealthEntry.plan_id == plan.id, HealthEntry.kind == kind)
        )
    )
    if kind in LEDGERS:  # rows already in the ledger are skipped: importing a file twice is harmless
        seen = {json.dumps(d, sort_keys=True) for d in stored}
        kept = [
            (i, r)
            for i, r in enumerate(rows)
            if json.dumps(r.model_dump(mode="json"), sort_keys=True) not in seen
        ]
        start = len(stored)
    else:
        session.execute(delete(HealthEntry).where(HealthEntry.plan_id == plan.id, HealthEntry.kind == kind))
        kept, start = list(enumerate(rows)), 0
    session.add_all(
        HealthEntry(plan_id=plan.id, kind=kind, position=start + j, data=row.model_dump(mode="json"))
        for j, (_, row) in enumerate(kept)
    )
    session.flush()
    for bad_kind, index, field, message in problems(history_of(session, plan)):
        if bad_kind == kind and index >= start:
            raise InvalidInput(f"{where}:{lines[kept[index - start][0]]}: {field}: {message}")
        raise InvalidInput(
            f"{where}: {field}: {message} (in the stored {bad_kind} of alliance {alliance_id})"
        )
    return len(kept)


def readable_plans(session: Session, *, viewer: Viewer) -> list[tuple[Alliance, History]]:
    """Every plan the viewer may read (an admin sees all; an anonymous reader none)."""
    stmt = readable(sa_select(HealthPlan, Alliance), viewer).join(
        Alliance, Alliance.id == HealthPlan.alliance_id
    )
    return [
        (alliance, history_of(session, plan))
        for plan, alliance in session.execute(stmt.order_by(Alliance.id))
    ]


def alliance_title(session: Session, alliance_id: int, *, viewer: Viewer) -> str:
    """The title of an alliance the viewer may see (for headings of its plan's pages)."""
    title = session.scalar(
        visible(sa_select(Alliance.title), Alliance, viewer).where(Alliance.id == alliance_id)
    )
    if title is None:
        raise NotFound(f"no alliance with id {alliance_id}")
    return title
