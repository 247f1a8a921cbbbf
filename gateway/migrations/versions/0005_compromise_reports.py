"""compromise reports (R-3): a reported account is blocked; what was done under it is listed

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 20:10:00
"""

import sqlalchemy as sa
from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('compromise_reports',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('person_id', sa.Uuid(), nullable=False),
    sa.Column('since', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reported_by', sa.Uuid(), nullable=False),
    sa.Column('reported_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('cleared_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cleared_by', sa.Uuid(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_compromise_reports_person_id'), 'compromise_reports', ['person_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_compromise_reports_person_id'), table_name='compromise_reports')
    op.drop_table('compromise_reports')
