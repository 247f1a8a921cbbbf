"""homework (R-21): general or individual, pages, exercises, links, due date, posted late; the school's deadline

Revision ID: 0007
Revises: 0006
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from chassis.migrations import enable_tenant_isolation


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('school_policies', sa.Column('homework_deadline_hours', sa.SmallInteger(), nullable=True))
    op.create_table('homework',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('school_id', sa.Uuid(), nullable=False),
    sa.Column('course_id', sa.Uuid(), nullable=False),
    sa.Column('lesson_id', sa.Uuid(), nullable=False),
    sa.Column('given_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('pages', sa.String(length=200), nullable=True),
    sa.Column('exercises', sa.String(length=500), nullable=True),
    sa.Column('links', postgresql.ARRAY(sa.Text()), nullable=False),
    sa.Column('student_ids', postgresql.ARRAY(sa.Uuid()), nullable=False),
    sa.Column('posted_by', sa.Uuid(), nullable=False),
    sa.Column('posted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('posted_late', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_homework_course_id'), 'homework', ['course_id'], unique=False)
    op.create_index(op.f('ix_homework_lesson_id'), 'homework', ['lesson_id'], unique=False)
    enable_tenant_isolation('homework')


def downgrade() -> None:
    op.drop_table('homework')
    op.drop_column('school_policies', 'homework_deadline_hours')
