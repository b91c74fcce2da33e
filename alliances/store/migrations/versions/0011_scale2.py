"""The vehicle index only over alliances that name a vehicle.

Almost no alliance has one: over every row, ANALYZE finds a single value (NULL) for the column, and SQLite
then scans the million alliances to ask whether an organisation is some alliance's vehicle (a profile of
an organisation without alliances took 300 ms). Over the rows that have one, the index is always chosen.

Revision ID: 0011_scale2
Revises: 0010_search
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_scale2"
down_revision: str | None = "0010_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAMED = sa.text("vehicle_id IS NOT NULL")


def upgrade() -> None:
    op.drop_index("ix_alliance_vehicle", table_name="alliance")
    op.create_index(
        "ix_alliance_vehicle", "alliance", ["vehicle_id"], sqlite_where=NAMED, postgresql_where=NAMED
    )


def downgrade() -> None:
    op.drop_index("ix_alliance_vehicle", table_name="alliance")
    op.create_index("ix_alliance_vehicle", "alliance", ["vehicle_id"])
