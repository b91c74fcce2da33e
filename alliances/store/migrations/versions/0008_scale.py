"""Covering indexes for a million alliances: partners by organisation, tags, trends by year and type.

Revision ID: 0008_scale
Revises: 0002
Create Date: 2026-12-01
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008_scale"
down_revision: str | None = "0004_auth"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_party_org_alliance", "party", ["organisation_id", "alliance_id"])
    op.create_index("ix_alliance_tag_cover", "alliance_tag", ["facet", "value", "alliance_id"])
    op.create_index("ix_alliance_year_type", "alliance", ["year", "type"])


def downgrade() -> None:
    op.drop_index("ix_alliance_year_type", table_name="alliance")
    op.drop_index("ix_alliance_tag_cover", table_name="alliance_tag")
    op.drop_index("ix_party_org_alliance", table_name="party")
