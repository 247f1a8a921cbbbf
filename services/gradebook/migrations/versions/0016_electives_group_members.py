"""electives and clubs (R-14) as courses: their members replicated, a course named by its group's longer name

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

from chassis.migrations import enable_tenant_isolation

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "group_members",
        sa.Column("group_id", sa.Uuid(), nullable=False),
        sa.Column("student_id", sa.Uuid(), nullable=False),
        sa.Column("starts", sa.Date(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("ends", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("group_id", "student_id", "starts"),
    )
    enable_tenant_isolation("group_members")
    op.alter_column("courses", "class_name", existing_type=sa.String(length=20), type_=sa.String(length=100))


def downgrade() -> None:
    op.alter_column("courses", "class_name", existing_type=sa.String(length=100), type_=sa.String(length=20))
    op.drop_table("group_members")
