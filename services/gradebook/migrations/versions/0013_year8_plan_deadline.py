"""thematic plans' entry dates (R-30): a plan first entered after the school's deadline is flagged

Revision ID: 0013
Revises: 0012
"""

from alembic import op
import sqlalchemy as sa

from chassis.migrations import enable_tenant_isolation

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'thematic_plans',
        sa.Column('course_id', sa.Uuid(), nullable=False),
        sa.Column('school_id', sa.Uuid(), nullable=False),
        sa.Column('entered_on', sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(['course_id'], ['courses.id']),
        sa.PrimaryKeyConstraint('course_id'),
    )
    enable_tenant_isolation('thematic_plans')


def downgrade() -> None:
    op.drop_table('thematic_plans')
