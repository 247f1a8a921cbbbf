"""consents: the purposes a person withdrew (R-5), so e-mail, SMS and push stop for them at once

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

from chassis.migrations import enable_tenant_isolation

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'consents',
        sa.Column('school_id', sa.Uuid(), nullable=False),
        sa.Column('person_id', sa.Uuid(), nullable=False),
        sa.Column('purpose', sa.String(length=30), nullable=False),
        sa.Column('granted', sa.Boolean(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('school_id', 'person_id', 'purpose'),
    )
    enable_tenant_isolation('consents')


def downgrade() -> None:
    op.drop_table('consents')
