"""the schools' municipality follows roster's settings (R-10): a school moved or its municipality renamed

Revision ID: 0016
Revises: 0015
"""

from alembic import op
import sqlalchemy as sa

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('schools', sa.Column('settings_version', sa.Integer(), server_default='0', nullable=False))


def downgrade() -> None:
    op.drop_column('schools', 'settings_version')
