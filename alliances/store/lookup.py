"""What a cached answer needs before it is served, in one short round trip (issue 13, load).

Before each cached answer the web cache asks for the response versions, the grants of the presented
token and, for one alliance's page, the stamp of that alliance's evidence. Built with the ORM on each
request these three cost more than the answer itself (1.4 of a 1.5 ms hit, mostly building and
keying the statements): here they are built once per process, bound by parameters, and run on one
connection in one transaction.
"""

from __future__ import annotations

from functools import cache
from typing import Any, NamedTuple, cast

from sqlalchemy import Engine, bindparam, func, literal, select, true
from sqlalchemy.sql import Select

from alliances.store.accounts import ApiToken, AuditEntry, Membership, User
from alliances.store.models import Alliance, Evidence, Organisation, Party


class Looked(NamedTuple):
    """The raw stamps (data version, text and other counters, last audit position), the token's grant
    rows (None when no token was presented) and the alliance's last evidence id (None when not asked)."""

    stamp: tuple[int, ...]
    text: int
    other: int
    last: int
    grants: list[tuple[Any, ...]] | None
    evidence: int | None


@cache
def versions_statement() -> Select[Any]:
    """(writes, text, other, max alliance, party and organisation ids, last audit position)."""
    from alliances.store.audit import EDIT
    from alliances.store.rollup import OTHER, TEXT, WRITES, Rollup

    latest = select(AuditEntry.seq).where(AuditEntry.action != EDIT).order_by(AuditEntry.seq.desc()).limit(1)
    counters = (
        select(Rollup.n).where(Rollup.measure == k[0]).scalar_subquery() for k in (WRITES, TEXT, OTHER)
    )
    return select(
        *counters,
        *(select(func.max(c)).scalar_subquery() for c in (Alliance.id, Party.id, Organisation.id)),
        latest.scalar_subquery(),
    )


@cache
def grants_statement() -> Select[Any]:
    """One row per membership: (token id, kind, revoked, expires, user id, active, email, organisation,
    role); read afresh on every request, so a revoked token or a changed role counts at once."""
    stmt = (
        select(
            ApiToken.id,
            ApiToken.kind,
            ApiToken.revoked,
            ApiToken.expires,
            User.id,
            User.active,
            User.email,
            Membership.organisation_id,
            Membership.role,
        )
        .join(User, User.id == ApiToken.user_id)
        .outerjoin(Membership, Membership.user_id == User.id)
        .where(ApiToken.digest == bindparam("digest"))
    )
    return cast("Select[Any]", stmt)


@cache
def _one_statement() -> Select[Any]:
    """Versions, the alliance's evidence stamp and the token's grant rows as one statement: each row
    repeats the stamps, and no token (or no row for it) still gives one row through the outer join."""
    evidence = select(func.max(Evidence.id)).where(Evidence.alliance_id == bindparam("alliance"))
    grants = grants_statement().subquery()
    one = select(literal(1).label("one")).subquery()
    stamps = list(versions_statement().selected_columns)  # scalar subqueries already
    return select(*stamps, evidence.scalar_subquery(), *grants.c).select_from(one.outerjoin(grants, true()))


def look(engine: Engine, digest: str | None, alliance: int | None = None) -> Looked:
    """The stamps, the grants of a token's digest and an alliance's evidence stamp (the caller knows the
    database has the rollup table: migration 0009 and later).

    One statement in autocommit on a server database: there a transaction is two round trips more
    (BEGIN, ROLLBACK), and the lookup before a cached answer cost 2.4 ms of wall time instead of 1.2
    (`bench/load.py --engine postgres`: 83 % of the requests are such answers)."""
    with engine.connect() as conn:
        if engine.dialect.name != "sqlite":
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        rows = conn.execute(_one_statement(), {"digest": digest, "alliance": alliance}).all()
        conn.rollback()
    writes, text, other, *ids, last, evidence = (int(value or 0) for value in rows[0][:8])
    grants = None
    if digest is not None:
        grants = [tuple(r[8:]) for r in rows if r[8] is not None]
    return Looked((writes, *ids), text, other, last, grants, evidence if alliance is not None else None)
