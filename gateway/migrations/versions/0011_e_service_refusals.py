"""e-service refusals (R-54): students whose families refused the electronic service; the portal stream leaves them out

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('e_service_refusals',
    sa.Column('student_id', sa.Uuid(), nullable=False),
    sa.Column('school_id', sa.Uuid(), nullable=False),
    sa.Column('refused_on', sa.Date(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('student_id')
    )


def downgrade() -> None:
    op.drop_table('e_service_refusals')
