"""year archives (R-65): a school year archived by roster, queued for its signed archive

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

from chassis.migrations import enable_tenant_isolation

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'year_archives',
        sa.Column('school_id', sa.Uuid(), nullable=False),
        sa.Column('year_id', sa.Uuid(), nullable=False),
        sa.Column('name', sa.String(length=20), nullable=False),
        sa.Column('starts', sa.Date(), nullable=False),
        sa.Column('ends', sa.Date(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('error', sa.Text(), nullable=True),
        sa.Column('archived_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('built_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('school_id', 'year_id'),
    )
    enable_tenant_isolation('year_archives')


def downgrade() -> None:
    op.drop_table('year_archives')
