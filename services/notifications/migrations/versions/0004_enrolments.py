"""enrolments: which class a student is in, for homework notices

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

from chassis.migrations import enable_tenant_isolation

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "enrolments",
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("student_id", sa.Uuid(), nullable=False),
        sa.Column("class_id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("school_id", "student_id"),
    )
    op.create_index(op.f("ix_enrolments_class_id"), "enrolments", ["class_id"])
    enable_tenant_isolation("enrolments")


def downgrade() -> None:
    op.drop_table("enrolments")
