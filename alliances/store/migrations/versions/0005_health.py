"""Alliance health plans and their dated entries (issue 14).

Revision ID: 0005_health
Revises: 0002
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_health"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "health_plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alliance_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("plan", sa.JSON(), nullable=False),
        sa.Column("created", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.ForeignKeyConstraint(["alliance_id"], ["alliance.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["owner_id"], ["organisation.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("alliance_id"),
    )
    op.create_index("ix_health_plan_owner_id", "health_plan", ["owner_id"])
    op.create_table(
        "health_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["health_plan.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_health_entry_plan_id", "health_entry", ["plan_id"])


def downgrade() -> None:
    op.drop_index("ix_health_entry_plan_id", table_name="health_entry")
    op.drop_table("health_entry")
    op.drop_index("ix_health_plan_owner_id", table_name="health_plan")
    op.drop_table("health_plan")
