"""guardianships: the parents' ties to their children, as roster announces them (a parent reads the child's summary)

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

from chassis.migrations import enable_tenant_isolation

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'guardianships',
        sa.Column('guardian_id', sa.Uuid(), nullable=False),
        sa.Column('student_id', sa.Uuid(), nullable=False),
        sa.Column('school_id', sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint('guardian_id', 'student_id'),
    )
    enable_tenant_isolation('guardianships')


def downgrade() -> None:
    op.drop_table('guardianships')
