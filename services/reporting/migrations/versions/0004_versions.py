"""versions: absences and class teachers keep the version of the event that set them

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 20:00:00.000000
"""

import sqlalchemy as sa
from alembic import op


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('absences', sa.Column('version', sa.Integer(), server_default='0', nullable=False))
    op.add_column('class_teachers', sa.Column('version', sa.Integer(), server_default='0', nullable=False))


def downgrade() -> None:
    op.drop_column('class_teachers', 'version')
    op.drop_column('absences', 'version')
