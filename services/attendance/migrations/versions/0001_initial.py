"""initial

Revision ID: 0001
Revises:
Create Date: 2026-11-25 04:10:59.953798
"""

import sqlalchemy as sa
from alembic import op

from chassis.migrations import create_chassis_tables, enable_tenant_isolation


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('class_members',
    sa.Column('class_id', sa.Uuid(), nullable=False),
    sa.Column('student_id', sa.Uuid(), nullable=False),
    sa.Column('school_id', sa.Uuid(), nullable=False),
    sa.PrimaryKeyConstraint('class_id', 'student_id')
    )
    op.create_table('lessons',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('school_id', sa.Uuid(), nullable=False),
    sa.Column('class_id', sa.Uuid(), nullable=False),
    sa.Column('teacher_id', sa.Uuid(), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('subject_name', sa.String(length=200), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_lessons_class_id'), 'lessons', ['class_id'], unique=False)
    op.create_table('people',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('school_id', sa.Uuid(), nullable=False),
    sa.Column('last_name', sa.String(length=100), nullable=False),
    sa.Column('first_name', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('absences',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('school_id', sa.Uuid(), nullable=False),
    sa.Column('lesson_id', sa.Uuid(), nullable=False),
    sa.Column('student_id', sa.Uuid(), nullable=False),
    sa.Column('reason', sa.String(length=16), nullable=False),
    sa.Column('recorded_by', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['lesson_id'], ['lessons.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('lesson_id', 'student_id')
    )
    op.create_index(op.f('ix_absences_student_id'), 'absences', ['student_id'], unique=False)
    create_chassis_tables()
    for table in ("lessons", "class_members", "people", "absences"):
        enable_tenant_isolation(table)


def downgrade() -> None:
    op.drop_index(op.f('ix_absences_student_id'), table_name='absences')
    op.drop_table('absences')
    op.drop_table('people')
    op.drop_index(op.f('ix_lessons_class_id'), table_name='lessons')
    op.drop_table('lessons')
    op.drop_table('class_members')
    for table in ('idempotency_keys', 'inbox', 'outbox'):
        op.drop_table(table)
