"""work types per school: the administrator's list with weights, and subjects assessed зачёт/незачёт (R-22)

Revision ID: 0006
Revises: 0005
"""

from alembic import op
import sqlalchemy as sa

from chassis.migrations import enable_tenant_isolation


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('school_work_types',
    sa.Column('school_id', sa.Uuid(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('position', sa.SmallInteger(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('weight', sa.Float(), nullable=False),
    sa.Column('pass_fail', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('school_id', 'code')
    )
    op.create_table('pass_fail_subjects',
    sa.Column('school_id', sa.Uuid(), nullable=False),
    sa.Column('subject_id', sa.Uuid(), nullable=False),
    sa.PrimaryKeyConstraint('school_id', 'subject_id')
    )
    for table in ('school_work_types', 'pass_fail_subjects'):
        enable_tenant_isolation(table)


def downgrade() -> None:
    op.drop_table('pass_fail_subjects')
    op.drop_table('school_work_types')
