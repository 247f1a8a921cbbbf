"""corrections: lessons keep their course and a deletion tombstone; the absences' change log (R-25, R-41)

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

from chassis.migrations import enable_tenant_isolation


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('lessons', sa.Column('course_id', sa.Uuid(), nullable=True))
    op.add_column('lessons', sa.Column('deleted', sa.Boolean(), server_default='false', nullable=False))
    op.create_table('absence_changes',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('school_id', sa.Uuid(), nullable=False),
    sa.Column('absence_id', sa.Uuid(), nullable=False),
    sa.Column('student_id', sa.Uuid(), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('changed_by', sa.Uuid(), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('old_value', sa.String(length=64), nullable=False),
    sa.Column('new_value', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_absence_changes_absence_id'), 'absence_changes', ['absence_id'], unique=False)
    enable_tenant_isolation('absence_changes')


def downgrade() -> None:
    op.drop_index(op.f('ix_absence_changes_absence_id'), table_name='absence_changes')
    op.drop_table('absence_changes')
    op.execute("DELETE FROM lessons WHERE deleted AND id NOT IN (SELECT lesson_id FROM absences)")
    op.drop_column('lessons', 'deleted')
    op.drop_column('lessons', 'course_id')
