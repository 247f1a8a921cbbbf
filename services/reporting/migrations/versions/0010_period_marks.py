"""period marks: the diary's итоговые отметки (R-27)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 08:00:00
"""

from alembic import op
import sqlalchemy as sa

from chassis.migrations import enable_tenant_isolation


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('period_marks',
    sa.Column('school_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Uuid(), nullable=False),
    sa.Column('subject_name', sa.String(length=200), nullable=False),
    sa.Column('period_kind', sa.String(length=16), nullable=False),
    sa.Column('period_name', sa.String(length=100), nullable=False),
    sa.Column('starts', sa.Date(), nullable=False),
    sa.Column('ends', sa.Date(), nullable=False),
    sa.Column('value', sa.String(length=10), nullable=True),
    sa.Column('not_attested_reason', sa.Text(), nullable=True),
    sa.Column('extended_to', sa.Date(), nullable=True),
    sa.Column('visible_from', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('school_id', 'id')
    )
    op.create_index('period_marks_by_student', 'period_marks', ['school_id', 'student_id'], unique=False)
    enable_tenant_isolation('period_marks')


def downgrade() -> None:
    op.drop_index('period_marks_by_student', table_name='period_marks')
    op.drop_table('period_marks')
