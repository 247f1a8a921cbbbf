"""portal consents (R-5): people whose consent to the state portal was withdrawn; the stream and pull leave them out

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'portal_consents',
        sa.Column('person_id', sa.Uuid(), nullable=False),
        sa.Column('school_id', sa.Uuid(), nullable=False),
        sa.Column('granted', sa.Boolean(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('person_id'),
    )


def downgrade() -> None:
    op.drop_table('portal_consents')
