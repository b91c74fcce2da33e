"""The vehicle and parent indexes only over the rows that name one.

Almost no alliance has a vehicle and few organisations a parent: over every row, ANALYZE finds about one
value (NULL) for the column, and SQLite then scans the million alliances to ask whether an organisation
is some alliance's vehicle (a profile of an organisation without alliances took 300 ms) and the 200,000
organisations for its subsidiaries (25-45 ms a profile). Over the rows that have one, the index is chosen.

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

PARTIAL = [
    ("ix_alliance_vehicle", "alliance", "vehicle_id"),
    ("ix_organisation_parent", "organisation", "parent_id"),
]


def upgrade() -> None:
    for name, table, column in PARTIAL:
        named = sa.text(f"{column} IS NOT NULL")
        op.drop_index(name, table_name=table)
        op.create_index(name, table, [column], sqlite_where=named, postgresql_where=named)


def downgrade() -> None:
    for name, table, column in PARTIAL:
        op.drop_index(name, table_name=table)
        op.create_index(name, table, [column])
