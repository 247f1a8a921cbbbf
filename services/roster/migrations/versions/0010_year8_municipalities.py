"""municipalities as records (R-10): a school belongs to one instead of naming it as text

Revision ID: 0010
Revises: 0009
"""

from alembic import op
import sqlalchemy as sa

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'municipalities',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('name'),
    )
    op.add_column('schools', sa.Column('municipality_id', sa.Uuid(), nullable=True))
    # Every school's text becomes a record. Row-level security binds the migrations' role too, so the
    # owner lifts it from schools for these two statements and forces it again.
    op.execute('ALTER TABLE schools NO FORCE ROW LEVEL SECURITY')
    op.execute(
        'INSERT INTO municipalities (id, name) '
        'SELECT gen_random_uuid(), municipality FROM schools GROUP BY municipality'
    )
    op.execute('UPDATE schools s SET municipality_id = m.id FROM municipalities m WHERE m.name = s.municipality')
    op.execute('ALTER TABLE schools FORCE ROW LEVEL SECURITY')
    op.alter_column('schools', 'municipality_id', nullable=False)
    op.create_foreign_key('schools_municipality_id_fkey', 'schools', 'municipalities', ['municipality_id'], ['id'])
    op.create_index(op.f('ix_schools_municipality_id'), 'schools', ['municipality_id'])
    op.drop_column('schools', 'municipality')


def downgrade() -> None:
    op.add_column('schools', sa.Column('municipality', sa.String(length=200), nullable=True))
    op.execute('ALTER TABLE schools NO FORCE ROW LEVEL SECURITY')
    op.execute('UPDATE schools s SET municipality = m.name FROM municipalities m WHERE m.id = s.municipality_id')
    op.execute('ALTER TABLE schools FORCE ROW LEVEL SECURITY')
    op.alter_column('schools', 'municipality', nullable=False)
    op.drop_column('schools', 'municipality_id')
    op.drop_table('municipalities')
