"""Full-text index of alliances: SQLite FTS5 or a PostgreSQL tsvector (with unaccent), filled at once.

Revision ID: 0003_fts
Revises: 0002
Create Date: 2026-12-01
"""

from collections.abc import Sequence

from alembic import op
from sqlalchemy.orm import Session

revision: str = "0003_fts"
down_revision: str | None = "0008_scale"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    from alliances.store.search import TABLE, rebuild

    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        op.execute(
            f"CREATE TABLE {TABLE} (alliance_id INTEGER PRIMARY KEY "
            "REFERENCES alliance(id) ON DELETE CASCADE, doc TSVECTOR NOT NULL)"
        )
        op.execute(f"CREATE INDEX ix_{TABLE}_doc ON {TABLE} USING GIN (doc)")
    else:
        op.execute(
            f"CREATE VIRTUAL TABLE {TABLE} USING fts5(title, names, body, "
            "tokenize = 'unicode61 remove_diacritics 2')"
        )
    session = Session(bind=bind)
    rebuild(session)
    session.close()


def downgrade() -> None:
    from alliances.store.search import TABLE

    op.execute(f"DROP TABLE IF EXISTS {TABLE}")
