"""versions: absences count their states, the class-teacher replica keeps the assignment's version

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 20:00:00.000000
"""

import sqlalchemy as sa
from alembic import op


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('absences', sa.Column('version', sa.Integer(), server_default='1', nullable=False))
    op.add_column('class_teachers', sa.Column('version', sa.Integer(), server_default='0', nullable=False))


def downgrade() -> None:
    op.drop_column('class_teachers', 'version')
    op.drop_column('absences', 'version')
