"""guardianships, marked verified when ESIA's /kids of the parent lists the child

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 20:20:00
"""

import sqlalchemy as sa
from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('guardianships',
    sa.Column('guardian_id', sa.Uuid(), nullable=False),
    sa.Column('student_id', sa.Uuid(), nullable=False),
    sa.Column('school_id', sa.Uuid(), nullable=False),
    sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('guardian_id', 'student_id')
    )


def downgrade() -> None:
    op.drop_table('guardianships')
