"""mark work type title

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Marks stored before MarkPosted carried the title keep it empty; the diary then shows the code.
    op.add_column('marks', sa.Column('work_type_title', sa.String(length=200), server_default='', nullable=False))


def downgrade() -> None:
    op.drop_column('marks', 'work_type_title')
