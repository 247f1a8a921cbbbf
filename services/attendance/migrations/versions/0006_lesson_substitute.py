"""lesson substitute: the teacher who gave a lesson in another's place marks its absences (R-20, R-40)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 08:40:00.000000
"""

import sqlalchemy as sa
from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('lessons', sa.Column('substitute_teacher_id', sa.Uuid(), nullable=True))


def downgrade() -> None:
    op.drop_column('lessons', 'substitute_teacher_id')
