"""deletions: deleted lessons and marks stay as tombstones (R-25)

Revision ID: 0008
Revises: 0007
"""

from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('lessons', sa.Column('deleted', sa.Boolean(), server_default='false', nullable=False))
    op.add_column('marks', sa.Column('deleted', sa.Boolean(), server_default='false', nullable=False))


def downgrade() -> None:
    op.execute("DELETE FROM marks WHERE deleted")
    op.execute("DELETE FROM lessons WHERE deleted")
    op.drop_column('marks', 'deleted')
    op.drop_column('lessons', 'deleted')
