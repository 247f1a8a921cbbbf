"""the access log's retention (R-5, R-65): removed entries leave their seals, the job finds them by age

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 08:50:00
"""

import sqlalchemy as sa
from alembic import op


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'access_log_trimmed',
        sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('seal', sa.String(length=64), nullable=False),
        sa.Column('trimmed_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_access_log_at', 'access_log', ['at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_access_log_at', table_name='access_log')
    op.drop_table('access_log_trimmed')
