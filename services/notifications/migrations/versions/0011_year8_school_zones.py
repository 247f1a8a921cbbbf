"""the schools' time zones (chassis.schooltime): every "today" of a school is its local date

Revision ID: 0011
Revises: 0010
"""

from alembic import op

from chassis.migrations import create_school_zones

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_school_zones()


def downgrade() -> None:
    op.drop_table('school_zones')
