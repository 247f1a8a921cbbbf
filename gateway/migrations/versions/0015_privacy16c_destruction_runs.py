"""destruction runs (152-ФЗ ст. 21): the confirmed destructions with each service's outcome, and the ledger

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 14:20:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from chassis.migrations import create_destructions_table

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'destruction_runs',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('school_id', sa.Uuid(), nullable=False),
        sa.Column('person_id', sa.Uuid(), nullable=False),
        sa.Column('person_name', sa.String(length=300), nullable=False),
        sa.Column('as_of', sa.Date(), nullable=False),
        sa.Column('confirmed_by', sa.Uuid(), nullable=False),
        sa.Column('confirmed_by_name', sa.String(length=300), nullable=False),
        sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('services', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_destruction_runs_school_id', 'destruction_runs', ['school_id'])
    create_destructions_table()


def downgrade() -> None:
    op.drop_table('destructions')
    op.drop_table('destruction_runs')
