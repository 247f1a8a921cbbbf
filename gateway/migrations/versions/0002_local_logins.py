"""local logins (R-2): logins with passwords, failed attempts, their audit; password sessions have no oid

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 05:03:28.288044
"""

import sqlalchemy as sa
from alembic import op


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('local_login_audit',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('person_id', sa.Uuid(), nullable=False),
    sa.Column('login', sa.String(length=64), nullable=False),
    sa.Column('actor_id', sa.Uuid(), nullable=True),
    sa.Column('school_id', sa.Uuid(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_local_login_audit_person_id'), 'local_login_audit', ['person_id'], unique=False)
    op.create_table('local_logins',
    sa.Column('person_id', sa.Uuid(), nullable=False),
    sa.Column('login', sa.String(length=64), nullable=False),
    sa.Column('password_hash', sa.Text(), nullable=False),
    sa.Column('temporary', sa.Boolean(), nullable=False),
    sa.Column('password_set_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('person_id'),
    sa.UniqueConstraint('login')
    )
    op.create_table('login_failures',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('login', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_login_failures_login'), 'login_failures', ['login'], unique=False)
    op.alter_column('sessions', 'esia_oid',
               existing_type=sa.VARCHAR(length=64),
               nullable=True)
    op.create_index(op.f('ix_sessions_person_id'), 'sessions', ['person_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_sessions_person_id'), table_name='sessions')
    # Password sessions cannot outlive the column they need to be empty.
    op.execute('DELETE FROM sessions WHERE esia_oid IS NULL')
    op.alter_column('sessions', 'esia_oid',
               existing_type=sa.VARCHAR(length=64),
               nullable=False)
    op.drop_index(op.f('ix_login_failures_login'), table_name='login_failures')
    op.drop_table('login_failures')
    op.drop_table('local_logins')
    op.drop_index(op.f('ix_local_login_audit_person_id'), table_name='local_login_audit')
    op.drop_table('local_login_audit')
