"""the oid a school typed in is kept apart from the oid a matching login bound

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 20:00:00
"""

import sqlalchemy as sa
from alembic import op


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('people', sa.Column('stated_esia_oid', sa.String(length=64), nullable=True))
    op.create_index(op.f('ix_people_stated_esia_oid'), 'people', ['stated_esia_oid'], unique=False)
    # Until now roster's oid was stored as bound: it becomes a hint, confirmed at the person's next login.
    op.execute('UPDATE people SET stated_esia_oid = esia_oid, esia_oid = NULL')


def downgrade() -> None:
    op.execute('UPDATE people SET esia_oid = coalesce(esia_oid, stated_esia_oid)')
    op.drop_index(op.f('ix_people_stated_esia_oid'), table_name='people')
    op.drop_column('people', 'stated_esia_oid')
