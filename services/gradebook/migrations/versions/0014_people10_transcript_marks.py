"""marks copied from the school a transferred student came from (R-16): transcript_marks

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 14:00:00
"""

import sqlalchemy as sa
from alembic import op

from chassis.migrations import enable_tenant_isolation

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "transcript_marks",
        sa.Column("student_id", sa.Uuid(), nullable=False),
        sa.Column("source_mark_id", sa.Uuid(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("source_school_id", sa.Uuid(), nullable=False),
        sa.Column("source_school_name", sa.String(length=500), nullable=False),
        sa.Column("academic_year", sa.String(length=9), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("subject_name", sa.String(length=200), nullable=False),
        sa.Column("value", sa.String(length=8), nullable=False),
        sa.Column("work_type", sa.String(length=32), nullable=False),
        sa.Column("work_type_title", sa.String(length=200), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("student_id", "source_mark_id"),
    )
    enable_tenant_isolation("transcript_marks")


def downgrade() -> None:
    op.drop_table("transcript_marks")
