"""movements and diary visits (R-61, R-62): the students' movements as roster tells them, the family's diary visits

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

from chassis.migrations import enable_tenant_isolation

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'student_movements',
        sa.Column('school_id', sa.Uuid(), nullable=False),
        sa.Column('movement_id', sa.Uuid(), nullable=False),
        sa.Column('student_id', sa.Uuid(), nullable=False),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.Column('moved_on', sa.Date(), nullable=False),
        sa.Column('from_class_id', sa.Uuid(), nullable=True),
        sa.Column('to_class_id', sa.Uuid(), nullable=True),
        sa.Column('told_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('school_id', 'movement_id'),
    )
    op.create_index('ix_student_movements_student', 'student_movements', ['school_id', 'student_id'])
    enable_tenant_isolation('student_movements')
    op.create_table(
        'diary_visits',
        sa.Column('school_id', sa.Uuid(), nullable=False),
        sa.Column('student_id', sa.Uuid(), nullable=False),
        sa.Column('reader_id', sa.Uuid(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('reader', sa.String(length=10), nullable=False),
        sa.Column('last_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('school_id', 'student_id', 'reader_id', 'day'),
    )
    op.create_index('ix_diary_visits_reader', 'diary_visits', ['school_id', 'reader_id'])
    enable_tenant_isolation('diary_visits')


def downgrade() -> None:
    op.drop_table('diary_visits')
    op.drop_table('student_movements')
