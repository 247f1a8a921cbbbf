"""corrections: the change log keeps deletions and moves with their reason; disputes; guardianships

Revision ID: 0005
Revises: 0004
"""

from alembic import op
import sqlalchemy as sa

from chassis.migrations import enable_tenant_isolation


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('marks', sa.Column('posted_on', sa.Date(), nullable=True))
    # The change log outlives the marks and lessons it describes (deletions are logged too).
    op.drop_constraint('mark_changes_mark_id_fkey', 'mark_changes', type_='foreignkey')
    op.alter_column('mark_changes', 'mark_id', nullable=True)
    op.add_column('mark_changes', sa.Column('lesson_id', sa.Uuid(), nullable=True))
    op.execute("UPDATE mark_changes c SET lesson_id = m.lesson_id FROM marks m WHERE m.id = c.mark_id")
    op.alter_column('mark_changes', 'lesson_id', nullable=False)
    op.create_index(op.f('ix_mark_changes_lesson_id'), 'mark_changes', ['lesson_id'], unique=False)
    op.add_column('mark_changes', sa.Column('action', sa.String(length=16), server_default='value', nullable=False))
    op.add_column('mark_changes', sa.Column('reason', sa.Text(), nullable=True))
    op.alter_column('mark_changes', 'old_value', type_=sa.String(length=32))
    op.alter_column('mark_changes', 'new_value', type_=sa.String(length=32))
    op.create_table('guardianships',
    sa.Column('guardian_id', sa.Uuid(), nullable=False),
    sa.Column('student_id', sa.Uuid(), nullable=False),
    sa.Column('school_id', sa.Uuid(), nullable=False),
    sa.PrimaryKeyConstraint('guardian_id', 'student_id')
    )
    op.create_table('mark_disputes',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('school_id', sa.Uuid(), nullable=False),
    sa.Column('mark_id', sa.Uuid(), nullable=False),
    sa.Column('course_id', sa.Uuid(), nullable=False),
    sa.Column('student_id', sa.Uuid(), nullable=False),
    sa.Column('mark_value', sa.String(length=8), nullable=False),
    sa.Column('lesson_date', sa.Date(), nullable=False),
    sa.Column('raised_by', sa.Uuid(), nullable=False),
    sa.Column('raised_by_name', sa.String(length=300), nullable=False),
    sa.Column('raised_on', sa.Date(), nullable=False),
    sa.Column('raised_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('answered_by', sa.Uuid(), nullable=True),
    sa.Column('answered_by_name', sa.String(length=300), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_mark_disputes_mark_id'), 'mark_disputes', ['mark_id'], unique=False)
    op.create_index(op.f('ix_mark_disputes_course_id'), 'mark_disputes', ['course_id'], unique=False)
    op.create_index(op.f('ix_mark_disputes_student_id'), 'mark_disputes', ['student_id'], unique=False)
    for table in ('guardianships', 'mark_disputes'):
        enable_tenant_isolation(table)


def downgrade() -> None:
    op.drop_table('mark_disputes')
    op.drop_table('guardianships')
    op.execute(
        "DELETE FROM mark_changes WHERE action <> 'value' OR mark_id IS NULL OR mark_id NOT IN (SELECT id FROM marks)"
    )
    op.alter_column('mark_changes', 'new_value', type_=sa.String(length=8))
    op.alter_column('mark_changes', 'old_value', type_=sa.String(length=8))
    op.drop_column('mark_changes', 'reason')
    op.drop_column('mark_changes', 'action')
    op.drop_index(op.f('ix_mark_changes_lesson_id'), table_name='mark_changes')
    op.drop_column('mark_changes', 'lesson_id')
    op.alter_column('mark_changes', 'mark_id', nullable=False)
    op.create_foreign_key('mark_changes_mark_id_fkey', 'mark_changes', 'marks', ['mark_id'], ['id'])
    op.drop_column('marks', 'posted_on')
