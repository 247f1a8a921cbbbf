"""the state portal's pull (R-70): clients, their access tokens and the change feed

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 08:00:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('portal_clients',
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('secret_digest', sa.String(length=64), nullable=False),
    sa.Column('scopes', sa.ARRAY(sa.String(length=40)), nullable=False),
    sa.Column('calls_per_minute', sa.Integer(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('client_id')
    )
    op.create_table('portal_tokens',
    sa.Column('token_digest', sa.String(length=64), nullable=False),
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('scopes', sa.ARRAY(sa.String(length=40)), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('token_digest')
    )
    op.create_index(op.f('ix_portal_tokens_client_id'), 'portal_tokens', ['client_id'], unique=False)
    op.create_index(op.f('ix_portal_tokens_expires_at'), 'portal_tokens', ['expires_at'], unique=False)
    op.execute('CREATE SEQUENCE portal_change_versions')
    op.create_table('portal_changes',
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.Column('school_id', sa.Uuid(), nullable=False),
    sa.Column('type', sa.String(length=100), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('data', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.PrimaryKeyConstraint('version')
    )
    op.create_index(op.f('ix_portal_changes_school_id'), 'portal_changes', ['school_id'], unique=False)
    op.create_index(op.f('ix_portal_changes_at'), 'portal_changes', ['at'], unique=False)
    op.create_table('portal_feed',
    sa.Column('id', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('trimmed_through', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('id', name='portal_feed_one_row'),
    sa.PrimaryKeyConstraint('id')
    )
    op.execute('INSERT INTO portal_feed (trimmed_through) VALUES (0)')


def downgrade() -> None:
    op.drop_table('portal_feed')
    op.drop_table('portal_changes')
    op.execute('DROP SEQUENCE portal_change_versions')
    op.drop_table('portal_tokens')
    op.drop_table('portal_clients')
