"""people keep the card's version (roster's): a late registration or older change never undoes a correction

Existing rows start at version 0, so any event of the card replaces them; the previous release writes no
version and its rows take the same default.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('people', sa.Column('version', sa.Integer(), server_default='0', nullable=False))


def downgrade() -> None:
    op.drop_column('people', 'version')
