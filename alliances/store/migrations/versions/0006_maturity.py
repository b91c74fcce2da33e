"""Maturity assessments, their answers and sittings; survey responses.

Revision ID: 0006_maturity
Revises: 0002
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_maturity"
down_revision: str | None = "0005_health"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "maturity_assessment",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "organisation_id",
            sa.Integer(),
            sa.ForeignKey("organisation.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("label", sa.String(20), nullable=False),
        sa.Column("assessed", sa.String(10), nullable=False),
        sa.Column("sector", sa.String(16), nullable=False),
        sa.Column("size_band", sa.String(8), nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("origin", sa.String(16), nullable=False),
        sa.Column("created", sa.DateTime(), server_default=sa.func.now(), nullable=False),
    )
    op.create_index("ix_maturity_assessment_organisation_id", "maturity_assessment", ["organisation_id"])
    op.create_index("ix_maturity_assessment_sector", "maturity_assessment", ["sector"])
    op.create_table(
        "maturity_answer",
        sa.Column(
            "assessment_id",
            sa.Integer(),
            sa.ForeignKey("maturity_assessment.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("question", sa.String(80), primary_key=True),
        sa.Column("value", sa.String(20), nullable=False),
    )
    op.create_table(
        "maturity_sitting",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "assessment_id",
            sa.Integer(),
            sa.ForeignKey("maturity_assessment.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("started", sa.DateTime(), nullable=False),
        sa.Column("last_saved", sa.DateTime(), nullable=False),
        sa.Column("saves", sa.Integer(), nullable=False),
    )
    op.create_index("ix_maturity_sitting_assessment_id", "maturity_sitting", ["assessment_id"])
    op.create_table(
        "survey_response",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("survey_key", sa.String(100), nullable=False),
        sa.Column("respondent", sa.String(100), nullable=False),
        sa.Column("sector", sa.String(16), nullable=True),
        sa.Column("size_band", sa.String(8), nullable=True),
        sa.Column("country", sa.String(2), nullable=True),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("origin", sa.String(16), nullable=False),
        sa.UniqueConstraint("survey_key", "respondent", name="uq_survey_response"),
    )
    op.create_index("ix_survey_response_survey_key", "survey_response", ["survey_key"])


def downgrade() -> None:
    op.drop_table("survey_response")
    op.drop_table("maturity_sitting")
    op.drop_table("maturity_answer")
    op.drop_table("maturity_assessment")
