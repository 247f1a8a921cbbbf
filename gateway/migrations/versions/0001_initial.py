"""initial

Revision ID: 0001
Revises:
Create Date: 2026-11-25 04:14:56.215979
"""

import sqlalchemy as sa
from alembic import op

from chassis.migrations import create_chassis_tables


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('access_log',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('person_id', sa.Uuid(), nullable=False),
    sa.Column('method', sa.String(length=10), nullable=False),
    sa.Column('path', sa.String(length=2000), nullable=False),
    sa.Column('status', sa.SmallInteger(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_access_log_person_id'), 'access_log', ['person_id'], unique=False)
    op.create_table('login_states',
    sa.Column('state', sa.String(length=64), nullable=False),
    sa.Column('code_verifier', sa.String(length=200), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('state')
    )
    op.create_table('people',
    sa.Column('person_id', sa.Uuid(), nullable=False),
    sa.Column('school_id', sa.Uuid(), nullable=False),
    sa.Column('last_name', sa.String(length=100), nullable=False),
    sa.Column('first_name', sa.String(length=100), nullable=False),
    sa.Column('middle_name', sa.String(length=100), nullable=True),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('snils_digits', sa.String(length=11), nullable=True),
    sa.Column('esia_oid', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('person_id')
    )
    op.create_index('people_esia_oid', 'people', ['esia_oid'], unique=False)
    op.create_index('people_snils_digits', 'people', ['snils_digits'], unique=False)
    op.create_table('region_accounts',
    sa.Column('esia_oid', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('person_id', sa.Uuid(), nullable=False),
    sa.PrimaryKeyConstraint('esia_oid', 'role')
    )
    op.create_table('school_roles',
    sa.Column('person_id', sa.Uuid(), nullable=False),
    sa.Column('school_id', sa.Uuid(), nullable=False),
    sa.Column('role', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('person_id', 'school_id', 'role')
    )
    op.create_table('schools',
    sa.Column('school_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=500), nullable=False),
    sa.Column('short_name', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('school_id')
    )
    op.create_table('sessions',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('person_id', sa.Uuid(), nullable=False),
    sa.Column('esia_oid', sa.String(length=64), nullable=False),
    sa.Column('csrf_token', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('token_hash')
    )
    create_chassis_tables()
    # No enable_tenant_isolation() here: a person spans schools and the gateway is the authority
    # that decides who they are, so its tables are not tenant-owned and carry no row-level security.


def downgrade() -> None:
    op.drop_table('sessions')
    op.drop_table('schools')
    op.drop_table('school_roles')
    op.drop_table('region_accounts')
    op.drop_index('people_snils_digits', table_name='people')
    op.drop_index('people_esia_oid', table_name='people')
    op.drop_table('people')
    op.drop_table('login_states')
    op.drop_index(op.f('ix_access_log_person_id'), table_name='access_log')
    op.drop_table('access_log')
    for table in ('idempotency_keys', 'inbox', 'outbox'):
        op.drop_table(table)
