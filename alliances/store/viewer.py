"""Who is reading: every read goes through `visible()` so private records stay with their owners."""

from __future__ import annotations

from collections.abc import Hashable
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
    # (organisation id, role) of each membership: a user may manage one organisation and only read another.
    memberships: frozenset[tuple[int, str]] = field(default_factory=frozenset, compare=False)

    @property
    def who(self) -> str:
        """How the audit log names this reader."""
        if self.email:
            return self.email
        return "admin (cli)" if self.is_admin else "anonymous"


def scope(viewer: Viewer | None) -> Hashable:
    """What a viewer may see, as a cache key: every reader who sees only public data shares one key."""
    if viewer is None:
        return None
    if viewer.is_admin:
        return "admin"
    return tuple(sorted(viewer.organisation_ids)) or None


def scoped(key: Hashable, viewer: Viewer | None) -> Hashable:
    """A memo key for what this viewer may see: the plain key for public-only readers, shared by all."""
    seen = scope(viewer)
    return key if seen is None else ("scoped", key, seen)


def visible(stmt: Select[*Ts], model: Any, viewer: Viewer | None) -> Select[*Ts]:
    """Restrict a select on a model with `visibility`/`owner_id` to what the viewer may read."""
    if viewer is not None and viewer.is_admin:
        return stmt
    allowed = viewer.organisation_ids if viewer else frozenset()
    condition = model.visibility == "public"
    if allowed:
        condition = or_(condition, model.owner_id.in_(allowed))
    return stmt.where(condition)


def readable(visibility: str, owner_id: int | None, viewer: Viewer | None) -> bool:
    """`visible` for one row already read: whether the viewer may read a record with this visibility
    and owner (the same rule, for results kept per data version and filtered per reader)."""
    if viewer is not None and viewer.is_admin:
        return True
    return visibility == "public" or (viewer is not None and owner_id in viewer.organisation_ids)


def hidden_organisations(viewer: Viewer | None) -> Any:
    """Ids of organisations that only alliances hidden from the viewer mention (as party or vehicle).

    Naming a private alliance's partner or vehicle would reveal the alliance: such organisations are
    left out of lists, searches, profiles and recommendations for whoever may not see the alliance.
    """
    from sqlalchemy import select, union

    from alliances.store.models import Alliance, Party

    shown = visible(select(Alliance.id), Alliance, viewer).scalar_subquery()
    mentioned_hidden: Any = union(
        select(Party.organisation_id).where(Party.alliance_id.not_in(shown)),
        select(Alliance.vehicle_id).where(Alliance.id.not_in(shown), Alliance.vehicle_id.is_not(None)),
    )
    mentioned_shown: Any = union(
        select(Party.organisation_id).where(Party.alliance_id.in_(shown)),
        select(Alliance.vehicle_id).where(Alliance.id.in_(shown), Alliance.vehicle_id.is_not(None)),
    )
    return select(mentioned_hidden.subquery().c[0]).except_(select(mentioned_shown.subquery().c[0]))


def visible_organisations(stmt: Select[*Ts], column: Any, viewer: Viewer | None) -> Select[*Ts]:
    """Restrict a select to organisations (by their id `column`) the viewer may know of."""
    if viewer is not None and viewer.is_admin:
        return stmt
    return stmt.where(column.not_in(hidden_organisations(viewer)))


def may_see_organisation(session: Any, organisation_id: int, viewer: Viewer | None) -> bool:
    """`hidden_organisations` for one organisation, asked through its own ties (indexed lookups, not a
    pass over every party: a profile at a million alliances must not scan them)."""
    from sqlalchemy import exists, literal_column, not_, select

    from alliances.store.models import Alliance, Party

    if viewer is not None and viewer.is_admin:
        return True
    named = non_public_mentions(session)
    if named is not None and organisation_id not in named:
        return True  # only a non-public alliance can hide an organisation: none names this one
    shown = visible(select(Alliance.id), Alliance, viewer).whereclause
    assert shown is not None  # every reader but an administrator has a condition
    # Only non-public alliances can be hidden; the literal lets both engines use the partial index.
    hidden = (Alliance.visibility != literal_column("'public'")) & not_(shown)
    as_party = (Party.organisation_id == organisation_id) & (Alliance.id == Party.alliance_id)
    as_vehicle = Alliance.vehicle_id == organisation_id

    def mentioned(where: Any, condition: Any) -> bool:  # one indexed path at a time (an OR scans)
        return bool(session.scalar(select(exists().where(where, condition))))

    if mentioned(as_party, shown) or mentioned(as_vehicle, shown):
        return True
    return not (mentioned(as_party, hidden) or mentioned(as_vehicle, hidden))


def non_public_mentions(session: Any) -> frozenset[int] | None:
    """Organisations some non-public alliance names as a party or vehicle: a few, read once per lean
    version (on a database with the write counters, which move with any alliance or party write).

    Any other organisation is visible to every reader, so `may_see_organisation` answers for it without
    a query; for these few it asks the database as before. None without the counters (migration 0009):
    there the data version is row counts, which a change of visibility leaves as they were."""
    from sqlalchemy import select, union

    from alliances.store.models import Alliance, Party
    from alliances.store.rollup import PUBLIC, has_rollup
    from alliances.store.version import kept_while_clean

    if not has_rollup(session):
        return None
    hidden = Alliance.visibility != PUBLIC
    stmt: Any = union(
        select(Party.organisation_id).join(Alliance, Alliance.id == Party.alliance_id).where(hidden),
        select(Alliance.vehicle_id).where(hidden, Alliance.vehicle_id.is_not(None)),
    )
    return kept_while_clean(session, ("non_public_mentions",), lambda: frozenset(session.scalars(stmt)))


def private_among(session: Any, alliance_ids: list[int]) -> list[int]:
    """Which of these alliances are private: reading them is written to the audit log."""
    from sqlalchemy import select

    from alliances.store.models import Alliance
    from alliances.store.version import memo_of

    if not alliance_ids:
        return []
    # The private ones are few and change only with the data: one query per data version, not per read.
    stmt = select(Alliance.id).where(Alliance.visibility != "public")
    private: frozenset[int] = memo_of(session).get(
        session, ("private_alliances",), lambda: frozenset(session.scalars(stmt))
    )
    return sorted(private.intersection(alliance_ids))


def token_grants(session: Any, digest: str) -> list[tuple[Any, ...]]:
    """What a presented secret grants, read afresh on every request in one indexed query (no cache to go
    stale: a revoked token, a disabled user or a changed role counts from the next request on).

    One row per membership: (token id, kind, revoked, expires, user id, active, email, organisation, role).
    """
    from alliances.store.lookup import grants_statement

    return [tuple(row) for row in session.execute(grants_statement(), {"digest": digest})]
