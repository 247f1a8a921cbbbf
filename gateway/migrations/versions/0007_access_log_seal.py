"""the access log's hash chain (R-5): a seal per entry, written by a job off the hot path

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 20:40:00
"""

import sqlalchemy as sa
from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('access_log', sa.Column('seal', sa.String(length=64), nullable=True))
    op.create_index('access_log_unsealed', 'access_log', ['id'], unique=False, postgresql_where=sa.text('seal IS NULL'))


def downgrade() -> None:
    op.drop_index('access_log_unsealed', table_name='access_log')
    op.drop_column('access_log', 'seal')
