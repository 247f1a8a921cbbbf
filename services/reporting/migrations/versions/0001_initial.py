"""initial

Revision ID: 0001
Revises:
Create Date: 2026-11-25 04:12:22.849104
"""

import sqlalchemy as sa
from alembic import op

from chassis.migrations import create_chassis_tables, enable_tenant_isolation


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('absences',
    sa.Column('school_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('student_id', sa.Uuid(), nullable=False),
    sa.Column('lesson_id', sa.Uuid(), nullable=False),
    sa.Column('subject_name', sa.String(length=200), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('withdrawn', sa.Boolean(), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('school_id', 'id')
    )
    op.create_index('absences_by_student_and_date', 'absences', ['school_id', 'student_id', 'date'], unique=False)
    op.create_table('classes',
    sa.Column('school_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=20), nullable=False),
    sa.PrimaryKeyConstraint('school_id', 'id')
    )
    op.create_table('guardianships',
    sa.Column('school_id', sa.Uuid(), nullable=False),
    sa.Column('guardian_id', sa.Uuid(), nullable=False),
    sa.Column('student_id', sa.Uuid(), nullable=False),
    sa.Column('relation', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('school_id', 'guardian_id', 'student_id')
    )
    op.create_table('lessons',
    sa.Column('school_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('class_id', sa.Uuid(), nullable=False),
    sa.Column('subject_id', sa.Uuid(), nullable=False),
    sa.Column('subject_name', sa.String(length=200), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('topic', sa.Text(), nullable=False),
    sa.Column('homework', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('school_id', 'id')
    )
    op.create_index('lessons_by_class_and_date', 'lessons', ['school_id', 'class_id', 'date'], unique=False)
    op.create_table('marks',
    sa.Column('school_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Uuid(), nullable=False),
    sa.Column('lesson_id', sa.Uuid(), nullable=False),
    sa.Column('subject_name', sa.String(length=200), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('value', sa.String(length=10), nullable=False),
    sa.Column('work_type', sa.String(length=40), nullable=False),
    sa.Column('weight', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('school_id', 'id')
    )
    op.create_index('marks_by_student_and_date', 'marks', ['school_id', 'student_id', 'date'], unique=False)
    op.create_table('people',
    sa.Column('school_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('last_name', sa.String(length=100), nullable=False),
    sa.Column('first_name', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('school_id', 'id')
    )
    op.create_table('students',
    sa.Column('school_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('class_id', sa.Uuid(), nullable=False),
    sa.Column('class_name', sa.String(length=20), nullable=False),
    sa.Column('enrolled_on', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('school_id', 'id')
    )
    create_chassis_tables()
    for table in ("people", "students", "classes", "guardianships", "lessons", "marks", "absences"):
        enable_tenant_isolation(table)


def downgrade() -> None:
    op.drop_table('students')
    op.drop_table('people')
    op.drop_index('marks_by_student_and_date', table_name='marks')
    op.drop_table('marks')
    op.drop_index('lessons_by_class_and_date', table_name='lessons')
    op.drop_table('lessons')
    op.drop_table('guardianships')
    op.drop_table('classes')
    op.drop_index('absences_by_student_and_date', table_name='absences')
    op.drop_table('absences')
    for table in ('idempotency_keys', 'inbox', 'outbox'):
        op.drop_table(table)
