"""Pre-aggregated counts of public alliances (matrix, trends), a partial index of
private alliances and one of joint-venture vehicles.

The rollup is filled at once from the alliances already there; session events keep it current after.

Revision ID: 0009_aggregates
Revises: 0003_fts
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

revision: str = "0009_aggregates"
down_revision: str | None = "0003_fts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PRIVATE = sa.text("visibility != 'public'")


def upgrade() -> None:
    op.create_table(
        "alliance_rollup",
        sa.Column("measure", sa.String(12), primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("type", sa.String(40), primary_key=True),
        sa.Column("status", sa.String(16), primary_key=True),
        sa.Column("key", sa.String(100), primary_key=True),
        sa.Column("stage", sa.String(100), primary_key=True),
        sa.Column("n", sa.Integer, nullable=False),
    )
    op.create_index(
        "ix_alliance_private", "alliance", ["owner_id"], sqlite_where=PRIVATE, postgresql_where=PRIVATE
    )
    op.create_index("ix_alliance_vehicle", "alliance", ["vehicle_id"])
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:  # facet and value are not independent: without it a list page is planned as a full sort
        op.execute("CREATE STATISTICS st_alliance_tag_facet_value (mcv) ON facet, value FROM alliance_tag")
    nulls = " NULLS LAST" if postgres else ""  # SQLite: DESC puts them last
    op.execute(f"CREATE INDEX ix_alliance_recent ON alliance (announced DESC{nulls}, id DESC)")
    from alliances.store.rollup import rebuild

    session = Session(bind=op.get_bind())
    rebuild(session)
    session.close()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP STATISTICS IF EXISTS st_alliance_tag_facet_value")
    op.execute("DROP INDEX IF EXISTS ix_alliance_recent")
    op.drop_index("ix_alliance_vehicle", table_name="alliance")
    op.drop_index("ix_alliance_private", table_name="alliance")
    op.drop_table("alliance_rollup")
