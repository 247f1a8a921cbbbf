"""homework (R-21) in the diary: general or for chosen students, due by a date

Revision ID: 0009
Revises: 0008
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from chassis.migrations import enable_tenant_isolation


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('homework',
    sa.Column('school_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('class_id', sa.Uuid(), nullable=False),
    sa.Column('lesson_id', sa.Uuid(), nullable=False),
    sa.Column('subject_name', sa.String(length=200), nullable=False),
    sa.Column('given_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('pages', sa.String(length=200), nullable=True),
    sa.Column('exercises', sa.String(length=500), nullable=True),
    sa.Column('links', postgresql.ARRAY(sa.Text()), nullable=False),
    sa.Column('student_ids', postgresql.ARRAY(sa.Uuid()), nullable=False),
    sa.PrimaryKeyConstraint('school_id', 'id')
    )
    op.create_index('homework_by_class_and_due', 'homework', ['school_id', 'class_id', 'due_on'], unique=False)
    enable_tenant_isolation('homework')


def downgrade() -> None:
    op.drop_table('homework')
