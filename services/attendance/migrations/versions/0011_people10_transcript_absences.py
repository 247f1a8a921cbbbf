"""absences copied from the school a transferred student came from (R-16): transcript_absences

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 14:00:00
"""

import sqlalchemy as sa
from alembic import op

from chassis.migrations import enable_tenant_isolation

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "transcript_absences",
        sa.Column("student_id", sa.Uuid(), nullable=False),
        sa.Column("source_absence_id", sa.Uuid(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("source_school_id", sa.Uuid(), nullable=False),
        sa.Column("source_school_name", sa.String(length=500), nullable=False),
        sa.Column("academic_year", sa.String(length=9), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("subject_name", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("student_id", "source_absence_id"),
    )
    enable_tenant_isolation("transcript_absences")


def downgrade() -> None:
    op.drop_table("transcript_absences")
