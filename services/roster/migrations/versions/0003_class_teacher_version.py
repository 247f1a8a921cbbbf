"""class teacher version: orders ClassTeacherAssigned events

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
    op.add_column('classes', sa.Column('class_teacher_version', sa.Integer(), server_default='0', nullable=False))
    # A class that already has a class teacher had at least one assignment.
    op.execute('UPDATE classes SET class_teacher_version = 1 WHERE class_teacher_id IS NOT NULL')


def downgrade() -> None:
    op.drop_column('classes', 'class_teacher_version')
