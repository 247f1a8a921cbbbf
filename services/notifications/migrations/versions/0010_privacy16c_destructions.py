"""the destruction runs' ledger (152-ФЗ ст. 21): what each run removed here, so a retry removes nothing twice

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 13:55:00
"""

from alembic import op

from chassis.migrations import create_destructions_table, enable_tenant_isolation

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_destructions_table()
    # A school's runs are its own, like every row with a school_id.
    enable_tenant_isolation("destructions")


def downgrade() -> None:
    op.drop_table("destructions")
