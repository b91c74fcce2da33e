"""Indexes behind the list's sorted pages and the organisation profile (migration 0010_search).

Declared here against the tables of `models`, as `store.scale` does, so models and migrations agree.
"""

from __future__ import annotations

from sqlalchemy import Index, text

from alliances.store.models import Alliance, Organisation

# A profile gathers an organisation's subsidiaries: without it, two full scans of 200,000 organisations.
# Only over organisations with a parent (0011_scale2): over all, ANALYZE sees one value and SQLite scans.
Index(
    "ix_organisation_parent",
    Organisation.parent_id,
    sqlite_where=text("parent_id IS NOT NULL"),
    postgresql_where=text("parent_id IS NOT NULL"),
)
# `sort=-amount` (largest deals first) walked from an index, so a deep page stops after its rows. As for
# ix_alliance_recent, SQLite's DESC puts NULLs last already: the migration creates it there without.
Index("ix_alliance_amount", Alliance.amount.desc().nulls_last(), Alliance.id.desc()).ddl_if(
    dialect="postgresql"
)
