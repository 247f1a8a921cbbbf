"""schools' time zones and municipalities; the municipal administrator's municipality

Revision ID: 0017
Revises: 0016
"""

from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('schools', sa.Column('timezone', sa.String(length=64), server_default='Europe/Moscow', nullable=False))
    op.add_column('schools', sa.Column('settings_version', sa.Integer(), server_default='0', nullable=False))
    op.add_column('schools', sa.Column('municipality_id', sa.Uuid(), nullable=True))
    op.create_index('schools_municipality', 'schools', ['municipality_id'])
    op.add_column('region_accounts', sa.Column('municipality_id', sa.Uuid(), nullable=True))
    # A municipal administrator's caller names the municipality's schools: a school joining one
    # changes those callers (gateway.callers), as a changed region account does.
    op.execute(
        'CREATE TRIGGER schools_municipality_changed AFTER INSERT OR UPDATE OF municipality_id ON schools '
        "FOR EACH ROW EXECUTE FUNCTION notify_caller_changed('all')"
    )


def downgrade() -> None:
    op.execute('DROP TRIGGER schools_municipality_changed ON schools')
    op.drop_column('region_accounts', 'municipality_id')
    op.drop_index('schools_municipality', 'schools')
    op.drop_column('schools', 'municipality_id')
    op.drop_column('schools', 'settings_version')
    op.drop_column('schools', 'timezone')
