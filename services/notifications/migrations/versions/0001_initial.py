"""initial

Revision ID: 0001
Revises:
Create Date: 2026-11-25 04:15:57.997531
"""

import sqlalchemy as sa
from alembic import op

from chassis.migrations import create_chassis_tables, enable_tenant_isolation


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('guardianships',
    sa.Column('school_id', sa.Uuid(), nullable=False),
    sa.Column('student_id', sa.Uuid(), nullable=False),
    sa.Column('guardian_id', sa.Uuid(), nullable=False),
    sa.PrimaryKeyConstraint('school_id', 'student_id', 'guardian_id')
    )
    op.create_table('notification_preferences',
    sa.Column('school_id', sa.Uuid(), nullable=False),
    sa.Column('person_id', sa.Uuid(), nullable=False),
    sa.Column('email', sa.Boolean(), nullable=False),
    sa.Column('sms', sa.Boolean(), nullable=False),
    sa.Column('email_address', sa.String(length=254), nullable=True),
    sa.Column('phone', sa.String(length=12), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('school_id', 'person_id')
    )
    op.create_table('notifications',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('school_id', sa.Uuid(), nullable=False),
    sa.Column('recipient_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('student_id', sa.Uuid(), nullable=False),
    sa.Column('event_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('recipient_id', 'event_id')
    )
    op.create_index('notifications_inbox', 'notifications', ['school_id', 'recipient_id', 'created_at'], unique=False)
    op.create_table('people',
    sa.Column('school_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('last_name', sa.String(length=100), nullable=False),
    sa.Column('first_name', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('school_id', 'id')
    )
    create_chassis_tables()
    for table in ("people", "guardianships", "notifications", "notification_preferences"):
        enable_tenant_isolation(table)


def downgrade() -> None:
    op.drop_table('people')
    op.drop_index('notifications_inbox', table_name='notifications')
    op.drop_table('notifications')
    op.drop_table('notification_preferences')
    op.drop_table('guardianships')
    for table in ('idempotency_keys', 'inbox', 'outbox'):
        op.drop_table(table)
