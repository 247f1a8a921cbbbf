"""retention indexes: the outbox, inbox and idempotency keys are trimmed by age

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 20:10:00.000000
"""

from alembic import op

from chassis.migrations import create_retention_indexes


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_retention_indexes()


def downgrade() -> None:
    for index in ('outbox_sent_at', 'inbox_processed_at', 'idempotency_keys_created_at'):
        op.execute(f'DROP INDEX IF EXISTS {index}')
