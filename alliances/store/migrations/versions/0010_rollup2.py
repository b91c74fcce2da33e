"""The rollup's trends series per technology and per stage tag (measures `tech.*` and `stage.*`), so a
trends filter on a technology or a stage is read from it: the rollup is recounted.

Revision ID: 0010_rollup2
Revises: 0009_aggregates
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

revision: str = "0010_rollup2"
down_revision: str | None = "0009_aggregates"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    from alliances.store.rollup import rebuild

    session = Session(bind=op.get_bind())
    rebuild(session)
    session.close()


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM alliance_rollup WHERE measure LIKE 'tech.%' OR measure LIKE 'stage.%'"))
