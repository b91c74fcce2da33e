"""Indexes for the list's sorted pages (amount, largest first) and the profile's subsidiaries.

Revision ID: 0010_search
Revises: 0009_aggregates
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010_search"
down_revision: str | None = "0010_rollup2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_organisation_parent", "organisation", ["parent_id"])
    nulls = " NULLS LAST" if op.get_bind().dialect.name == "postgresql" else ""  # SQLite: DESC puts them last
    op.execute(f"CREATE INDEX ix_alliance_amount ON alliance (amount DESC{nulls}, id DESC)")


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_alliance_amount")
    op.drop_index("ix_organisation_parent", table_name="organisation")
