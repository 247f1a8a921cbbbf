"""school policies: the edit window each school's administrator chose (R-24)

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from chassis.migrations import enable_tenant_isolation

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "school_policies",
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("edit_window", sa.String(length=8), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("school_id"),
        sa.CheckConstraint(
            "edit_window IN ('never', '7d', '14d', '21d', '1m')", name="school_policies_edit_window_choice"
        ),
    )
    enable_tenant_isolation("school_policies")


def downgrade() -> None:
    op.drop_table("school_policies")
