"""consents as records: one row per purpose given or withdrawn, migrated from the person's consent mark

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

from chassis.migrations import enable_tenant_isolation

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

#: domain.consents.PURPOSES as they stood when the mark became records: the mark meant all of them.
PURPOSES = ('journal', 'diary', 'notifications_email', 'notifications_sms', 'notifications_push', 'portal')


def upgrade() -> None:
    op.create_table(
        'consents',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('school_id', sa.Uuid(), sa.ForeignKey('schools.id'), nullable=False),
        sa.Column('person_id', sa.Uuid(), sa.ForeignKey('people.id'), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('purpose', sa.String(length=30), nullable=False),
        sa.Column('action', sa.String(length=10), nullable=False),
        sa.Column('signer_id', sa.Uuid(), sa.ForeignKey('people.id', ondelete='SET NULL'), nullable=True),
        sa.Column('co_signer_id', sa.Uuid(), sa.ForeignKey('people.id', ondelete='SET NULL'), nullable=True),
        sa.Column('document_kind', sa.String(length=100), nullable=True),
        sa.Column('document_number', sa.String(length=60), nullable=True),
        sa.Column('document_date', sa.Date(), nullable=True),
        sa.Column('recorded_by', sa.Uuid(), nullable=True),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('person_id', 'version'),
    )
    # The owner reads every school's people here, before the new table takes its policies.
    op.execute('ALTER TABLE people NO FORCE ROW LEVEL SECURITY')
    values = ', '.join(f"({n}, '{p}')" for n, p in enumerate(PURPOSES, start=1))
    op.execute(f"""
        INSERT INTO consents (id, school_id, person_id, version, purpose, action, recorded_at)
        SELECT gen_random_uuid(), p.school_id, p.id, v.n, v.purpose, 'given', p.consent_at
        FROM people p CROSS JOIN (VALUES {values}) AS v(n, purpose)
    """)
    op.execute('ALTER TABLE people FORCE ROW LEVEL SECURITY')
    enable_tenant_isolation('consents')
    op.drop_column('people', 'consent_at')


def downgrade() -> None:
    op.add_column('people', sa.Column('consent_at', sa.DateTime(timezone=True), nullable=True))
    op.execute('ALTER TABLE people NO FORCE ROW LEVEL SECURITY')
    op.execute('ALTER TABLE consents NO FORCE ROW LEVEL SECURITY')
    op.execute("""
        UPDATE people p SET consent_at = coalesce(
            (SELECT min(c.recorded_at) FROM consents c WHERE c.person_id = p.id), now())
    """)
    op.execute('ALTER TABLE people FORCE ROW LEVEL SECURITY')
    op.alter_column('people', 'consent_at', nullable=False)
    op.drop_table('consents')
