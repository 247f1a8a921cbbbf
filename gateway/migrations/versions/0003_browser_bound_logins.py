"""login states bound to the browser, idle sessions, login attempts per minute (rate limits)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 19:50:00
"""

import sqlalchemy as sa
from alembic import op


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Logins in flight cannot be bound to a browser after the fact: they start again.
    op.execute('DELETE FROM login_states')
    op.add_column('login_states', sa.Column('browser_hash', sa.String(length=64), nullable=False))
    op.add_column(
        'sessions',
        sa.Column('last_seen_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    )
    op.create_table('login_attempts',
    sa.Column('bucket', sa.String(length=80), nullable=False),
    sa.Column('minute', sa.DateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('bucket', 'minute')
    )


def downgrade() -> None:
    op.drop_table('login_attempts')
    op.drop_column('sessions', 'last_seen_at')
    op.drop_column('login_states', 'browser_hash')
