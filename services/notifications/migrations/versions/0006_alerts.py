"""alerts: absences replica and per-school alert rules (R-52)

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

from chassis.migrations import enable_tenant_isolation

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "absences",
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("absence_id", sa.Uuid(), nullable=False),
        sa.Column("student_id", sa.Uuid(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("school_id", "absence_id"),
    )
    op.create_index(op.f("ix_absences_student_id"), "absences", ["student_id"])
    op.create_table(
        "school_alert_rules",
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("failing_mark", sa.Boolean(), nullable=False),
        sa.Column("absence_days", sa.Integer(), nullable=False),
        sa.Column("window_days", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("school_id"),
    )
    for table in ("absences", "school_alert_rules"):
        enable_tenant_isolation(table)


def downgrade() -> None:
    op.drop_table("school_alert_rules")
    op.drop_table("absences")
