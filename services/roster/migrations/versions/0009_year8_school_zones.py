"""the schools' time zones (chassis.schooltime): every "today" of a school is its local date

Revision ID: 0009
Revises: 0008
"""

from alembic import op
import sqlalchemy as sa

from chassis import tables
from chassis.migrations import enable_tenant_isolation

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('schools', sa.Column('settings_version', sa.Integer(), server_default='0', nullable=False))
    # Roster keeps the replica itself, in the transaction that changes a zone: start it from the schools,
    # read through the region-wide policy (row-level security binds the migrations' role too) before the
    # new table's own policies exist.
    tables.school_zones.create(op.get_bind())
    op.execute("SELECT set_config('app.region_read', 'on', true)")
    op.execute('INSERT INTO school_zones (school_id, timezone, version) SELECT id, timezone, 0 FROM schools')
    op.execute("SELECT set_config('app.region_read', '', true)")
    enable_tenant_isolation('school_zones')


def downgrade() -> None:
    op.drop_table('school_zones')
    op.drop_column('schools', 'settings_version')
