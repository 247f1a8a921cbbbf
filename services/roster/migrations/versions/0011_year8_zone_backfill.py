"""the schools registered before the zones were announced: roster announces their settings once (zone_backfill)

Revision ID: 0011
Revises: 0010
"""

from alembic import op
import sqlalchemy as sa

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The schools already there are announced once on start; a school registered from now on announces its
    # zone in its registration.
    op.add_column('schools', sa.Column('zone_announced', sa.Boolean(), server_default='false', nullable=False))
    op.alter_column('schools', 'zone_announced', server_default='true')


def downgrade() -> None:
    op.drop_column('schools', 'zone_announced')
