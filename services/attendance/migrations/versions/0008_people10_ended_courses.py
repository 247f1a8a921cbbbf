"""ended teaching assignments from roster (R-4): their teachers mark no more absences

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 14:00:00
"""

import sqlalchemy as sa
from alembic import op

from chassis.migrations import enable_tenant_isolation

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ended_courses",
        sa.Column("course_id", sa.Uuid(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("course_id"),
    )
    enable_tenant_isolation("ended_courses")


def downgrade() -> None:
    op.drop_table("ended_courses")
