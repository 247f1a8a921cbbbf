"""buildings as records (R-10): a room belongs to one of the school's buildings, named once

Revision ID: 0012
Revises: 0011
"""

from alembic import op
import sqlalchemy as sa

from chassis.migrations import enable_tenant_isolation

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'buildings',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('school_id', sa.Uuid(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(['school_id'], ['schools.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('school_id', 'name'),
    )
    op.add_column('rooms', sa.Column('building_id', sa.Uuid(), nullable=True))
    op.create_foreign_key('rooms_building_id_fkey', 'rooms', 'buildings', ['building_id'], ['id'])
    # Each school's building names become records (an empty name: the room's building was not named). Row-level
    # security binds the migrations' role too: the owner lifts it from rooms for these statements.
    op.execute('ALTER TABLE rooms NO FORCE ROW LEVEL SECURITY')
    op.execute(
        'INSERT INTO buildings (id, school_id, name) '
        "SELECT gen_random_uuid(), school_id, building FROM rooms WHERE building <> '' GROUP BY school_id, building"
    )
    op.execute(
        'UPDATE rooms r SET building_id = b.id FROM buildings b WHERE b.school_id = r.school_id AND b.name = r.building'
    )
    op.execute('ALTER TABLE rooms FORCE ROW LEVEL SECURITY')
    op.drop_constraint('rooms_school_id_building_name_key', 'rooms', type_='unique')
    op.drop_column('rooms', 'building')
    op.create_unique_constraint(
        'rooms_school_id_building_id_name_key',
        'rooms',
        ['school_id', 'building_id', 'name'],
        postgresql_nulls_not_distinct=True,
    )
    enable_tenant_isolation('buildings')


def downgrade() -> None:
    op.add_column('rooms', sa.Column('building', sa.String(length=200), server_default='', nullable=False))
    op.execute('ALTER TABLE rooms NO FORCE ROW LEVEL SECURITY')
    op.execute('UPDATE rooms r SET building = b.name FROM buildings b WHERE b.id = r.building_id')
    op.execute('ALTER TABLE rooms FORCE ROW LEVEL SECURITY')
    op.drop_constraint('rooms_school_id_building_id_name_key', 'rooms', type_='unique')
    op.create_unique_constraint('rooms_school_id_building_name_key', 'rooms', ['school_id', 'building', 'name'])
    op.drop_column('rooms', 'building_id')
    op.drop_table('buildings')
