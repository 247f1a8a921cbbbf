"""announcements: the school's and classes' announcements shown in the diary (R-53)

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

from chassis.migrations import enable_tenant_isolation

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "announcements",
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("class_id", sa.Uuid(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("school_id", "id"),
    )
    op.create_index("announcements_shown", "announcements", ["school_id", "ends_on"])
    enable_tenant_isolation("announcements")


def downgrade() -> None:
    op.drop_table("announcements")
