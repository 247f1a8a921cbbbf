"""class teachers

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

from chassis.migrations import enable_tenant_isolation


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('class_teachers',
    sa.Column('school_id', sa.Uuid(), nullable=False),
    sa.Column('class_id', sa.Uuid(), nullable=False),
    sa.Column('teacher_id', sa.Uuid(), nullable=False),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('school_id', 'class_id')
    )
    enable_tenant_isolation('class_teachers')


def downgrade() -> None:
    op.drop_table('class_teachers')
