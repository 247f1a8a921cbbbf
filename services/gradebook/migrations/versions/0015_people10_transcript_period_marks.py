"""period marks copied from the school a transferred student came from (R-16): transcript_period_marks

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 17:00:00
"""

import sqlalchemy as sa
from alembic import op

from chassis.migrations import enable_tenant_isolation

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "transcript_period_marks",
        sa.Column("student_id", sa.Uuid(), nullable=False),
        sa.Column("source_period_mark_id", sa.Uuid(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("source_school_id", sa.Uuid(), nullable=False),
        sa.Column("source_school_name", sa.String(length=500), nullable=False),
        sa.Column("academic_year", sa.String(length=9), nullable=False),
        sa.Column("subject_name", sa.String(length=200), nullable=False),
        sa.Column("period_kind", sa.String(length=16), nullable=False),
        sa.Column("period_name", sa.String(length=200), nullable=False),
        sa.Column("starts", sa.Date(), nullable=False),
        sa.Column("ends", sa.Date(), nullable=False),
        sa.Column("value", sa.String(length=8), nullable=True),
        sa.Column("text", sa.String(length=40), nullable=False),
        sa.Column("visible_from", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("student_id", "source_period_mark_id"),
    )
    enable_tenant_isolation("transcript_period_marks")


def downgrade() -> None:
    op.drop_table("transcript_period_marks")
