"""the mark-change log's chain: each entry's place in its school's chain and its seal (R-25)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 13:40:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('mark_changes', sa.Column('seal_no', sa.BigInteger(), nullable=True))
    op.add_column('mark_changes', sa.Column('seal', sa.String(length=64), nullable=True))
    # The sealing job finds the unsealed entries of a school, and the chain's head, by these.
    op.create_index(
        'mark_changes_unsealed', 'mark_changes', ['school_id', 'changed_at'], postgresql_where=sa.text('seal IS NULL')
    )
    op.create_index('mark_changes_chain', 'mark_changes', ['school_id', 'seal_no'], unique=True)


def downgrade() -> None:
    op.drop_index('mark_changes_chain', table_name='mark_changes')
    op.drop_index('mark_changes_unsealed', table_name='mark_changes')
    op.drop_column('mark_changes', 'seal')
    op.drop_column('mark_changes', 'seal_no')
