"""R-54 families' refusals of the electronic service; a deleted mark's tombstone among the journal's states

Revision ID: 0017
Revises: 0016
"""

import sqlalchemy as sa
from alembic import op

from chassis.migrations import enable_tenant_isolation

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("mark_states", sa.Column("deleted", sa.Boolean(), server_default="false", nullable=False))
    op.create_table(
        "family_refusals",
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("student_id", sa.Uuid(), nullable=False),
        sa.Column("refused_on", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("school_id", "student_id"),
    )
    enable_tenant_isolation("family_refusals")


def downgrade() -> None:
    op.drop_table("family_refusals")
    op.drop_column("mark_states", "deleted")
