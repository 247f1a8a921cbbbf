"""reports: schools, class grades, reporting periods and lesson teachers

Revision ID: 0007_reports11
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from chassis.migrations import enable_tenant_isolation

revision = "0007_reports11"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "schools",
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("short_name", sa.String(length=200), nullable=False),
        sa.Column("municipality", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("school_id"),
    )
    op.create_table(
        "class_grades",
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("class_id", sa.Uuid(), nullable=False),
        sa.Column("grade", sa.SmallInteger(), nullable=False),
        sa.Column("academic_year", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("school_id", "class_id"),
    )
    op.create_table(
        "period_schemes",
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("scheme_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("grades", postgresql.ARRAY(sa.Integer()), nullable=False),
        sa.Column("periods", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.PrimaryKeyConstraint("school_id", "scheme_id"),
    )
    op.create_table(
        "lesson_teachers",
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("lesson_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("teacher_id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("school_id", "lesson_id"),
    )
    for table in ("schools", "class_grades", "period_schemes", "lesson_teachers"):
        enable_tenant_isolation(table)


def downgrade() -> None:
    for table in ("lesson_teachers", "period_schemes", "class_grades", "schools"):
        op.drop_table(table)
