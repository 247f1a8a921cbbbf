"""The day a student left their class (roster's leaving events): class lists leave them out from that day

Revision ID: 0018
Revises: 0017
"""

import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("students", sa.Column("left_on", sa.Date(), nullable=True))


def downgrade() -> None:
    op.drop_column("students", "left_on")
