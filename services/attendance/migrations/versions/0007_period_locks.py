"""period locks: closed periods of courses from the gradebook (R-27), and each lesson's course

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 08:00:00
"""

from alembic import op
import sqlalchemy as sa

from chassis.migrations import enable_tenant_isolation


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(op.f('ix_lessons_course_id'), 'lessons', ['course_id'], unique=False)
    op.create_table('period_locks',
    sa.Column('course_id', sa.Uuid(), nullable=False),
    sa.Column('period_kind', sa.String(length=16), nullable=False),
    sa.Column('period_id', sa.Uuid(), nullable=False),
    sa.Column('school_id', sa.Uuid(), nullable=False),
    sa.Column('period_name', sa.String(length=100), nullable=False),
    sa.Column('starts', sa.Date(), nullable=False),
    sa.Column('ends', sa.Date(), nullable=False),
    sa.Column('closed', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('course_id', 'period_kind', 'period_id')
    )
    enable_tenant_isolation('period_locks')


def downgrade() -> None:
    op.drop_table('period_locks')
    op.drop_index(op.f('ix_lessons_course_id'), table_name='lessons')
