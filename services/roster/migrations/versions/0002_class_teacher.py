"""class teacher

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('classes', sa.Column('class_teacher_id', sa.Uuid(), nullable=True))
    op.create_foreign_key('classes_class_teacher_id_fkey', 'classes', 'people', ['class_teacher_id'], ['id'])


def downgrade() -> None:
    op.drop_constraint('classes_class_teacher_id_fkey', 'classes', type_='foreignkey')
    op.drop_column('classes', 'class_teacher_id')
