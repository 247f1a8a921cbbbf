"""the lesson change log: every edit of a lesson's topic or homework, so a compromised account's edits can be
undone (R-3, R-25)

Revision ID: 0018
Revises: 0017
"""

import sqlalchemy as sa
from alembic import op

from chassis.migrations import enable_tenant_isolation

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lesson_changes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("lesson_id", sa.Uuid(), nullable=False),
        sa.Column("field", sa.String(length=16), nullable=False),
        sa.Column("changed_by", sa.Uuid(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_lesson_changes_lesson_id", "lesson_changes", ["lesson_id"])
    enable_tenant_isolation("lesson_changes")


def downgrade() -> None:
    op.drop_table("lesson_changes")
